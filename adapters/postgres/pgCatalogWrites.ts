import { StockShortage, type CatalogChange, type CatalogTx } from "../../actors/catalogStore.port.ts";
import { checkChange, checkStockLines, editedProduct } from "../catalog/catalogRows.ts";
import type { PgUnitState } from "./pgUnitState.ts";

/** The statement that applies one catalog change to the rows, with its values. */
function changeStatement(change: CatalogChange): { sql: string; params: unknown[] } {
  switch (change.type) {
    case "category_saved": {
      const { id, title, emoji, position } = change.category;
      return {
        sql: `INSERT INTO crm_categories (category_id, title, emoji, position) VALUES ($1, $2, $3, $4)
              ON CONFLICT (category_id) DO UPDATE SET title = excluded.title, emoji = excluded.emoji, position = excluded.position`,
        params: [id, title, emoji ?? null, position],
      };
    }
    case "product_saved": {
      const p = change.product;
      return {
        sql: `INSERT INTO crm_products (product_id, category_id, title, description, price, currency, stock, photo, hidden, position) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
              ON CONFLICT (product_id) DO UPDATE SET category_id = excluded.category_id, title = excluded.title, description = excluded.description,
                price = excluded.price, currency = excluded.currency, stock = excluded.stock, photo = excluded.photo, hidden = excluded.hidden, position = excluded.position`,
        params: [p.id, p.categoryId, p.title, p.description, p.price, p.currency, p.stock ?? null, p.photo ?? null, p.hidden ? 1 : 0, p.position],
      };
    }
    case "product_hidden":
      return { sql: "UPDATE crm_products SET hidden = $1 WHERE product_id = $2", params: [change.hidden ? 1 : 0, change.productId] };
    case "stock_set":
      return { sql: "UPDATE crm_products SET stock = $1 WHERE product_id = $2", params: [change.stock, change.productId] };
    case "price_set":
      return { sql: "UPDATE crm_products SET price = $1 WHERE product_id = $2", params: [change.price, change.productId] };
    case "photo_set":
      return { sql: "UPDATE crm_products SET photo = $1 WHERE product_id = $2", params: [change.photo, change.productId] };
  }
}

/**
 * The catalog's writes inside a PostgreSQL unit. A reservation reads the lines' stock (the unit's
 * own changes included) and decides a shortage at once, as SQLite does, then queues one conditional
 * update per line; a line another process sold meanwhile fails that update, and the unit with it
 * (retried by the runtime, which then sees the shortage). `changed` moves the catalog's version.
 */
export function pgCatalogWrites(state: PgUnitState, changed: () => void): CatalogTx {
  return {
    reserveStock(lines) {
      checkStockLines(lines);
      if (lines.length === 0) return;
      const ids = [...new Set(lines.map((line) => line.productId))];
      const rows = state.read("SELECT product_id, stock, hidden FROM crm_products WHERE product_id = ANY($1::text[])", [ids]);
      const left = new Map(rows.map((row) => [String(row["product_id"]), { stock: row["stock"] === null ? null : Number(row["stock"]), hidden: Number(row["hidden"]) !== 0 }]));
      const takes: { productId: string; qty: number }[] = [];
      for (const line of lines) {
        const row = left.get(line.productId);
        if (!row) continue;
        if (row.hidden) throw new StockShortage(line.productId, 0);
        if (row.stock === null) continue;
        if (row.stock < line.qty) throw new StockShortage(line.productId, row.stock);
        row.stock -= line.qty;
        takes.push(line);
      }
      const unit = state.unit();
      for (const take of takes) {
        unit.write("UPDATE crm_products SET stock = stock - $1 WHERE product_id = $2 AND hidden = 0 AND stock IS NOT NULL AND stock >= $1", [take.qty, take.productId], (result) =>
          result.rowCount === 1 ? undefined : { kind: "stale", customers: [], actors: [] },
        );
      }
      if (takes.length > 0) changed();
    },
    releaseStock(lines) {
      checkStockLines(lines);
      const unit = state.unit();
      for (const line of lines) unit.write("UPDATE crm_products SET stock = stock + $1 WHERE product_id = $2 AND stock IS NOT NULL", [line.qty, line.productId]);
      if (lines.length > 0) changed();
    },
    applyCatalogEdit(edit) {
      checkChange(edit.change);
      const productId = editedProduct(edit.change);
      if (productId !== null && state.read("SELECT 1 FROM crm_products WHERE product_id = $1", [productId]).length === 0) throw new Error(`product ${productId} is not in the catalog`);
      const unit = state.unit();
      unit.write("INSERT INTO crm_catalog_log (ts, editor, change) VALUES ($1, $2, $3)", [edit.at, JSON.stringify(edit.by), JSON.stringify(edit.change)]);
      const { sql, params } = changeStatement(edit.change);
      unit.write(sql, params);
      changed();
    },
  };
}
