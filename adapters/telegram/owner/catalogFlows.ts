import { basename } from "node:path";
import type { CatalogChange, CatalogEditor, CatalogRows, CategoryRow, ProductRow } from "../../../actors/catalogStore.port.ts";
import type { Clock } from "../../../actors/customerRuntime.ts";
import { describeError, type Logger } from "../../../actors/log.port.ts";
import type { CrmStore } from "../../../actors/store.port.ts";
import { catalogEditMachine, catalogEditVersion } from "../../../machines/catalogEdit.machine.ts";
import type { CatalogEditActionParams, CatalogEditEvent } from "../../../machines/catalogEdit.types.ts";
import { catalogImportMachine, catalogImportVersion } from "../../../machines/catalogImport.machine.ts";
import type { CatalogImportActionParams, CatalogImportEvent, ImportCounts, ImportSource } from "../../../machines/catalogImport.types.ts";
import { importLimits, readImport } from "../../catalog/catalogImport.ts";
import { planDocument, type ImportPlan, type ImportPreview } from "../../catalog/catalogImportPlan.ts";
import { planSeed } from "../../catalog/catalogSeed.ts";
import { readCatalogFile } from "../../catalog/jsonCatalog.ts";
import { createFlow, type FlowActionImplementations } from "../flowState.ts";
import { fetchTelegramFile, FileFetchFailed, keepPhoto, type FileSource } from "./catalogFiles.ts";
import type { OwnerContext } from "./ownerContext.ts";
import { slot, type FlowSlot } from "./ownerFlows.ts";

/** What the catalog features of the owner bot work with, besides the owner kit. */
export interface CatalogParts {
  readonly store: CrmStore;
  readonly clock: Clock;
  readonly log: Logger;
  /** The shop's currency, for a product added to a catalog that holds none yet. */
  readonly currency: string;
  /** Where the owner bot fetches what the owner sends. */
  readonly files: FileSource;
  /** Where product photos the owner sends are kept as files; null: photos cannot be set from the bot. */
  readonly photoDir: string | null;
  /** `CATALOG_PATH`, for an import of it on demand; null: not offered. */
  readonly seedPath: string | null;
}

export interface CatalogKit extends CatalogParts {
  /** The owner's edit of a product or a category (machines/catalogEdit.machine.ts). */
  readonly edit: FlowSlot<typeof catalogEditMachine>;
  /** The owner's import of a file (machines/catalogImport.machine.ts). */
  readonly imports: FlowSlot<typeof catalogImportMachine>;
}

/** Who made an edit from the owner bot. */
export const ownerEditor = (ctx: OwnerContext): CatalogEditor => ({ kind: "owner", id: ctx.from?.id ?? 0 });

/** The currency of the catalog: its products', or the shop's before it has any. */
export const catalogCurrency = (rows: CatalogRows, fallback: string): string => rows.products[0]?.currency ?? fallback;

const nextPosition = (rows: readonly { readonly position: number }[]): number => rows.reduce((max, row) => Math.max(max, row.position + 1), 0);

/** A new shelf's id: its title when that is a free id (`Coffee beans` → `coffee-beans`), else `cat-<n>`. */
function newCategoryId(rows: CatalogRows, title: string): string {
  const taken = new Set(rows.categories.map((category) => category.id));
  const slug = title.toLowerCase().trim().replace(/\s+/g, "-").slice(0, 24);
  if (/^[a-z0-9_-]{1,24}$/.test(slug) && !taken.has(slug)) return slug;
  let n = rows.categories.length + 1;
  while (taken.has(`cat-${n}`)) n += 1;
  return `cat-${n}`;
}

type Planned = { readonly changes: readonly CatalogChange[] } | { readonly failed: "gone" | "store" };

/** The changes an owner's checked value makes to the catalog as it is; none when the value is what is there. */
function productChanges(product: ProductRow, value: NonNullable<CatalogEditActionParams["saveEdit"]["value"]>, photo: string | null): CatalogChange[] {
  switch (value.field) {
    case "title":
    case "description":
      return product[value.field] === value.text ? [] : [{ type: "product_saved", product: { ...product, [value.field]: value.text } }];
    case "price":
      return product.price === value.price ? [] : [{ type: "price_set", productId: product.id, price: value.price }];
    case "stock":
      return (product.stock ?? null) === value.stock ? [] : [{ type: "stock_set", productId: product.id, stock: value.stock }];
    case "photo":
      return (product.photo ?? null) === photo ? [] : [{ type: "photo_set", productId: product.id, photo }];
    default:
      return [];
  }
}

function planEdit(parts: CatalogParts, params: CatalogEditActionParams["saveEdit"], photo: string | null): Planned {
  const { target, value, draft } = params;
  const rows = parts.store.catalogRows();
  if (!target || !value) return { failed: "store" };
  if (target.kind === "product") {
    const product = rows.products.find((row) => row.id === target.productId);
    return product ? { changes: productChanges(product, value, photo) } : { failed: "gone" };
  }
  if (target.kind === "newProduct") {
    if (!rows.categories.some((row) => row.id === target.categoryId)) return { failed: "gone" };
    if (draft.id === null || draft.title === null || value.field !== "price" || rows.products.some((row) => row.id === draft.id)) return { failed: "store" };
    const position = nextPosition(rows.products.filter((row) => row.categoryId === target.categoryId));
    const product: ProductRow = { id: draft.id, categoryId: target.categoryId, title: draft.title, description: "", price: value.price, currency: catalogCurrency(rows, parts.currency), hidden: true, position };
    return { changes: [{ type: "product_saved", product }] };
  }
  if (value.field !== "categoryTitle") return { failed: "store" };
  if (target.kind === "newCategory") {
    return { changes: [{ type: "category_saved", category: { id: newCategoryId(rows, value.text), title: value.text, position: nextPosition(rows.categories) } }] };
  }
  const category = rows.categories.find((row) => row.id === target.categoryId);
  if (!category) return { failed: "gone" };
  return { changes: category.title === value.text ? [] : [{ type: "category_saved", category: { ...category, title: value.text } }] };
}

/** `checkId` and `saveEdit`: one owner's edit, as catalog edits of that owner in one unit. */
function editActions(parts: CatalogParts): FlowActionImplementations<CatalogEditActionParams, CatalogEditEvent, OwnerContext> {
  return {
    checkId: ({ id }) => (id !== null && parts.store.catalogRows().products.some((row) => row.id === id) ? { type: "ID_TAKEN" } : { type: "ID_FREE" }),
    saveEdit: async (params, ctx) => {
      let photo: string | null = null;
      if (params.value?.field === "photo" && params.value.fileId !== null) {
        if (parts.photoDir === null) return { type: "FAILED", reason: "photo" };
        try {
          photo = await keepPhoto(parts.files, parts.photoDir, params.value.fileId);
        } catch (error) {
          parts.log.warn("catalog_photo_failed", { bot: "owner", ...describeError(error) });
          return { type: "FAILED", reason: "photo" };
        }
      }
      const planned = planEdit(parts, params, photo);
      if ("failed" in planned) return { type: "FAILED", reason: planned.failed };
      const by = ownerEditor(ctx);
      const at = parts.clock.now();
      try {
        await parts.store.transact((tx) => {
          for (const change of planned.changes) tx.applyCatalogEdit({ by, at, change });
        });
        return { type: "SAVED" };
      } catch (error) {
        parts.log.error("catalog_edit_failed", { bot: "owner", ...describeError(error) });
        return { type: "FAILED", reason: "store" };
      }
    },
  };
}

/** What an import would do, as the owner's session keeps it. */
export function countsOf(preview: ImportPreview): ImportCounts {
  const { newCategories, ...counts } = preview;
  return { ...counts, newCategories: newCategories.length, newCategoryIds: newCategories.slice(0, 5) };
}

const sameCounts = (a: ImportCounts, b: ImportCounts): boolean => JSON.stringify(a) === JSON.stringify(b);

/** A source read again and planned against `rows`: a document the owner sent, or `CATALOG_PATH`. */
export type SourcePlanner = (rows: CatalogRows, at: number) => ImportPlan;

/**
 * Reads a source once (fetching a document, reading the seed file) into a planner whose edits name
 * the file and `ownerId`, the owner who sent it (or asked for the seed again); refused with why.
 */
export async function plannerOf(parts: CatalogParts, source: ImportSource, ownerId: number): Promise<SourcePlanner> {
  if (source.kind === "seed") {
    if (parts.seedPath === null) throw new FileFetchFailed("unavailable", "no CATALOG_PATH");
    const file = readCatalogFile(parts.seedPath);
    return (rows, at) => planSeed(file, rows, { kind: "import", file: basename(parts.seedPath ?? ""), ownerId }, at);
  }
  const { bytes } = await fetchTelegramFile(parts.files, source.fileId, importLimits.bytes);
  const document = readImport(bytes, source.name);
  return (rows, at) => planDocument(document, { rows, currency: catalogCurrency(rows, parts.currency) }, { kind: "import", file: source.name, ownerId }, at);
}

/** `applyImport`: the source read again, planned and applied inside one unit, only as the owner saw it. */
function importActions(parts: CatalogParts): FlowActionImplementations<CatalogImportActionParams, CatalogImportEvent, OwnerContext> {
  return {
    applyImport: async ({ source, counts }, ctx) => {
      if (source === null || counts === null) return { type: "FAILED", reason: "refused" };
      let plan: SourcePlanner;
      try {
        plan = await plannerOf(parts, source, ctx.from?.id ?? 0);
      } catch (error) {
        parts.log.warn("catalog_import_unreadable", { bot: "owner", ...describeError(error) });
        return { type: "FAILED", reason: error instanceof FileFetchFailed ? "unavailable" : "refused" };
      }
      const at = parts.clock.now();
      try {
        return await parts.store.transact((tx): CatalogImportEvent => {
          const planned = plan(parts.store.catalogRows(), at);
          if (!planned.ok) return { type: "FAILED", reason: "refused" };
          const now = countsOf(planned.preview);
          if (!sameCounts(now, counts)) return { type: "CHANGED", counts: now };
          for (const edit of planned.edits) tx.applyCatalogEdit(edit);
          return { type: "APPLIED", counts: now };
        });
      } catch (error) {
        parts.log.error("catalog_import_failed", { bot: "owner", ...describeError(error) });
        return { type: "FAILED", reason: "store" };
      }
    },
  };
}

/** The catalog's two flows, each kept in the owner's session while it waits for the owner. */
export function createCatalogKit(parts: CatalogParts): CatalogKit {
  return {
    ...parts,
    edit: slot(createFlow(catalogEditMachine, catalogEditVersion, editActions(parts)), "catalogEdit", (snapshot) => snapshot.value !== "idle"),
    imports: slot(createFlow(catalogImportMachine, catalogImportVersion, importActions(parts)), "catalogImport", (snapshot) => snapshot.value !== "idle"),
  };
}

/** The category a row belongs to, for screens. */
export const categoryOfRow = (rows: CatalogRows, id: string | undefined): CategoryRow | undefined => rows.categories.find((row) => row.id === id);
