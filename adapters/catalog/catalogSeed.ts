import { basename } from "node:path";
import type { CatalogEditor, CatalogReads, CatalogRows } from "../../actors/catalogStore.port.ts";
import type { ActorStore } from "../../actors/store.port.ts";
import { planDocument, placeText, type ImportColumn, type ImportPlan, type RawValue, type ReadDocument } from "./catalogImportPlan.ts";
import type { CatalogFile } from "./jsonCatalog.ts";

/**
 * `CATALOG_PATH` as the seed of the catalog in the store: imported into an empty store at the first
 * start, and again when the owner asks (the owner bot's "import CATALOG_PATH"), each time as an
 * import of the file planned against the store's rows, so that a re-import changes only what
 * differs, keeps what the owner edited that the file does not name, and is previewed first.
 */

/** A validated catalog file as a document to plan, its places the file's own (`products[3].price`). */
export function seedDocument(file: CatalogFile): ReadDocument {
  const value = (json: unknown): RawValue => ({ from: "json", value: json });
  return {
    format: "json",
    categories: file.categories.map((category, index) => ({
      place: (field) => ({ kind: "json", path: field === null ? `categories[${index}]` : `categories[${index}].${field}` }),
      id: category.id,
      title: category.title,
      emoji: category.emoji,
    })),
    products: file.products.map((product, index) => {
      const fields = new Map<ImportColumn, RawValue>([
        ["id", value(product.id)],
        ["category", value(product.categoryId)],
        ["title", value(product.title)],
        ["description", value(product.description)],
        ["price", value(product.price)],
        ["currency", value(product.currency)],
      ]);
      if (product.stock !== undefined) fields.set("stock", value(product.stock));
      if (product.photo !== undefined) fields.set("photo", value(product.photo));
      const path = (column: ImportColumn | null): string => (column === null ? `products[${index}]` : `products[${index}].${column === "category" ? "categoryId" : column}`);
      return { place: (column) => ({ kind: "json", path: path(column) }), fields };
    }),
    problems: [],
  };
}

/** The seed's plan against the store's rows; the file's currency is the catalog's when the store holds no product. */
export function planSeed(file: CatalogFile, rows: CatalogRows, by: CatalogEditor, at: number): ImportPlan {
  return planDocument(seedDocument(file), { rows, currency: file.products[0]?.currency ?? "RUB", photoFiles: true }, by, at);
}

/** The seed could not be planned against an empty store (a rule of the import the file's own check lets through). */
export class SeedRefused extends Error {
  override readonly name = "SeedRefused";
}

/**
 * The first start's import: when the store holds no category and no product, the seed's categories
 * and products go in as `seed` edits, in one unit. Resolves with how many edits were applied (0:
 * the store had a catalog already, which is left as it is).
 *
 * @throws {SeedRefused} naming the file and the first problem, e.g. `catalog.json: products[2].price: price_decimals`.
 */
export async function seedEmptyCatalog(store: Pick<ActorStore, "transact"> & Pick<CatalogReads, "catalogRows">, file: CatalogFile, path: string, at: number): Promise<number> {
  const rows = store.catalogRows();
  if (rows.categories.length > 0 || rows.products.length > 0) return 0;
  const plan = planSeed(file, rows, { kind: "seed", file: basename(path) }, at);
  if (!plan.ok) {
    const first = plan.problems[0];
    throw new SeedRefused(`${path}: ${first ? `${placeText(first.place) || "file"}: ${first.code}` : "refused"}`);
  }
  return store.transact((tx) => {
    for (const edit of plan.edits) tx.applyCatalogEdit(edit);
    return plan.edits.length;
  });
}
