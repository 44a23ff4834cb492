import type { Category, Product } from "./catalog.port.ts";
import type { Page, PageRequest } from "./store.port.ts";

/**
 * The catalog in the store: categories and products as rows, their stock, and every edit as an
 * event of its own (who, when, what). The shop reads it through an in-memory `Catalog` rebuilt
 * from these rows when `catalogVersion()` moves. docs/orders.md has the design.
 */

export interface CategoryRow extends Category {
  /** The owner's order of the shelves. */
  readonly position: number;
}

export interface ProductRow extends Product {
  /** A hidden product is not shown or sold; its orders keep it. */
  readonly hidden: boolean;
  /** The owner's order within the category. */
  readonly position: number;
}

/**
 * Who made an edit: an owner (by Telegram id), an import (its file name, and the owner who sent it
 * or asked for `CATALOG_PATH` again; absent in edits recorded before it was kept), or the first start's seed.
 */
export type CatalogEditor =
  | { readonly kind: "owner"; readonly id: number }
  | { readonly kind: "import"; readonly file: string; readonly ownerId?: number }
  | { readonly kind: "seed"; readonly file: string };

/** One change to the catalog. A product's price change does not touch orders already placed (their lines are frozen). */
export type CatalogChange =
  | { readonly type: "category_saved"; readonly category: CategoryRow }
  | { readonly type: "product_saved"; readonly product: ProductRow }
  | { readonly type: "product_hidden"; readonly productId: string; readonly hidden: boolean }
  | { readonly type: "stock_set"; readonly productId: string; readonly stock: number | null }
  | { readonly type: "price_set"; readonly productId: string; readonly price: number }
  | { readonly type: "photo_set"; readonly productId: string; readonly photo: string | null };

export interface CatalogEdit {
  readonly by: CatalogEditor;
  readonly at: number;
  readonly change: CatalogChange;
}

export interface StoredCatalogEdit extends CatalogEdit {
  readonly seq: number;
}

/** A product and how many of it an order wants. */
export interface StockLine {
  readonly productId: string;
  readonly qty: number;
}

/** A reservation that cannot be made: the unit fails, and the caller tells the customer how many are left. */
export class StockShortage extends Error {
  override readonly name = "StockShortage";
  readonly productId: string;
  /** How many are left now (0: sold out). */
  readonly available: number;

  constructor(productId: string, available: number) {
    super(`only ${available} of ${productId} left`);
    this.productId = productId;
    this.available = available;
  }
}

/** The catalog's writes, inside a unit of work. */
export interface CatalogTx {
  /**
   * Takes `qty` of every tracked product off its stock, never below zero, with one conditional
   * update per line (`stock >= qty`), so that concurrent orders cannot oversell. A product without
   * stock tracking (stock null), or one the store does not hold (the caller checks its catalog), is
   * unlimited. A hidden product is not sold: it reads as sold out. A shortage throws
   * {@link StockShortage} and takes nothing, not even the lines before it (the unit then rolls back,
   * or goes on without the reservation if the caller catches it). A `qty` that is not a whole
   * number ≥ 1 is a caller bug: it throws a plain Error.
   */
  reserveStock(lines: readonly StockLine[]): void;
  /** Puts reserved stock back (a cancelled order), hidden products too; untracked and unknown products are left alone. */
  releaseStock(lines: readonly StockLine[]): void;
  /**
   * Records the edit in the catalog's log and applies it to the rows. An edit of a product the
   * store does not hold, a stock that is not a whole number ≥ 0, or a price that is not > 0 is a
   * caller bug: it throws, and the unit rolls back.
   */
  applyCatalogEdit(edit: CatalogEdit): void;
}

/** What the in-memory catalog is built from. */
export interface CatalogRows {
  readonly categories: readonly CategoryRow[];
  readonly products: readonly ProductRow[];
}

/** The catalog's reads. They see committed units only. */
export interface CatalogReads {
  /** Every category and product, hidden ones included, in the owner's order (position, then id): what the in-memory catalog is built from. */
  catalogRows(): CatalogRows;
  /**
   * Moves with every committed unit that edited the catalog or changed a stock, so a cache knows
   * when to rebuild; a unit that rolled back leaves it. Only meaningful within one process's life.
   */
  catalogVersion(): number;
  /** The edits, newest first. */
  catalogEdits(page?: PageRequest): Promise<Page<StoredCatalogEdit>>;
}
