import { Composer } from "grammy";
import { basename } from "node:path";
import { describeError } from "../../../actors/log.port.ts";
import type { ImportSource } from "../../../machines/catalogImport.types.ts";
import { importLimits } from "../../catalog/catalogImport.ts";
import type { ImportProblem } from "../../catalog/catalogImportPlan.ts";
import { CatalogInvalid } from "../../catalog/jsonCatalog.ts";
import { openCatalog } from "./catalogEdit.ts";
import { FileFetchFailed } from "./catalogFiles.ts";
import { countsOf, plannerOf, type CatalogKit } from "./catalogFlows.ts";
import { countsText, importPreviewScreen, importProblemsScreen, importPromptScreen } from "./catalogScreens.ts";
import type { OwnerContext } from "./ownerContext.ts";
import { onButton, type OwnerKit } from "./ownerKit.ts";

const sourceName = (catalog: CatalogKit, source: ImportSource): string => (source.kind === "file" ? source.name : basename(catalog.seedPath ?? "catalog.json"));

const fileProblem = (code: ImportProblem["code"], params: ImportProblem["params"] = {}): ImportProblem => ({ place: { kind: "file" }, code, params });

/** Shows the screen after text or a document (a new message) or after a button (in its place). */
const shown = (kit: OwnerKit, ctx: OwnerContext, screen: Parameters<OwnerKit["show"]>[1]): Promise<void> => (ctx.callbackQuery ? kit.show(ctx, screen) : kit.send(ctx, screen));

/**
 * Reads a source and plans it against the catalog as it is now: its problems, or its preview kept
 * in the import flow for ✅. Nothing is applied here.
 */
async function preview(kit: OwnerKit, catalog: CatalogKit, ctx: OwnerContext, source: ImportSource): Promise<void> {
  const name = sourceName(catalog, source);
  const view = kit.view(ctx);
  let plan;
  try {
    plan = (await plannerOf(catalog, source, ctx.from?.id ?? 0))(kit.store.catalogRows(), kit.clock.now());
  } catch (error) {
    await kit.answer(ctx);
    if (error instanceof CatalogInvalid) return shown(kit, ctx, importProblemsScreen(view, name, [fileProblem("seed_invalid", { reason: error.message })], 1));
    if (!(error instanceof FileFetchFailed)) throw error;
    kit.log.warn("catalog_import_unreadable", { bot: "owner", ...describeError(error) });
    const problem = error.reason === "too_big" ? fileProblem("file_too_large", { max: importLimits.bytes }) : fileProblem("file_unavailable");
    return shown(kit, ctx, importProblemsScreen(view, name, [problem], 1));
  }
  await kit.answer(ctx);
  if (!plan.ok) return shown(kit, ctx, importProblemsScreen(view, name, plan.problems, plan.total));
  const after = await catalog.imports.step(ctx, { type: "PREVIEWED", source, counts: countsOf(plan.preview) });
  return shown(kit, ctx, importPreviewScreen(view, name, { counts: after.context.counts ?? countsOf(plan.preview), changed: false, error: null }));
}

/** A document the owner sent: refused at once when Telegram says it is too large, otherwise read and previewed. */
async function takeDocument(kit: OwnerKit, catalog: CatalogKit, ctx: OwnerContext): Promise<void> {
  const document = ctx.message?.document;
  if (!document) return;
  const name = document.file_name ?? "document";
  if ((document.file_size ?? 0) > importLimits.bytes) {
    return kit.send(ctx, importProblemsScreen(kit.view(ctx), name, [fileProblem("file_too_large", { max: importLimits.bytes, size: document.file_size ?? 0 })], 1));
  }
  return preview(kit, catalog, ctx, { kind: "file", fileId: document.file_id, name });
}

/** ✅ on a preview: the flow's `applyImport` applies it whole, or shows the new preview, or says why not. */
async function apply(kit: OwnerKit, catalog: CatalogKit, ctx: OwnerContext): Promise<void> {
  const before = catalog.imports.of(ctx);
  if (before.value !== "previewing" || before.context.source === null) return openCatalog(kit, ctx, 0, ctx.t("catalog-import-none"));
  const source = before.context.source;
  const after = await catalog.imports.step(ctx, { type: "CONFIRM" }, before);
  const view = kit.view(ctx);
  if (after.value === "idle" && after.context.applied) {
    const { newCategoryIds: _ids, ...counts } = after.context.applied;
    kit.log.info("catalog_imported", { bot: "owner", file: sourceName(catalog, source), ...counts });
    return openCatalog(kit, ctx, 0, `${ctx.t("catalog-import-applied")}\n${countsText(view, after.context.applied)}`);
  }
  await kit.answer(ctx);
  const { counts, changed, error } = after.context;
  if (counts) await kit.show(ctx, importPreviewScreen(view, sourceName(catalog, source), { counts, changed, error }));
}

/**
 * 📥 Import: a CSV or JSON document the owner sends (docs/catalog.md), or `CATALOG_PATH` again;
 * read, checked (every problem with its row and column, or its path), previewed ("12 new, 30
 * changed, 2 hidden"), and applied on ✅ in one unit of work. Nothing is applied while any
 * problem is left.
 */
export function catalogImport(kit: OwnerKit, catalog: CatalogKit): Composer<OwnerContext> {
  const composer = new Composer<OwnerContext>();
  onButton(composer, "cimp", async (ctx) => {
    await kit.answer(ctx);
    await kit.show(ctx, importPromptScreen(kit.view(ctx), { kb: importLimits.bytes / 1024, rows: importLimits.rows }, catalog.seedPath === null ? null : basename(catalog.seedPath)));
  });
  onButton(composer, "cseed", (ctx) => (catalog.seedPath === null ? openCatalog(kit, ctx) : preview(kit, catalog, ctx, { kind: "seed" })));
  onButton(composer, "ciok", (ctx) => apply(kit, catalog, ctx));
  onButton(composer, "cican", async (ctx) => {
    await catalog.imports.step(ctx, { type: "CANCEL" });
    await openCatalog(kit, ctx, 0, ctx.t("catalog-import-cancelled"));
  });
  composer.command("import", async (ctx) => {
    kit.dropInputFlows(ctx);
    await kit.send(ctx, importPromptScreen(kit.view(ctx), { kb: importLimits.bytes / 1024, rows: importLimits.rows }, catalog.seedPath === null ? null : basename(catalog.seedPath)));
  });
  composer.on("message:document", (ctx) => takeDocument(kit, catalog, ctx));
  return composer;
}
