import { InlineKeyboard } from "grammy";
import type { CatalogRows, CategoryRow, ProductRow } from "../../../actors/catalogStore.port.ts";
import type { Page } from "../../../actors/store.port.ts";
import type { CatalogEditContext, EditError, EditValue, ProductField } from "../../../machines/catalogEdit.types.ts";
import { catalogLimits } from "../../../machines/catalogEdit.input.ts";
import type { ApplyFailure, ImportCounts } from "../../../machines/catalogImport.types.ts";
import type { ImportProblem } from "../../catalog/catalogImportPlan.ts";
import { clip, escapeHtml, formatMoney } from "../format.ts";
import { pageNumber, pager, type Screen, type View } from "../screen.ts";
import { ownerButtons as b } from "./ownerButtons.ts";

/**
 * The owner's catalog screens, as pure functions of the rows they show: the shelves, a shelf's
 * products, a product's card, and the edit flow's prompts and confirmations. Everything the owner
 * or a file wrote is escaped here.
 */

export const categoriesPerPage = 10;
export const productsPerPage = 8;

const money = (view: View, amount: number, currency: string): string => formatMoney(amount, currency, view.locale);
const categoryLabel = (category: Pick<CategoryRow, "emoji" | "title">): string => `${category.emoji ? `${category.emoji} ` : ""}${category.title}`;
const stockText = (view: View, stock: number | undefined): string => (stock === undefined ? view.t("catalog-stock-untracked") : String(stock));

const withNotice = (notice: string | undefined, text: string): string => (notice ? `${notice}\n\n${text}` : text);

/** The catalog's shelves, a page of them, with their product counts; and adding a shelf, importing a file. */
export function catalogHomeScreen(view: View, rows: CatalogRows, offset: number, notice?: string): Screen {
  const keyboard = new InlineKeyboard();
  const shown = rows.products.filter((product) => !product.hidden).length;
  const page: Page<CategoryRow> = { items: rows.categories.slice(offset, offset + categoriesPerPage), offset, limit: categoriesPerPage, hasMore: rows.categories.length > offset + categoriesPerPage };
  for (const category of page.items) {
    const count = rows.products.filter((product) => product.categoryId === category.id).length;
    keyboard.text(`${clip(categoryLabel(category), 40)} (${count})`, b.encode("ccat", category.id, 0)).row();
  }
  pager(keyboard, view, page, (at) => b.encode("cat", at));
  keyboard.text(view.t("btn-catalog-new-category"), b.encode("cnewc")).text(view.t("btn-catalog-import"), b.encode("cimp")).row();
  keyboard.text(view.t("btn-menu"), b.encode("menu"));
  const text = view.t("catalog-title", { categories: rows.categories.length, products: rows.products.length, hidden: rows.products.length - shown });
  return { text: withNotice(notice, rows.categories.length === 0 ? `${text}\n\n${view.t("catalog-empty")}` : text), keyboard };
}

/** One shelf: a page of its products (👁 shown, 🙈 hidden) with price and stock, and what can be done with the shelf. */
export function categoryScreen(view: View, category: CategoryRow, products: readonly ProductRow[], offset: number, notice?: string): Screen {
  const keyboard = new InlineKeyboard();
  const page: Page<ProductRow> = { items: products.slice(offset, offset + productsPerPage), offset, limit: productsPerPage, hasMore: products.length > offset + productsPerPage };
  for (const product of page.items) {
    const stock = product.stock === undefined ? "" : ` · ${product.stock}`;
    keyboard.text(`${product.hidden ? "🙈" : "👁"} ${clip(product.title, 32)} · ${money(view, product.price, product.currency)}${stock}`, b.encode("cprod", product.id)).row();
  }
  pager(keyboard, view, page, (at) => b.encode("ccat", category.id, at));
  keyboard.text(view.t("btn-catalog-new-product"), b.encode("cnewp", category.id)).text(view.t("btn-catalog-rename"), b.encode("cren", category.id)).row();
  keyboard.text(view.t("btn-catalog-up"), b.encode("cmove", category.id, true)).text(view.t("btn-catalog-down"), b.encode("cmove", category.id, false)).row();
  keyboard.text(view.t("btn-catalog-back"), b.encode("cat", 0));
  const title = view.t("catalog-category-title", { name: escapeHtml(categoryLabel(category)), id: category.id, count: products.length, page: pageNumber(page) });
  return { text: withNotice(notice, products.length === 0 ? `${title}\n\n${view.t("catalog-category-empty")}` : title), keyboard };
}

/** A product as the owner edits it: every field, and a button for each. */
export function productScreen(view: View, product: ProductRow, category: CategoryRow | undefined, notice?: string): Screen {
  const keyboard = new InlineKeyboard()
    .text(view.t("btn-catalog-title"), b.encode("cedit", product.id, "title"))
    .text(view.t("btn-catalog-description"), b.encode("cedit", product.id, "description"))
    .row()
    .text(view.t("btn-catalog-price"), b.encode("cedit", product.id, "price"))
    .text(view.t("btn-catalog-stock"), b.encode("cedit", product.id, "stock"))
    .row()
    .text(view.t("btn-catalog-photo"), b.encode("cedit", product.id, "photo"))
    .text(view.t(product.hidden ? "btn-catalog-show" : "btn-catalog-hide"), b.encode("chide", product.id, !product.hidden))
    .row()
    .text(view.t("btn-catalog-to-category"), b.encode("ccat", product.categoryId, 0));
  const text = view.t("catalog-product", {
    mark: product.hidden ? "🙈" : "👁",
    title: escapeHtml(product.title),
    id: product.id,
    category: escapeHtml(category ? categoryLabel(category) : product.categoryId),
    description: product.description === "" ? view.t("none") : escapeHtml(product.description),
    price: money(view, product.price, product.currency),
    stock: stockText(view, product.stock),
    photo: view.t(product.photo === undefined ? "catalog-photo-none" : "catalog-photo-set"),
    visibility: view.t(product.hidden ? "catalog-hidden" : "catalog-shown"),
  });
  return { text: withNotice(notice, text), keyboard };
}

/** What the edit is about, as the prompts and confirmations name it (escaped). */
export interface EditSubject {
  readonly product: ProductRow | undefined;
  readonly category: CategoryRow | undefined;
}

const editOnly: ReadonlySet<string> = new Set(["photo_expected", "text_expected", "id_taken"]);

/** The sentence for why a value (typed, or in a file's cell) was refused. */
export function refusalText(view: View, error: EditError): string {
  switch (error.code) {
    case "too_long":
      return view.t("catv-too_long", { max: error.max, length: error.length });
    case "failed":
      return view.t(`cate-failed-${error.reason}`);
    default:
      return view.t(editOnly.has(error.code) ? `cate-${error.code}` : `catv-${error.code}`);
  }
}

const fieldLimit: Readonly<Record<ProductField | "categoryTitle" | "id", number>> = {
  title: catalogLimits.title,
  description: catalogLimits.description,
  price: 0,
  stock: 0,
  photo: 0,
  categoryTitle: catalogLimits.categoryTitle,
  id: 24,
};

/** The question the edit asks now, with what is there now; and ✖️. */
export function editPromptScreen(view: View, edit: CatalogEditContext, subject: EditSubject, currency: string): Screen {
  const { product, category } = subject;
  const field = edit.field ?? "title";
  const newProduct = edit.target?.kind === "newProduct";
  const key = edit.target?.kind === "newCategory" ? "catalog-ask-new-category" : edit.target?.kind === "category" ? "catalog-ask-category" : newProduct ? `catalog-ask-new-${field}` : `catalog-ask-${field}`;
  const prompt = view.t(key, {
    title: escapeHtml(newProduct ? (edit.draft.title ?? "") : (product?.title ?? "")),
    id: escapeHtml(edit.draft.id ?? ""),
    category: escapeHtml(category ? categoryLabel(category) : ""),
    now: escapeHtml(nowValue(view, field, product, category, currency)),
    max: fieldLimit[field],
  });
  const error = edit.error ? refusalText(view, edit.error) : undefined;
  return { text: withNotice(error, prompt), keyboard: new InlineKeyboard().text(view.t("btn-cancel"), b.encode("ccan")) };
}

function nowValue(view: View, field: string, product: ProductRow | undefined, category: CategoryRow | undefined, currency: string): string {
  if (field === "categoryTitle") return category?.title ?? "";
  if (!product) return "";
  if (field === "price") return money(view, product.price, product.currency || currency);
  if (field === "stock") return stockText(view, product.stock);
  if (field === "description") return product.description === "" ? view.t("none") : clip(product.description, 200);
  if (field === "photo") return view.t(product.photo === undefined ? "catalog-photo-none" : "catalog-photo-set");
  return product.title;
}

function valueText(view: View, value: EditValue, currency: string): string {
  switch (value.field) {
    case "price":
      return money(view, value.price, currency);
    case "stock":
      return stockText(view, value.stock ?? undefined);
    case "photo":
      return view.t(value.fileId === null ? "catalog-photo-none" : "catalog-photo-new");
    default:
      return value.text === "" ? view.t("none") : clip(value.text, 300);
  }
}

/** The checked value, before and after, waiting for ✅; or why the last save failed. */
export function editConfirmScreen(view: View, edit: CatalogEditContext, subject: EditSubject, currency: string): Screen {
  const { product, category } = subject;
  const value = edit.value;
  const keyboard = new InlineKeyboard().text(view.t("btn-catalog-save"), b.encode("cok")).text(view.t("btn-cancel"), b.encode("ccan"));
  const after = value ? escapeHtml(valueText(view, value, product?.currency ?? currency)) : "";
  let text: string;
  if (edit.target?.kind === "newProduct") {
    text = view.t("catalog-confirm-new-product", { title: escapeHtml(edit.draft.title ?? ""), id: escapeHtml(edit.draft.id ?? ""), price: after, category: escapeHtml(category ? categoryLabel(category) : "") });
  } else if (edit.target?.kind === "newCategory") {
    text = view.t("catalog-confirm-new-category", { title: after });
  } else if (edit.target?.kind === "category") {
    text = view.t("catalog-confirm-change", { label: view.t("catalog-label-categoryTitle"), name: escapeHtml(category?.title ?? ""), before: escapeHtml(category?.title ?? ""), after });
  } else {
    const field = edit.field ?? "title";
    const before = escapeHtml(nowValue(view, field, product, category, currency));
    text = view.t("catalog-confirm-change", { label: view.t(`catalog-label-${field}`), name: escapeHtml(product?.title ?? ""), before, after });
  }
  const error = edit.error ? refusalText(view, edit.error) : undefined;
  return { text: withNotice(error, text), keyboard };
}

/** Where an import problem is: the row and column of a CSV, the path in a JSON file, or nothing for the whole file. */
function placeOf(view: View, place: ImportProblem["place"]): string {
  if (place.kind === "row") return place.column === null ? view.t("imp-at-row", { row: place.row }) : view.t("imp-at-cell", { row: place.row, column: escapeHtml(clip(place.column, 40)) });
  if (place.kind === "json") return `<code>${escapeHtml(clip(place.path, 60))}</code>`;
  return "";
}

const fieldCodes: ReadonlySet<string> = new Set(["empty", "too_long", "not_id", "price_not_number", "price_not_positive", "price_decimals", "price_too_large", "stock_not_whole", "stock_negative", "stock_too_large", "photo_invalid"]);

/** One problem of a file as a line: where, and what is wrong, with the values it names escaped. */
export function problemLine(view: View, problem: ImportProblem): string {
  const params = Object.fromEntries(Object.entries(problem.params).map(([key, value]) => [key, typeof value === "string" ? escapeHtml(value) : value]));
  const what = fieldCodes.has(problem.code) ? view.t(`catv-${problem.code}`, params) : view.t(`imp-${problem.code}`, params);
  const where = placeOf(view, problem.place);
  return `• ${where === "" ? what : `${where}: ${what}`}`;
}

/** Telegram's 4,096 characters, less room for the heading and the tail. */
const problemsBudget = 3_400;

/** Why a file is refused: its problems, as many as fit, and how many more there are; nothing was applied. */
export function importProblemsScreen(view: View, name: string, problems: readonly ImportProblem[], total: number): Screen {
  const lines: string[] = [];
  let used = 0;
  for (const problem of problems) {
    const line = problemLine(view, problem);
    if (used + line.length > problemsBudget) break;
    lines.push(line);
    used += line.length + 1;
  }
  const more = total - lines.length;
  const text = [view.t("catalog-import-refused", { name: escapeHtml(clip(name, 60)), total }), "", ...lines, ...(more > 0 ? [view.t("catalog-import-more", { count: more })] : []), "", view.t("catalog-import-nothing")];
  return { text: text.join("\n"), keyboard: new InlineKeyboard().text(view.t("btn-catalog-back"), b.encode("cat", 0)) };
}

/** What to send, and `CATALOG_PATH` to import again when there is one. */
export function importPromptScreen(view: View, limits: { readonly kb: number; readonly rows: number }, seedName: string | null): Screen {
  const keyboard = new InlineKeyboard();
  if (seedName !== null) keyboard.text(view.t("btn-catalog-seed", { name: clip(seedName, 40) }), b.encode("cseed")).row();
  keyboard.text(view.t("btn-catalog-back"), b.encode("cat", 0));
  return { text: view.t("catalog-import-prompt", limits), keyboard };
}

/** The counts of an import as one line each: new, changed, hidden, shown, unchanged; new and renamed shelves. */
export function countsText(view: View, counts: ImportCounts): string {
  const ids = counts.newCategoryIds.map((id) => escapeHtml(id)).join(", ");
  return [
    view.t("catalog-import-counts", { new: counts.newProducts, changed: counts.changedProducts, hidden: counts.hiddenProducts, shown: counts.shownProducts, unchanged: counts.unchangedProducts }),
    ...(counts.newCategories > 0 ? [view.t("catalog-import-new-categories", { count: counts.newCategories, ids: counts.newCategories > counts.newCategoryIds.length ? `${ids}, …` : ids })] : []),
    ...(counts.changedCategories > 0 ? [view.t("catalog-import-changed-categories", { count: counts.changedCategories })] : []),
  ].join("\n");
}

/** An import's preview, waiting for ✅; or the new one, when the catalog changed since; or why applying failed. */
export function importPreviewScreen(view: View, name: string, state: { readonly counts: ImportCounts; readonly changed: boolean; readonly error: ApplyFailure | null }): Screen {
  const heading = view.t(state.changed ? "catalog-import-changed" : "catalog-import-preview", { name: escapeHtml(clip(name, 60)) });
  const error = state.error ? view.t(`catalog-import-failed-${state.error}`) : undefined;
  const keyboard = new InlineKeyboard().text(view.t("btn-catalog-apply"), b.encode("ciok")).text(view.t("btn-cancel"), b.encode("cican"));
  return { text: withNotice(error, `${heading}\n\n${countsText(view, state.counts)}\n\n${view.t("catalog-import-confirm")}`), keyboard };
}
