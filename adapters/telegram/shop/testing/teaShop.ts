/**
 * A small tea shop as a catalog document (docs/catalog.md), for tests that seed the store's
 * catalog: an untracked product, one with a single unit left, and one with a few.
 */
export const teaShop = {
  categories: [{ id: "tea", emoji: "🍵", title: "Чай" }],
  products: [
    { id: "sencha", categoryId: "tea", title: "Сенча", description: "Японский зелёный чай.", price: 590, currency: "RUB" },
    { id: "puer", categoryId: "tea", title: "Шу пуэр", description: "Землистый, плотный.", price: 990, currency: "RUB", stock: 1 },
    { id: "oolong", categoryId: "tea", title: "Те Гуань Инь", description: "Светлый улун.", price: 1190, currency: "RUB", stock: 3 },
  ],
};
