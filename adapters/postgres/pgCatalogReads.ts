import type { CatalogEditor, CatalogChange, CatalogReads, CatalogRows, CategoryRow, ProductRow, StoredCatalogEdit } from "../../actors/catalogStore.port.ts";
import { pageBounds, pageOf } from "../../actors/paging.ts";
import { categoryRow, productRow } from "../catalog/catalogRows.ts";
import { num, rowsOf, type PgQueryable, type PgRow } from "./pgRows.ts";

/** Runs one statement synchronously (the store's bridge, adapters/postgres/syncBridge.ts) and returns its rows. */
export type PgSyncQuery = (sql: string, params?: readonly unknown[]) => PgRow[];

const strOrUndefined = (value: unknown): string | undefined => (value === null || value === undefined ? undefined : String(value));

function productFromRow(row: PgRow): ProductRow {
  const stock = row["stock"];
  return productRow({
    id: String(row["product_id"]),
    categoryId: String(row["category_id"]),
    title: String(row["title"]),
    description: String(row["description"]),
    price: num(row["price"]),
    currency: String(row["currency"]),
    photo: strOrUndefined(row["photo"]),
    stock: stock === null || stock === undefined ? undefined : num(stock),
    hidden: row["hidden"] === true || (typeof row["hidden"] !== "boolean" && num(row["hidden"]) !== 0),
    position: num(row["position"]),
  });
}

function categoryFromRow(row: PgRow): CategoryRow {
  return categoryRow({ id: String(row["category_id"]), title: String(row["title"]), emoji: strOrUndefined(row["emoji"]), position: num(row["position"]) });
}

/** A JSON column kept as text or as JSONB; text that does not parse throws, as it does in SQLite. */
const parsed = (value: unknown): unknown => (typeof value === "string" ? JSON.parse(value) : value);

function editFromRow(row: PgRow): StoredCatalogEdit {
  return { seq: num(row["seq"]), at: num(row["ts"]), by: parsed(row["editor"]) as CatalogEditor, change: parsed(row["change"]) as CatalogChange };
}

/** The catalog's statements: ids compare byte by byte, as SQLite's do. */
export const catalogSql = {
  categories: `SELECT category_id, title, emoji, position FROM crm_categories ORDER BY position, category_id COLLATE "C"`,
  products: `SELECT product_id, category_id, title, description, price, currency, stock, photo, hidden, position FROM crm_products ORDER BY position, product_id COLLATE "C"`,
  edits: "SELECT seq, ts, editor, change FROM crm_catalog_log ORDER BY seq DESC LIMIT $1 OFFSET $2",
} as const;

/** The catalog rows the shop's in-memory catalog is built from: synchronous, as the port has it, so through the bridge. */
export function pgCatalogRows(query: PgSyncQuery): CatalogRows {
  return { categories: query(catalogSql.categories).map(categoryFromRow), products: query(catalogSql.products).map(productFromRow) };
}

/** The catalog's reads but `catalogVersion`, which moves with the write side's committed units (the store's own). */
export function pgCatalogReads(pool: PgQueryable, query: PgSyncQuery): Omit<CatalogReads, "catalogVersion"> {
  return {
    catalogRows: () => pgCatalogRows(query),
    async catalogEdits(request) {
      const { offset, limit } = pageBounds(request);
      return pageOf((await rowsOf(pool, catalogSql.edits, [limit + 1, offset])).map(editFromRow), offset, limit);
    },
  };
}
