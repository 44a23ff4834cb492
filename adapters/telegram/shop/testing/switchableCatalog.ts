import type { Catalog } from "../../../../actors/catalog.port.ts";
import { catalogFromJson } from "../../../catalog/jsonCatalog.ts";

/** A catalog whose contents a test can replace while the bot runs, as an owner editing the file would. */
export function switchableCatalog(initial: unknown) {
  let current = catalogFromJson(initial, "test-catalog.json");
  const catalog: Catalog = {
    categories: () => current.categories(),
    category: (id) => current.category(id),
    products: (categoryId, page) => current.products(categoryId, page),
    product: (id) => current.product(id),
    search: (query, page) => current.search(query, page),
    describe: (maxChars) => current.describe(maxChars),
  };
  return {
    catalog,
    replace(next: unknown): void {
      current = catalogFromJson(next, "test-catalog.json");
    },
  };
}

/** A small shop: one category, a tracked product with little stock, one sold out, one with a photo. */
export const smallShop = {
  categories: [{ id: "tea", emoji: "🍵", title: "Чай" }],
  products: [
    { id: "sencha", categoryId: "tea", title: "Сенча", description: "Японский зелёный чай.", price: 590, currency: "RUB" },
    { id: "puer", categoryId: "tea", title: "Шу пуэр", description: "Землистый, плотный.", price: 990, currency: "RUB", stock: 1 },
    { id: "gyokuro", categoryId: "tea", title: "Гёкуро", description: "Теневой чай.", price: 2490, currency: "RUB", stock: 0 },
    { id: "matcha", categoryId: "tea", title: "Матча", description: "Порошковый чай.", price: 1290, currency: "RUB", photo: "https://example.com/matcha.jpg" },
  ],
};
