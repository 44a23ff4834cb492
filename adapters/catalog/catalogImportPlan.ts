import { isAbsolute } from "node:path";
import { editsOf } from "./catalogImportEdits.ts";
import type { CatalogEdit, CatalogEditor, CatalogRows, CategoryRow, ProductRow } from "../../actors/catalogStore.port.ts";
import {
  catalogLimits,
  checkDescription,
  checkId,
  checkPhotoReference,
  checkPrice,
  checkPriceNumber,
  checkStock,
  checkStockNumber,
  checkTitle,
  meansNone,
  type Checked,
  type FieldError,
} from "../../machines/catalogEdit.input.ts";

/**
 * The second half of an import (catalogImport.ts reads the document): every product of the file
 * checked by the catalog's rules (machines/catalogEdit.input.ts) and against the catalog in the
 * store, then the difference as catalog edits and a preview of them. Pure: the same rows and file
 * give the same plan, so the plan is made again, inside the unit of work, when the owner confirms.
 */

/** Where a problem is: the whole file, a CSV row (as numbered by a spreadsheet: the header is row 1) and column, or a JSON path. */
export type ImportPlace = { readonly kind: "file" } | { readonly kind: "row"; readonly row: number; readonly column: string | null } | { readonly kind: "json"; readonly path: string };

/** What is wrong, as a code the owner bot words in the owner's language, with the values it names. */
export type ImportProblemCode =
  | FieldError["code"]
  | "file_too_large"
  | "file_unavailable"
  | "seed_invalid"
  | "file_empty"
  | "file_encoding"
  | "file_format"
  | "too_many_rows"
  | "no_rows"
  | "csv_quote"
  | "csv_row_too_long"
  | "csv_malformed"
  | "cells_count"
  | "missing_column"
  | "unknown_column"
  | "duplicate_column"
  | "json_malformed"
  | "json_shape"
  | "required"
  | "unknown_field"
  | "expected_text"
  | "expected_number"
  | "expected_boolean"
  | "duplicate_id"
  | "category_unknown"
  | "category_moved"
  | "currency_other"
  | "currency_format"
  | "hidden_invalid";

export interface ImportProblem {
  readonly place: ImportPlace;
  readonly code: ImportProblemCode;
  readonly params: Readonly<Record<string, string | number>>;
}

/** The columns of a CSV, and the fields of a JSON product under the same names (`category` is JSON's `categoryId`). */
export const importColumns = ["id", "category", "title", "description", "price", "currency", "stock", "photo", "hidden"] as const;
export type ImportColumn = (typeof importColumns)[number];
export const requiredColumns: readonly ImportColumn[] = ["id", "category", "title", "price"];
/** A JSON product is written whole, as in the catalog file: these too are required. */
const requiredJsonFields: readonly ImportColumn[] = [...requiredColumns, "description", "currency"];

/** A value as the document holds it: a CSV cell's text, or a JSON value. */
export type RawValue = { readonly from: "csv"; readonly text: string } | { readonly from: "json"; readonly value: unknown };

export interface RawProduct {
  readonly place: (column: ImportColumn | null) => ImportPlace;
  /** A field the document does not give is absent: a CSV without the column (left as it is) or a JSON field left out (none). */
  readonly fields: ReadonlyMap<ImportColumn, RawValue>;
}

export interface RawCategory {
  readonly place: (field: "id" | "title" | "emoji" | null) => ImportPlace;
  readonly id: unknown;
  readonly title: unknown;
  readonly emoji: unknown;
}

/** A read document: its products and (JSON only) categories, or the problems that stopped the reading. */
export interface ReadDocument {
  readonly format: "csv" | "json";
  readonly products: readonly RawProduct[];
  readonly categories: readonly RawCategory[];
  readonly problems: readonly ImportProblem[];
}

/** What an import would do, for the owner's ✅. Each product counts once: new, hidden, shown, changed or unchanged. */
export interface ImportPreview {
  readonly newProducts: number;
  readonly changedProducts: number;
  readonly hiddenProducts: number;
  readonly shownProducts: number;
  readonly unchangedProducts: number;
  /** The ids of the categories the import adds. */
  readonly newCategories: readonly string[];
  readonly changedCategories: number;
}

export type ImportPlan =
  /** `problems` holds the first ones (200), `total` counts them all. */
  | { readonly ok: false; readonly format: "csv" | "json" | null; readonly problems: readonly ImportProblem[]; readonly total: number }
  | { readonly ok: true; readonly format: "csv" | "json"; readonly edits: readonly CatalogEdit[]; readonly preview: ImportPreview };

/** A product of the file, checked; `undefined` leaves a stored product's field as it is. */
export interface ProductInput {
  readonly id: string;
  readonly categoryId: string;
  readonly title: string;
  readonly price: number;
  readonly description: string | undefined;
  readonly stock: number | null | undefined;
  readonly photo: string | null | undefined;
  readonly hidden: boolean | undefined;
}

/** Problems found so far; only the first `kept` are held, all are counted. */
export class Problems {
  readonly list: ImportProblem[] = [];
  count = 0;
  private readonly kept: number;
  constructor(kept = 200) {
    this.kept = kept;
  }
  add(place: ImportPlace, code: ImportProblemCode, params: Record<string, string | number> = {}): void {
    this.count += 1;
    if (this.list.length < this.kept) this.list.push({ place, code, params });
  }
}

const quoted = (value: string): string => (value.length > 40 ? `${value.slice(0, 40)}…` : value);

const gotOf = (value: unknown): string => (value === null ? "null" : Array.isArray(value) ? "a list" : typeof value === "string" ? `"${quoted(value)}"` : typeof value === "object" ? "an object" : String(value));

/** A checked field, or its problem added and undefined. */
function take<T>(problems: Problems, place: ImportPlace, checked: Checked<T>): T | undefined {
  if (checked.ok) return checked.value;
  const { code, ...params } = checked.error;
  problems.add(place, code, params);
  return undefined;
}

/** Text from a CSV cell or a JSON string; a JSON value of another type is a problem. */
function textOf(problems: Problems, place: ImportPlace, raw: RawValue): string | undefined {
  if (raw.from === "csv") return raw.text;
  if (typeof raw.value === "string") return raw.value;
  problems.add(place, "expected_text", { got: gotOf(raw.value) });
  return undefined;
}

function numberOf(problems: Problems, place: ImportPlace, raw: RawValue, fromText: (text: string) => Checked<number | null>, fromNumber: (n: number) => Checked<number>): number | null | undefined {
  if (raw.from === "csv") return take(problems, place, fromText(raw.text));
  if (typeof raw.value === "number") return take(problems, place, fromNumber(raw.value));
  problems.add(place, "expected_number", { got: gotOf(raw.value) });
  return undefined;
}

const yes = new Set(["yes", "y", "true", "1", "да", "hidden", "скрыт", "скрыть"]);
const no = new Set(["", "no", "n", "false", "0", "нет", "shown", "показан"]);

function hiddenOf(problems: Problems, place: ImportPlace, raw: RawValue): boolean | undefined {
  if (raw.from === "json") {
    if (typeof raw.value === "boolean") return raw.value;
    problems.add(place, "expected_boolean", { got: gotOf(raw.value) });
    return undefined;
  }
  const word = raw.text.trim().toLocaleLowerCase();
  if (yes.has(word)) return true;
  if (no.has(word)) return false;
  problems.add(place, "hidden_invalid", { got: quoted(raw.text) });
  return undefined;
}

/** The catalog as the import sees it, and what it learns from the file as it goes. */
export interface Scope {
  readonly problems: Problems;
  readonly stored: ReadonlyMap<string, ProductRow>;
  readonly categories: ReadonlyMap<string, CategoryRow>;
  /** Categories the file adds, by id: a JSON category, or a new id in a CSV's `category` column. */
  readonly added: Map<string, { readonly title: string; readonly emoji?: string }>;
  /** The catalog's one currency: the stored products', or else the shop's. */
  readonly currency: string;
  /** The seed's picture files (absolute paths, checked when the file was read) are photos too. */
  readonly photoFiles: boolean;
}

function categoryOf(scope: Scope, raw: RawProduct, value: RawValue): string | undefined {
  const place = raw.place("category");
  const text = textOf(scope.problems, place, value)?.trim();
  if (text === undefined) return undefined;
  if (text === "") {
    scope.problems.add(place, "required");
    return undefined;
  }
  if (scope.categories.has(text) || scope.added.has(text)) return text;
  const byTitle = [...scope.categories.values()].find((category) => category.title.toLocaleLowerCase() === text.toLocaleLowerCase());
  if (byTitle) return byTitle.id;
  if (value.from === "csv" && checkId(text).ok) {
    scope.added.set(text, { title: text });
    return text;
  }
  const known = [...scope.categories.keys(), ...scope.added.keys()].slice(0, 10).join(", ");
  scope.problems.add(place, "category_unknown", { category: quoted(text), known: known || "—" });
  return undefined;
}

function currencyOf(scope: Scope, raw: RawProduct): void {
  const value = raw.fields.get("currency");
  if (value === undefined) return;
  const place = raw.place("currency");
  const text = textOf(scope.problems, place, value)?.trim();
  if (text === undefined || (text === "" && value.from === "csv")) return;
  if (!/^[A-Z]{3}$/.test(text)) scope.problems.add(place, "currency_format", { got: quoted(text) });
  else if (text !== scope.currency) scope.problems.add(place, "currency_other", { expected: scope.currency, got: text });
}

function photoOf(scope: Scope, raw: RawProduct, id: string | undefined): string | null | undefined {
  const value = raw.fields.get("photo");
  if (value === undefined) return raw.fields.get("id")?.from === "json" ? null : undefined;
  const text = textOf(scope.problems, raw.place("photo"), value)?.trim();
  if (text === undefined) return undefined;
  if (text === "" || meansNone(text)) return null;
  if (id !== undefined && scope.stored.get(id)?.photo === text) return text;
  if (scope.photoFiles && isAbsolute(text)) return text;
  return take(scope.problems, raw.place("photo"), checkPhotoReference(text));
}

/** One product of the file, every field checked; null when any is wrong (its problems are added). */
function productOf(scope: Scope, raw: RawProduct): ProductInput | null {
  const { problems } = scope;
  const before = problems.count;
  const json = raw.fields.get("id")?.from === "json";
  const field = (column: ImportColumn): RawValue | undefined => {
    const value = raw.fields.get(column);
    if (value === undefined && (json ? requiredJsonFields : requiredColumns).includes(column)) problems.add(raw.place(column), "required");
    const blank = value?.from === "csv" && value.text.trim() === "";
    if (blank && requiredColumns.includes(column)) problems.add(raw.place(column), "required");
    return blank && requiredColumns.includes(column) ? undefined : value;
  };
  const checked = <T>(column: ImportColumn, check: (text: string) => Checked<T>): T | undefined => {
    const value = field(column);
    const text = value === undefined ? undefined : textOf(problems, raw.place(column), value);
    return text === undefined ? undefined : take(problems, raw.place(column), check(text));
  };
  const id = checked("id", checkId);
  const categoryValue = field("category");
  const categoryId = categoryValue === undefined ? undefined : categoryOf(scope, raw, categoryValue);
  const title = checked("title", (text) => checkTitle(text));
  const description = checked("description", checkDescription);
  const priceValue = field("price");
  const price = priceValue === undefined ? undefined : numberOf(problems, raw.place("price"), priceValue, checkPrice, checkPriceNumber);
  const stockValue = field("stock");
  const stockBlank = stockValue?.from === "csv" && stockValue.text.trim() === "";
  const stock = stockValue === undefined ? (json ? null : undefined) : stockBlank ? null : numberOf(problems, raw.place("stock"), stockValue, checkStock, checkStockNumber);
  const hiddenValue = field("hidden");
  const hidden = hiddenValue === undefined ? (json ? false : undefined) : hiddenOf(problems, raw.place("hidden"), hiddenValue);
  field("currency");
  currencyOf(scope, raw);
  const photo = photoOf(scope, raw, id);
  if (problems.count > before || id === undefined || categoryId === undefined || title === undefined || typeof price !== "number") return null;
  return { id, categoryId, title, price, description, stock, photo, hidden };
}

/** JSON's categories: checked, and the new or changed ones kept for the plan. */
function readCategories(scope: Scope, raws: readonly RawCategory[]): void {
  const seen = new Map<string, string>();
  for (const raw of raws) {
    const before = scope.problems.count;
    const textAt = (field: "id" | "title" | "emoji", value: unknown): string | undefined => {
      if (typeof value === "string") return value;
      scope.problems.add(raw.place(field), value === undefined ? "required" : "expected_text", value === undefined ? {} : { got: gotOf(value) });
      return undefined;
    };
    const idText = textAt("id", raw.id);
    const id = idText === undefined ? undefined : take(scope.problems, raw.place("id"), checkId(idText));
    const titleText = textAt("title", raw.title);
    const title = titleText === undefined ? undefined : take(scope.problems, raw.place("title"), checkTitle(titleText, catalogLimits.categoryTitle));
    const emojiText = raw.emoji === undefined ? undefined : textAt("emoji", raw.emoji);
    const emoji = emojiText === undefined ? undefined : take(scope.problems, raw.place("emoji"), checkTitle(emojiText, 16));
    if (id !== undefined && seen.has(id)) scope.problems.add(raw.place("id"), "duplicate_id", { id, first: seen.get(id) ?? "", at: raw.place(null).kind });
    if (id !== undefined && !seen.has(id)) seen.set(id, placeText(raw.place(null)));
    if (scope.problems.count > before || id === undefined || title === undefined) continue;
    const stored = scope.categories.get(id);
    if (!stored || stored.title !== title || stored.emoji !== emoji) scope.added.set(id, { title, ...(emoji !== undefined ? { emoji } : {}) });
  }
}

/** A product's id as the document writes it, so that a repeated id is named even on a row with other problems. */
function rawIdOf(raw: RawProduct): string | undefined {
  const value = raw.fields.get("id");
  const text = value === undefined ? undefined : value.from === "csv" ? value.text : typeof value.value === "string" ? value.value : undefined;
  return text === undefined || text.trim() === "" ? undefined : text.trim();
}

/** A place as plain text, for "also in row 3": the row, or the JSON path. */
export function placeText(place: ImportPlace): string {
  return place.kind === "row" ? String(place.row) : place.kind === "json" ? place.path : "";
}

/**
 * Checks a read document against the stored catalog and plans its edits: every problem with its
 * place, or the edits (all or none) and their preview. A product keeps its category (carts and
 * orders know it by id), its position and, for a CSV without a column, that field.
 */
export function planDocument(document: ReadDocument, catalog: { readonly rows: CatalogRows; readonly currency: string; readonly photoFiles?: boolean }, by: CatalogEditor, at: number): ImportPlan {
  const { rows } = catalog;
  const problems = new Problems();
  for (const problem of document.problems) problems.add(problem.place, problem.code, problem.params);
  const stored = new Map(rows.products.map((product) => [product.id, product]));
  const categories = new Map(rows.categories.map((category) => [category.id, category]));
  const scope: Scope = { problems, stored, categories, added: new Map(), currency: rows.products[0]?.currency ?? catalog.currency, photoFiles: catalog.photoFiles ?? false };
  readCategories(scope, document.categories);
  const inputs: ProductInput[] = [];
  const firstAt = new Map<string, ImportPlace>();
  for (const raw of document.products) {
    const input = productOf(scope, raw);
    const id = rawIdOf(raw);
    const first = id === undefined ? undefined : firstAt.get(id);
    if (id !== undefined && first) {
      problems.add(raw.place("id"), "duplicate_id", { id: quoted(id), first: placeText(first), at: first.kind });
      continue;
    }
    if (id !== undefined) firstAt.set(id, raw.place(null));
    if (input === null) continue;
    const current = stored.get(input.id);
    if (current && current.categoryId !== input.categoryId) {
      problems.add(raw.place("category"), "category_moved", { id: input.id, from: current.categoryId, to: input.categoryId });
      continue;
    }
    inputs.push(input);
  }
  if (problems.count === 0 && document.products.length === 0 && document.categories.length === 0) problems.add({ kind: "file" }, "no_rows");
  if (problems.count > 0) return { ok: false, format: document.format, problems: problems.list, total: problems.count };
  return { ok: true, format: document.format, ...editsOf(scope, rows, inputs, by, at) };
}
