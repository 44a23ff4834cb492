import type { CatalogChange, CatalogEdit, CatalogEditor, CatalogRows, ProductRow } from "../../actors/catalogStore.port.ts";
import type { ImportPreview, ProductInput, Scope } from "./catalogImportPlan.ts";

/**
 * The last step of planning an import (catalogImportPlan.ts): the checked products of a file as
 * the fewest catalog edits that make the store's catalog what the file says, and how many products
 * each kind of change touches, for the preview.
 */

/** The edits that make the stored catalog what the file says, and how many products each kind of change touches. */
export function editsOf(scope: Scope, rows: CatalogRows, inputs: readonly ProductInput[], by: CatalogEditor, at: number): { edits: CatalogEdit[]; preview: ImportPreview } {
  const changes: CatalogChange[] = [];
  let nextCategory = Math.max(-1, ...rows.categories.map((category) => category.position)) + 1;
  const newCategories: string[] = [];
  let changedCategories = 0;
  for (const [id, category] of scope.added) {
    const stored = scope.categories.get(id);
    if (stored) changedCategories += 1;
    else newCategories.push(id);
    changes.push({ type: "category_saved", category: { id, title: category.title, ...(category.emoji !== undefined ? { emoji: category.emoji } : {}), position: stored?.position ?? nextCategory++ } });
  }
  const nextPosition = new Map<string, number>();
  for (const product of rows.products) nextPosition.set(product.categoryId, Math.max(nextPosition.get(product.categoryId) ?? 0, product.position + 1));
  const counts = { newProducts: 0, changedProducts: 0, hiddenProducts: 0, shownProducts: 0, unchangedProducts: 0 };
  for (const input of inputs) {
    const current = scope.stored.get(input.id);
    if (!current) {
      const position = nextPosition.get(input.categoryId) ?? 0;
      nextPosition.set(input.categoryId, position + 1);
      changes.push({ type: "product_saved", product: newRow(input, scope.currency, position) });
      counts.newProducts += 1;
      continue;
    }
    const productChanges = changesOf(current, input);
    changes.push(...productChanges);
    const hiddenMove = input.hidden !== undefined && input.hidden !== current.hidden;
    if (hiddenMove) counts[input.hidden ? "hiddenProducts" : "shownProducts"] += 1;
    else counts[productChanges.length > 0 ? "changedProducts" : "unchangedProducts"] += 1;
  }
  return { edits: changes.map((change) => ({ by, at, change })), preview: { ...counts, newCategories, changedCategories } };
}

function newRow(input: ProductInput, currency: string, position: number): ProductRow {
  return {
    id: input.id,
    categoryId: input.categoryId,
    title: input.title,
    description: input.description ?? "",
    price: input.price,
    currency,
    ...(input.stock === null || input.stock === undefined ? {} : { stock: input.stock }),
    ...(input.photo === null || input.photo === undefined ? {} : { photo: input.photo }),
    hidden: input.hidden ?? false,
    position,
  };
}

/** A stored product's changes: one `product_saved` when its words change, otherwise one edit per field. */
function changesOf(current: ProductRow, input: ProductInput): CatalogChange[] {
  const description = input.description ?? current.description;
  const stock = input.stock === undefined ? (current.stock ?? null) : input.stock;
  const photo = input.photo === undefined ? (current.photo ?? null) : input.photo;
  const hidden = input.hidden ?? current.hidden;
  if (input.title !== current.title || description !== current.description) {
    const { stock: _stock, photo: _photo, ...rest } = current;
    return [{ type: "product_saved", product: { ...rest, title: input.title, description, price: input.price, hidden, ...(stock === null ? {} : { stock }), ...(photo === null ? {} : { photo }) } }];
  }
  const changes: CatalogChange[] = [];
  if (input.price !== current.price) changes.push({ type: "price_set", productId: current.id, price: input.price });
  if (stock !== (current.stock ?? null)) changes.push({ type: "stock_set", productId: current.id, stock });
  if (photo !== (current.photo ?? null)) changes.push({ type: "photo_set", productId: current.id, photo });
  if (hidden !== current.hidden) changes.push({ type: "product_hidden", productId: current.id, hidden });
  return changes;
}
