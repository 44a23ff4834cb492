import type { Page } from "./store.port.ts";

/**
 * The catalog port: what the shop bot, the cart and the AI consultant read about the goods, and
 * nothing about where they come from. adapters/catalog/jsonCatalog.ts builds one from a JSON file.
 * A catalog is immutable once built: to change the goods, build a new one.
 */

/** A shelf of the shop. Its id goes into Telegram callback_data, so it is a short safe token. */
export interface Category {
  readonly id: string;
  readonly title: string;
  readonly emoji?: string;
}

/** A product as the shop shows and sells it; an order copies its title and price when placed. */
export interface Product {
  /** A short safe token (`[A-Za-z0-9_-]{1,24}`): it goes into callback_data. */
  readonly id: string;
  readonly categoryId: string;
  readonly title: string;
  readonly description: string;
  readonly price: number;
  /** ISO 4217, e.g. `RUB`; the same for every product of a catalog, so a cart can add prices. */
  readonly currency: string;
  /** An https URL, a Telegram file_id, or the absolute path of a picture file that the bot uploads once. */
  readonly photo?: string;
  /** undefined = not tracked (always available); 0 = out of stock */
  readonly stock?: number;
}

/** What a screen asks for: `limit` is clamped to 1–100, as in `pageBounds`. */
export interface CatalogPageRequest {
  readonly offset: number;
  readonly limit: number;
}

export interface Catalog {
  /** In the owner's order. */
  categories(): readonly Category[];
  category(id: string): Category | undefined;
  /** A category's products in the owner's order; an unknown category is an empty page. */
  products(categoryId: string, page: CatalogPageRequest): Page<Product>;
  product(id: string): Product | undefined;
  /**
   * Free text over titles and descriptions: every word of the query must start a word of the
   * product (case-folded, ё = е, Latin diacritics ignored). Title matches rank first, then the
   * owner's order. A blank query is an empty page.
   */
  search(query: string, page: CatalogPageRequest): Page<Product>;
  /** Compact text of the catalog for an AI consultant's context, within maxChars. */
  describe(maxChars: number): string;
}

/** Whether `wantedQty` of a product can be sold now, or how many can. */
export type Availability = "ok" | "out_of_stock" | { readonly limitedTo: number };

/**
 * Checks a wanted quantity against a product's stock, so that the cart and checkout agree on what
 * "in stock" means: untracked stock is always enough, 0 is out of stock, less than wanted limits.
 *
 * @example
 * availability({ stock: 2 }, 5) // => { limitedTo: 2 }
 */
export function availability(product: Pick<Product, "stock">, wantedQty: number): Availability {
  const { stock } = product;
  if (stock === undefined) return "ok";
  if (stock <= 0) return "out_of_stock";
  return wantedQty <= stock ? "ok" : { limitedTo: stock };
}
