import type { CatalogReads, CatalogRows } from "../../actors/catalogStore.port.ts";
import { pageBounds, pageOf } from "../../actors/paging.ts";
import { categoryFromRow, editFromRow, productFromRow } from "../storeRows.ts";
import { rowsOf, type PgQueryable, type PgRow } from "./pgRows.ts";

/** Runs one statement synchronously (the store's bridge, adapters/postgres/syncBridge.ts) and returns its rows. */
export type PgSyncQuery = (sql: string, params?: readonly unknown[]) => PgRow[];

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
