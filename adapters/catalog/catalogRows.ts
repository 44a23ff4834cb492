import type { CatalogChange, CatalogRows, CategoryRow, ProductRow, StockLine } from "../../actors/catalogStore.port.ts";

/**
 * The catalog's rows as both stores keep them, and the checks both make before they change them,
 * so that a bad edit or a bad quantity fails the same way in each (the store contract holds them to it).
 */

/** A `qty` of a reservation or a release: a whole number ≥ 1; anything else is a caller bug. */
export function checkStockLines(lines: readonly StockLine[]): void {
  for (const line of lines) {
    if (!Number.isSafeInteger(line.qty) || line.qty < 1) throw new Error(`a stock line's qty is a whole number ≥ 1, got ${String(line.qty)} for ${line.productId}`);
  }
}

const checkStock = (stock: number | null | undefined, productId: string): void => {
  if (stock !== null && stock !== undefined && (!Number.isSafeInteger(stock) || stock < 0)) {
    throw new Error(`the stock of ${productId} is a whole number ≥ 0 or not tracked, got ${String(stock)}`);
  }
};
const checkPrice = (price: number, productId: string): void => {
  if (!Number.isFinite(price) || price <= 0) throw new Error(`the price of ${productId} is a number > 0, got ${String(price)}`);
};

/** Refuses values no row may hold (a negative stock, a price ≤ 0); which product exists is the store's to check. */
export function checkChange(change: CatalogChange): void {
  switch (change.type) {
    case "product_saved":
      checkPrice(change.product.price, change.product.id);
      checkStock(change.product.stock, change.product.id);
      return;
    case "stock_set":
      checkStock(change.stock, change.productId);
      return;
    case "price_set":
      checkPrice(change.price, change.productId);
      return;
    default:
      return;
  }
}

/** The product a change names, when it changes one that must already be stored. */
export function editedProduct(change: CatalogChange): string | null {
  return change.type === "category_saved" || change.type === "product_saved" ? null : change.productId;
}

/** A product row with `stock` and `photo` left out when not set, as `Product` has them. */
export function productRow(product: ProductRow): ProductRow {
  const { stock, photo, ...rest } = product;
  return { ...rest, ...(photo === undefined || photo === null ? {} : { photo }), ...(stock === undefined || stock === null ? {} : { stock }) };
}

export function categoryRow(category: CategoryRow): CategoryRow {
  const { emoji, ...rest } = category;
  return { ...rest, ...(emoji === undefined || emoji === null ? {} : { emoji }) };
}

const byPosition = <T extends { readonly id: string; readonly position: number }>(a: T, b: T): number => a.position - b.position || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** The catalog in memory: what the JSON store holds, changed by the same edits as SQLite's rows. */
export interface CatalogState {
  readonly categories: Map<string, CategoryRow>;
  readonly products: Map<string, ProductRow>;
}

export const emptyCatalog = (): CatalogState => ({ categories: new Map(), products: new Map() });

/** Applies a checked change; a change of a product not held throws. */
export function applyChange(state: CatalogState, change: CatalogChange): void {
  if (change.type === "category_saved") {
    state.categories.set(change.category.id, categoryRow(change.category));
    return;
  }
  if (change.type === "product_saved") {
    state.products.set(change.product.id, productRow(change.product));
    return;
  }
  const product = state.products.get(change.productId);
  if (!product) throw new Error(`product ${change.productId} is not in the catalog`);
  const next: ProductRow =
    change.type === "product_hidden"
      ? { ...product, hidden: change.hidden }
      : change.type === "stock_set"
        ? { ...product, stock: change.stock ?? undefined }
        : change.type === "price_set"
          ? { ...product, price: change.price }
          : { ...product, photo: change.photo ?? undefined };
  state.products.set(product.id, productRow(next));
}

export function rowsOf(state: CatalogState): CatalogRows {
  return { categories: [...state.categories.values()].sort(byPosition), products: [...state.products.values()].sort(byPosition) };
}
