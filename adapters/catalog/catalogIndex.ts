import type { Catalog, CatalogPageRequest, Category, Product } from "../../actors/catalog.port.ts";
import { pageBounds } from "../../actors/paging.ts";
import { searchWordsOf } from "../../actors/searchQuery.ts";
import type { Page } from "../../actors/store.port.ts";

/**
 * The catalog in memory, as the shop reads it: shelves in the owner's order, products by id and by
 * shelf, search and the consultant's text. Built from the catalog file (jsonCatalog.ts) or from the
 * store's rows (storeCatalog.ts); immutable once built.
 */

interface Indexed {
  readonly product: Product;
  readonly titleWords: readonly string[];
  readonly words: readonly string[];
}

/** Search words as the CRM makes them, with ё read as е (й stays itself). */
const foldedWords = (text: string): string[] => searchWordsOf(text).map((word) => word.replaceAll("ё", "е"));

const pageFrom = <T>(rows: readonly T[], request: CatalogPageRequest): Page<T> => {
  const { offset, limit } = pageBounds(request);
  return { items: rows.slice(offset, offset + limit), offset, limit, hasMore: rows.length > offset + limit };
};

const money = (product: Product): string => `${Number.isInteger(product.price) ? product.price : product.price.toFixed(2)} ${product.currency}`;

function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(" ");
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,.;:!?\uD800-\uDBFF-]+$/, "")}…`;
}

/** Below this a clipped description says nothing; the product line goes without one. */
const minDescription = 24;

function describeCatalog(categories: readonly Category[], byCategory: ReadonlyMap<string, readonly Product[]>, maxChars: number): string {
  const budget = Math.floor(maxChars);
  const lines = (descriptionMax: number): { readonly text: string; readonly products: number }[] =>
    categories.flatMap((category) => [
      { text: `[${category.emoji ? `${category.emoji} ` : ""}${category.title}]`, products: 0 },
      ...(byCategory.get(category.id) ?? []).map((p) => {
        const stock = p.stock === undefined ? "" : p.stock <= 0 ? " (out of stock)" : ` (${p.stock} left)`;
        const about = descriptionMax >= minDescription && p.description !== "" ? `: ${clip(p.description, descriptionMax)}` : "";
        return { text: `- ${p.title} — ${money(p)}${stock}${about}`, products: 1 };
      }),
    ]);
  const render = (descriptionMax: number): string => lines(descriptionMax).map((line) => line.text).join("\n");

  const longest = [...byCategory.values()].flat().reduce((max, p) => Math.max(max, p.description.length), 0);
  if (render(longest).length <= budget) return render(longest);
  let low = minDescription;
  let high = longest - 1;
  if (render(low).length <= budget) {
    while (low < high) {
      const mid = Math.ceil((low + high) / 2);
      if (render(mid).length <= budget) low = mid;
      else high = mid - 1;
    }
    return render(low);
  }
  if (render(0).length <= budget) return render(0);
  // Not even titles and prices fit: whole lines in order, then how many products were left out.
  const all = lines(0);
  const total = all.reduce((sum, line) => sum + line.products, 0);
  const more = (n: number) => `\n… and ${n} more products`;
  const reserve = more(total).length;
  const kept: { readonly text: string; readonly products: number }[] = [];
  let used = 0;
  for (const line of all) {
    const cost = line.text.length + (kept.length > 0 ? 1 : 0);
    if (used + cost + reserve > budget) break;
    kept.push(line);
    used += cost;
  }
  while (kept.length > 0 && kept.at(-1)?.products === 0) kept.pop();
  const shown = kept.reduce((sum, line) => sum + line.products, 0);
  const body = kept.map((line) => line.text).join("\n");
  const tail = shown < total ? (body === "" ? more(total - shown).slice(1) : more(total - shown)) : "";
  return (body + tail).length <= budget ? body + tail : body.length <= budget ? body : "";
}

/**
 * The catalog of these shelves and products, in the order given; a product of a shelf not given is
 * found by id and by search, and listed on no shelf. The search index is built at the first search.
 */
export function catalogOf(categories: readonly Category[], products: readonly Product[]): Catalog {
  const categoryById = new Map(categories.map((category) => [category.id, category]));
  const productById = new Map(products.map((product) => [product.id, product]));
  const byCategory = new Map<string, Product[]>(categories.map((category) => [category.id, []]));
  for (const product of products) byCategory.get(product.categoryId)?.push(product);
  let index: readonly Indexed[] | undefined;
  const indexed = (): readonly Indexed[] =>
    (index ??= products.map((product) => {
      const titleWords = foldedWords(product.title);
      return { product, titleWords, words: [...titleWords, ...foldedWords(product.description)] };
    }));

  return {
    categories: () => categories,
    category: (id) => categoryById.get(id),
    products: (categoryId, page) => pageFrom(byCategory.get(categoryId) ?? [], page),
    product: (id) => productById.get(id),
    search(query, page) {
      const terms = foldedWords(query.slice(0, 200));
      if (terms.length === 0) return pageFrom([], page);
      const hits: { readonly product: Product; readonly inTitle: number }[] = [];
      for (const entry of indexed()) {
        const starts = (words: readonly string[], term: string) => words.some((word) => word.startsWith(term));
        if (!terms.every((term) => starts(entry.words, term))) continue;
        hits.push({ product: entry.product, inTitle: terms.filter((term) => starts(entry.titleWords, term)).length });
      }
      hits.sort((a, b) => b.inTitle - a.inTitle);
      return pageFrom(hits.map((hit) => hit.product), page);
    },
    describe: (maxChars) => describeCatalog(categories, byCategory, maxChars),
  };
}
