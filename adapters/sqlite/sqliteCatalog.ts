import type { DatabaseSync } from "node:sqlite";
import { StockShortage, type CatalogChange, type CatalogReads, type CatalogTx } from "../../actors/catalogStore.port.ts";
import { pageBounds, pageOf } from "../../actors/paging.ts";
import { checkChange, checkStockLines, editedProduct } from "../catalog/catalogRows.ts";
import { categoryFromRow, editFromRow, productFromRow } from "../storeRows.ts";

export interface SqliteCatalog {
  readonly writes: CatalogTx;
  readonly reads: CatalogReads;
  /** Called as a unit of work begins, and after it commits: only a committed unit that changed the catalog moves its version. */
  unitBegan(): void;
  unitCommitted(): void;
}

/**
 * The catalog in the store (`crm_categories`, `crm_products`, `crm_catalog_log`, migration 8), on
 * the store's connection. A reservation is one conditional UPDATE per line, inside a savepoint, so
 * that a shortage takes back the lines before it even when the caller catches it and goes on.
 */
export function sqliteCatalog(db: DatabaseSync, ensureOpen: () => void): SqliteCatalog {
  const sql = {
    take: db.prepare("UPDATE crm_products SET stock = stock - ?1 WHERE product_id = ?2 AND hidden = 0 AND stock IS NOT NULL AND stock >= ?1"),
    giveBack: db.prepare("UPDATE crm_products SET stock = stock + ? WHERE product_id = ? AND stock IS NOT NULL"),
    stockOf: db.prepare("SELECT stock, hidden FROM crm_products WHERE product_id = ?"),
    log: db.prepare("INSERT INTO crm_catalog_log (ts, editor, change) VALUES (?, ?, ?)"),
    saveCategory: db.prepare(
      `INSERT INTO crm_categories (category_id, title, emoji, position) VALUES (?, ?, ?, ?)
       ON CONFLICT (category_id) DO UPDATE SET title = excluded.title, emoji = excluded.emoji, position = excluded.position`,
    ),
    saveProduct: db.prepare(
      `INSERT INTO crm_products (product_id, category_id, title, description, price, currency, stock, photo, hidden, position) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (product_id) DO UPDATE SET category_id = excluded.category_id, title = excluded.title, description = excluded.description,
         price = excluded.price, currency = excluded.currency, stock = excluded.stock, photo = excluded.photo, hidden = excluded.hidden, position = excluded.position`,
    ),
    setHidden: db.prepare("UPDATE crm_products SET hidden = ? WHERE product_id = ?"),
    setStock: db.prepare("UPDATE crm_products SET stock = ? WHERE product_id = ?"),
    setPrice: db.prepare("UPDATE crm_products SET price = ? WHERE product_id = ?"),
    setPhoto: db.prepare("UPDATE crm_products SET photo = ? WHERE product_id = ?"),
    categories: db.prepare("SELECT * FROM crm_categories ORDER BY position, category_id"),
    products: db.prepare("SELECT * FROM crm_products ORDER BY position, product_id"),
    edits: db.prepare("SELECT * FROM crm_catalog_log ORDER BY seq DESC LIMIT ? OFFSET ?"),
  };

  let version = 1;
  let changedInUnit = false;

  function apply(change: CatalogChange): void {
    switch (change.type) {
      case "category_saved": {
        const { id, title, emoji, position } = change.category;
        sql.saveCategory.run(id, title, emoji ?? null, position);
        return;
      }
      case "product_saved": {
        const p = change.product;
        sql.saveProduct.run(p.id, p.categoryId, p.title, p.description, p.price, p.currency, p.stock ?? null, p.photo ?? null, p.hidden ? 1 : 0, p.position);
        return;
      }
      case "product_hidden":
        sql.setHidden.run(change.hidden ? 1 : 0, change.productId);
        return;
      case "stock_set":
        sql.setStock.run(change.stock, change.productId);
        return;
      case "price_set":
        sql.setPrice.run(change.price, change.productId);
        return;
      case "photo_set":
        sql.setPhoto.run(change.photo, change.productId);
        return;
    }
  }

  const writes: CatalogTx = {
    reserveStock(lines) {
      checkStockLines(lines);
      db.exec("SAVEPOINT reserve_stock");
      let changed = false;
      try {
        for (const line of lines) {
          if (sql.take.run(line.qty, line.productId).changes > 0) {
            changed = true;
            continue;
          }
          const row = sql.stockOf.get(line.productId);
          if (!row) continue;
          if (Number(row["hidden"]) !== 0) throw new StockShortage(line.productId, 0);
          if (row["stock"] !== null) throw new StockShortage(line.productId, Number(row["stock"]));
        }
      } catch (error) {
        db.exec("ROLLBACK TO reserve_stock; RELEASE reserve_stock");
        throw error;
      }
      db.exec("RELEASE reserve_stock");
      changedInUnit ||= changed;
    },
    releaseStock(lines) {
      checkStockLines(lines);
      for (const line of lines) if (sql.giveBack.run(line.qty, line.productId).changes > 0) changedInUnit = true;
    },
    applyCatalogEdit(edit) {
      checkChange(edit.change);
      const productId = editedProduct(edit.change);
      if (productId !== null && !sql.stockOf.get(productId)) throw new Error(`product ${productId} is not in the catalog`);
      sql.log.run(edit.at, JSON.stringify(edit.by), JSON.stringify(edit.change));
      apply(edit.change);
      changedInUnit = true;
    },
  };

  const reads: CatalogReads = {
    catalogRows() {
      ensureOpen();
      return { categories: sql.categories.all().map(categoryFromRow), products: sql.products.all().map(productFromRow) };
    },
    catalogVersion: () => version,
    async catalogEdits(request) {
      ensureOpen();
      const { offset, limit } = pageBounds(request);
      return pageOf(sql.edits.all(limit + 1, offset).map(editFromRow), offset, limit);
    },
  };

  return {
    writes,
    reads,
    unitBegan() {
      changedInUnit = false;
    },
    unitCommitted() {
      if (changedInUnit) version += 1;
      changedInUnit = false;
    },
  };
}
