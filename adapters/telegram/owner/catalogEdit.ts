import { Composer } from "grammy";
import type { CatalogChange } from "../../../actors/catalogStore.port.ts";
import { describeError } from "../../../actors/log.port.ts";
import type { CatalogEditEvent, EditTarget, ProductField } from "../../../machines/catalogEdit.types.ts";
import { categoryOfRow, ownerEditor, type CatalogKit } from "./catalogFlows.ts";
import { catalogHomeScreen, categoryScreen, editConfirmScreen, editPromptScreen, productScreen, type EditSubject } from "./catalogScreens.ts";
import type { OwnerContext } from "./ownerContext.ts";
import { onButton, type OwnerKit } from "./ownerKit.ts";

/** The shelves, from the main menu's 🛍 Catalog. */
export async function openCatalog(kit: OwnerKit, ctx: OwnerContext, offset = 0, notice?: string): Promise<void> {
  await kit.answer(ctx);
  await kit.show(ctx, catalogHomeScreen(kit.view(ctx), kit.store.catalogRows(), offset, notice));
}

async function openCategory(kit: OwnerKit, ctx: OwnerContext, categoryId: string, offset: number, notice?: string): Promise<void> {
  const rows = kit.store.catalogRows();
  const category = categoryOfRow(rows, categoryId);
  if (!category) return openCatalog(kit, ctx, 0, ctx.t("catalog-gone"));
  await kit.answer(ctx);
  await kit.show(ctx, categoryScreen(kit.view(ctx), category, rows.products.filter((row) => row.categoryId === categoryId), offset, notice));
}

async function openProduct(kit: OwnerKit, ctx: OwnerContext, productId: string, notice?: string): Promise<void> {
  const rows = kit.store.catalogRows();
  const product = rows.products.find((row) => row.id === productId);
  if (!product) return openCatalog(kit, ctx, 0, ctx.t("catalog-gone"));
  await kit.answer(ctx);
  await kit.show(ctx, productScreen(kit.view(ctx), product, categoryOfRow(rows, product.categoryId), notice));
}

/** The screen an edit of `target` returns to once saved or cancelled. */
function backTo(kit: OwnerKit, ctx: OwnerContext, target: EditTarget | null, notice: string): Promise<void> {
  if (target?.kind === "product") return openProduct(kit, ctx, target.productId, notice);
  if (target?.kind === "newProduct" || target?.kind === "category") return openCategory(kit, ctx, target.categoryId, 0, notice);
  return openCatalog(kit, ctx, 0, notice);
}

function subjectOf(kit: OwnerKit, target: EditTarget | null): EditSubject {
  const rows = kit.store.catalogRows();
  const product = target?.kind === "product" ? rows.products.find((row) => row.id === target.productId) : undefined;
  const categoryId = target?.kind === "newProduct" || target?.kind === "category" ? target.categoryId : product?.categoryId;
  return { product, category: categoryOfRow(rows, categoryId) };
}

/** Steps the edit and shows where it is now: the question (again, with why), the value to confirm, or what was saved. */
async function step(kit: OwnerKit, catalog: CatalogKit, ctx: OwnerContext, event: CatalogEditEvent): Promise<void> {
  const before = catalog.edit.of(ctx);
  const after = await catalog.edit.step(ctx, event, before);
  const view = kit.view(ctx);
  const send = (screen: Parameters<OwnerKit["show"]>[1]) => (ctx.callbackQuery ? kit.show(ctx, screen) : kit.send(ctx, screen));
  if (after.value === "idle") {
    const saved = event.type === "CONFIRM";
    return backTo(kit, ctx, saved ? after.context.lastSaved : before.context.target, ctx.t(saved ? "catalog-saved" : "catalog-edit-cancelled"));
  }
  await kit.answer(ctx);
  const subject = subjectOf(kit, after.context.target);
  if (after.value === "confirming") return send(editConfirmScreen(view, after.context, subject, kit.currency));
  return send(editPromptScreen(view, after.context, subject, kit.currency));
}

/** Starts an edit (replacing any flow that waits for text) and asks its first question. */
function begin(kit: OwnerKit, catalog: CatalogKit, ctx: OwnerContext, event: CatalogEditEvent): Promise<void> {
  kit.dropInputFlows(ctx);
  catalog.edit.clear(ctx);
  return step(kit, catalog, ctx, event);
}

const productFields: readonly string[] = ["title", "description", "price", "stock", "photo"] satisfies ProductField[];

/** One edit that needs no question: hide or show a product, or the shelves' new order. */
async function applyNow(kit: OwnerKit, ctx: OwnerContext, changes: readonly CatalogChange[]): Promise<boolean> {
  const by = ownerEditor(ctx);
  const at = kit.clock.now();
  try {
    await kit.store.transact((tx) => {
      for (const change of changes) tx.applyCatalogEdit({ by, at, change });
    });
    return true;
  } catch (error) {
    kit.log.error("catalog_edit_failed", { bot: "owner", ...describeError(error) });
    await kit.answer(ctx, ctx.t("cate-failed-store"), true);
    return false;
  }
}

/** Moves a shelf one place up or down: the shelves are numbered again from 0 in their new order. */
async function move(kit: OwnerKit, ctx: OwnerContext, categoryId: string, up: boolean): Promise<void> {
  const shelves = [...kit.store.catalogRows().categories];
  const at = shelves.findIndex((row) => row.id === categoryId);
  if (at < 0) return openCatalog(kit, ctx, 0, ctx.t("catalog-gone"));
  const to = up ? at - 1 : at + 1;
  const moving = shelves[at];
  const other = shelves[to];
  if (!moving || !other) return openCategory(kit, ctx, categoryId, 0, ctx.t(up ? "catalog-first" : "catalog-last"));
  [shelves[at], shelves[to]] = [other, moving];
  const changes: CatalogChange[] = shelves.flatMap((category, position) => (category.position === position ? [] : [{ type: "category_saved" as const, category: { ...category, position } }]));
  if (!(await applyNow(kit, ctx, changes))) return;
  return openCategory(kit, ctx, categoryId, 0, ctx.t("catalog-moved", { position: to + 1, count: shelves.length }));
}

/** The largest size of a photo the owner sent: the one kept. */
const largest = (sizes: readonly { readonly file_id: string; readonly width: number; readonly height: number }[]): string | undefined =>
  sizes.reduce<(typeof sizes)[number] | undefined>((best, size) => (!best || size.width * size.height > best.width * best.height ? size : best), undefined)?.file_id;

/**
 * 🛍 The catalog in the owner bot: shelves, a shelf's products, a product's card; a product's
 * title, description, price, stock and photo, hidden or shown; shelves added, renamed and ordered.
 * Each change is a catalog edit of this owner, with when; typed values and photos go through the
 * edit flow (machines/catalogEdit.machine.ts), which asks, checks and waits for ✅.
 */
export function catalogEdit(kit: OwnerKit, catalog: CatalogKit): Composer<OwnerContext> {
  const composer = new Composer<OwnerContext>();
  composer.command("catalog", (ctx) => {
    kit.dropInputFlows(ctx);
    return kit.send(ctx, catalogHomeScreen(kit.view(ctx), kit.store.catalogRows(), 0));
  });
  onButton(composer, "cat", (ctx, [offset]) => openCatalog(kit, ctx, offset));
  onButton(composer, "ccat", (ctx, [categoryId, offset]) => openCategory(kit, ctx, categoryId, offset));
  onButton(composer, "cprod", (ctx, [productId]) => openProduct(kit, ctx, productId));
  onButton(composer, "cedit", async (ctx, [productId, field]) => {
    if (!productFields.includes(field)) return openProduct(kit, ctx, productId);
    if (!kit.store.catalogRows().products.some((row) => row.id === productId)) return openCatalog(kit, ctx, 0, ctx.t("catalog-gone"));
    await begin(kit, catalog, ctx, { type: "EDIT", productId, field: field as ProductField });
  });
  onButton(composer, "cnewp", (ctx, [categoryId]) => begin(kit, catalog, ctx, { type: "NEW_PRODUCT", categoryId }));
  onButton(composer, "cnewc", (ctx) => begin(kit, catalog, ctx, { type: "NEW_CATEGORY" }));
  onButton(composer, "cren", (ctx, [categoryId]) => begin(kit, catalog, ctx, { type: "RENAME_CATEGORY", categoryId }));
  onButton(composer, "cok", (ctx) => (catalog.edit.of(ctx).value === "confirming" ? step(kit, catalog, ctx, { type: "CONFIRM" }) : openCatalog(kit, ctx, 0, ctx.t("button-outdated"))));
  onButton(composer, "ccan", (ctx) => (catalog.edit.of(ctx).value === "idle" ? openCatalog(kit, ctx) : step(kit, catalog, ctx, { type: "CANCEL" })));
  onButton(composer, "chide", async (ctx, [productId, hidden]) => {
    const product = kit.store.catalogRows().products.find((row) => row.id === productId);
    if (!product) return openCatalog(kit, ctx, 0, ctx.t("catalog-gone"));
    if (product.hidden !== hidden && !(await applyNow(kit, ctx, [{ type: "product_hidden", productId, hidden }]))) return;
    await openProduct(kit, ctx, productId, ctx.t(hidden ? "catalog-now-hidden" : "catalog-now-shown"));
  });
  onButton(composer, "cmove", (ctx, [categoryId, up]) => move(kit, ctx, categoryId, up));
  const waiting = (ctx: OwnerContext): boolean => catalog.edit.of(ctx).value !== "idle";
  composer.on("message:text", (ctx, next) => (waiting(ctx) ? step(kit, catalog, ctx, { type: "TEXT", text: ctx.message.text }) : next()));
  composer.on("message:photo", (ctx, next) => {
    const fileId = largest(ctx.message.photo);
    return waiting(ctx) && fileId ? step(kit, catalog, ctx, { type: "PHOTO", fileId }) : next();
  });
  // A photo sent as a file (uncompressed) is a photo too, while the edit asks for one.
  composer.on("message:document", (ctx, next) => {
    const { document } = ctx.message;
    const asksPhoto = waiting(ctx) && catalog.edit.of(ctx).context.field === "photo";
    return asksPhoto && document.mime_type?.startsWith("image/") ? step(kit, catalog, ctx, { type: "PHOTO", fileId: document.file_id }) : next();
  });
  composer.on("message", (ctx, next) => (waiting(ctx) && !ctx.message.document ? kit.send(ctx, { text: ctx.t("catalog-text-or-photo") }) : next()));
  return composer;
}
