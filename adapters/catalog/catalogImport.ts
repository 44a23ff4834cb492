import { CsvError, parse } from "csv-parse/sync";
import { importColumns, Problems, type ImportColumn, type ImportPlace, type RawCategory, type RawProduct, type RawValue, type ReadDocument } from "./catalogImportPlan.ts";

/**
 * The first half of an import: the document the owner sent (a CSV or a JSON file, docs/catalog.md)
 * read into rows of raw values, each with its place (a CSV's row and column, a JSON path), so that
 * catalogImportPlan.ts can check every value and name where each problem is. Reading stops only at
 * what makes the rest unreadable (not text, an unclosed quote, JSON that does not parse).
 */

/** What an import may be: small enough to read in one go, and to check and preview in a moment. */
export const importLimits = {
  /** The largest file, in bytes. */
  bytes: 1024 * 1024,
  /** The most products (CSV data rows, or JSON products). */
  rows: 5_000,
} as const;

/** Whether a file name or type says which format it is; null when neither does. */
export function formatOfName(name: string | undefined, mimeType?: string): "csv" | "json" | null {
  const lower = (name ?? "").toLowerCase();
  if (lower.endsWith(".csv") || mimeType === "text/csv" || mimeType === "text/comma-separated-values") return "csv";
  if (lower.endsWith(".json") || mimeType === "application/json") return "json";
  return null;
}

/** Formats owners try that the import does not read, so that the refusal says what to do instead. */
const otherFormats = /\.(xlsx?|ods|numbers|docx?|pdf|zip|rar|7z|jpe?g|png|gif|webp|heic)$/i;

/** The text of the file: UTF-8 (a BOM is dropped), or Windows-1251 as Russian Excel saves a CSV; null when it is not text. */
function textOf(bytes: Uint8Array): string | null {
  if (bytes.includes(0)) return null;
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes).replace(/^\uFEFF/, "");
  } catch {
    return new TextDecoder("windows-1251").decode(bytes);
  }
}

const fileProblem = (format: "csv" | "json" | null, code: Parameters<Problems["add"]>[1], params: Record<string, string | number> = {}): ReadDocument => {
  const problems = new Problems();
  problems.add({ kind: "file" }, code, params);
  return { format: format ?? "csv", products: [], categories: [], problems: problems.list };
};

/**
 * Reads a document the owner sent: a CSV (by its name `.csv`, its type, or text that is not JSON)
 * or a JSON file (`.json`, or text starting with `{` or `[`). A file too large, empty, not text, or
 * of another kind (a spreadsheet, a picture) is one problem of the whole file.
 *
 * @example
 * readImport(new TextEncoder().encode("id,category,title,price\np1,tea,Сенча,590"), "prices.csv").products.length; // 1
 */
export function readImport(bytes: Uint8Array, name: string | undefined, mimeType?: string): ReadDocument {
  const named = formatOfName(name, mimeType);
  if (bytes.byteLength > importLimits.bytes) return fileProblem(named, "file_too_large", { max: importLimits.bytes, size: bytes.byteLength });
  if (named === null && otherFormats.test(name ?? "")) return fileProblem(null, "file_format", { name: name ?? "" });
  const text = textOf(bytes);
  if (text === null) return fileProblem(named, named === null ? "file_format" : "file_encoding", { name: name ?? "" });
  if (text.trim() === "") return fileProblem(named, "file_empty");
  const format = named ?? (/^\s*[[{]/.test(text) ? "json" : "csv");
  return format === "json" ? readJson(text) : readCsv(text);
}

/** The delimiter of a CSV: the commonest of `,` `;` and tab in its header line (Excel in Russian writes `;`). */
function delimiterOf(text: string): string {
  const header = text.slice(0, text.search(/\r?\n|$/));
  const counts = [",", ";", "\t"].map((mark) => ({ mark, count: header.split(mark).length - 1 }));
  return counts.reduce((best, next) => (next.count > best.count ? next : best)).mark;
}

const columnAliases: Readonly<Record<string, ImportColumn>> = { categoryid: "category", category_id: "category" };

/** The header's columns, by their index; problems for unknown, repeated and missing ones. */
function headerOf(cells: readonly string[], problems: Problems): Map<number, ImportColumn> | null {
  const columns = new Map<number, ImportColumn>();
  const seen = new Map<ImportColumn, number>();
  const before = problems.count;
  cells.forEach((cell, index) => {
    const key = cell.trim().toLowerCase();
    if (key === "") return;
    const column = columnAliases[key] ?? importColumns.find((known) => known === key);
    if (column === undefined) return problems.add({ kind: "row", row: 1, column: cell.trim() }, "unknown_column", { column: cell.trim().slice(0, 40), known: importColumns.join(", ") });
    const first = seen.get(column);
    if (first !== undefined) return problems.add({ kind: "row", row: 1, column }, "duplicate_column", { column, first: first + 1, second: index + 1 });
    seen.set(column, index);
    columns.set(index, column);
  });
  for (const required of ["id", "category", "title", "price"] as const) {
    if (!seen.has(required)) problems.add({ kind: "row", row: 1, column: required }, "missing_column", { column: required });
  }
  return problems.count > before ? null : columns;
}

/** The records of a CSV, or its one problem: an unclosed quote names the row where it opened. */
function recordsOf(text: string, problems: Problems): string[][] | null {
  try {
    return parse(text, { delimiter: delimiterOf(text), relax_column_count: true, relax_quotes: true, skip_empty_lines: false, max_record_size: 64 * 1024 });
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    const row = Number(error.records ?? 0) + 1;
    const code = error.code === "CSV_QUOTE_NOT_CLOSED" ? "csv_quote" : error.code === "CSV_MAX_RECORD_SIZE" ? "csv_row_too_long" : "csv_malformed";
    problems.add({ kind: "row", row, column: null }, code, { line: Number(error.lines ?? row) });
    return null;
  }
}

function readCsv(text: string): ReadDocument {
  const problems = new Problems();
  const records = recordsOf(text, problems);
  const header = records?.[0];
  if (!records || !header) return { format: "csv", products: [], categories: [], problems: problems.list };
  const columns = headerOf(header, problems);
  if (!columns) return { format: "csv", products: [], categories: [], problems: problems.list };
  const rows = records.slice(1);
  if (rows.length > importLimits.rows) return fileProblem("csv", "too_many_rows", { max: importLimits.rows, rows: rows.length });
  const products: RawProduct[] = [];
  rows.forEach((cells, index) => {
    const row = index + 2;
    if (cells.every((cell) => cell.trim() === "")) return;
    if (cells.length > header.length && cells.slice(header.length).some((cell) => cell.trim() !== "")) {
      problems.add({ kind: "row", row, column: null }, "cells_count", { cells: cells.length, columns: header.length });
      return;
    }
    const fields = new Map<ImportColumn, RawValue>();
    for (const [at, column] of columns) fields.set(column, { from: "csv", text: cells[at] ?? "" });
    products.push({ place: (column): ImportPlace => ({ kind: "row", row, column }), fields });
  });
  return { format: "csv", products, categories: [], problems: problems.list };
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

const jsonFields: Readonly<Record<string, ImportColumn>> = { ...Object.fromEntries(importColumns.map((column) => [column, column])), categoryId: "category" };

function jsonProduct(value: unknown, path: string, problems: Problems): RawProduct | null {
  if (!isRecord(value)) {
    problems.add({ kind: "json", path }, "json_shape", { expected: "object" });
    return null;
  }
  const fields = new Map<ImportColumn, RawValue>();
  for (const [key, field] of Object.entries(value)) {
    const column = Object.hasOwn(jsonFields, key) ? jsonFields[key] : undefined;
    if (column === undefined) problems.add({ kind: "json", path: `${path}.${key.slice(0, 40)}` }, "unknown_field", { field: key.slice(0, 40) });
    else fields.set(column, { from: "json", value: field });
  }
  const named = (column: ImportColumn | null): string => (column === null ? path : `${path}.${column === "category" && Object.hasOwn(value, "categoryId") ? "categoryId" : column}`);
  return { place: (column) => ({ kind: "json", path: named(column) }), fields };
}

function jsonCategory(value: unknown, path: string, problems: Problems): RawCategory | null {
  if (!isRecord(value)) {
    problems.add({ kind: "json", path }, "json_shape", { expected: "object" });
    return null;
  }
  for (const key of Object.keys(value)) {
    if (!["id", "title", "emoji"].includes(key)) problems.add({ kind: "json", path: `${path}.${key.slice(0, 40)}` }, "unknown_field", { field: key.slice(0, 40) });
  }
  return { place: (field) => ({ kind: "json", path: field === null ? path : `${path}.${field}` }), id: value["id"], title: value["title"], emoji: value["emoji"] };
}

/** The catalog file's shape (`{ categories, products }`, categories optional) or a list of products. */
function readJson(text: string): ReadDocument {
  const problems = new Problems();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    problems.add({ kind: "file" }, "json_malformed", { reason: error instanceof Error ? error.message.slice(0, 200) : String(error) });
    return { format: "json", products: [], categories: [], problems: problems.list };
  }
  const file = Array.isArray(value) ? { products: value } : value;
  if (!isRecord(file) || !Array.isArray(file["products"]) || (file["categories"] !== undefined && !Array.isArray(file["categories"]))) {
    problems.add({ kind: "file" }, "json_shape", { expected: "catalog" });
    return { format: "json", products: [], categories: [], problems: problems.list };
  }
  for (const key of Object.keys(file)) {
    if (key !== "products" && key !== "categories") problems.add({ kind: "json", path: key.slice(0, 40) }, "unknown_field", { field: key.slice(0, 40) });
  }
  const rawProducts: readonly unknown[] = file["products"];
  const rawCategories: readonly unknown[] = Array.isArray(file["categories"]) ? file["categories"] : [];
  if (rawProducts.length > importLimits.rows) return fileProblem("json", "too_many_rows", { max: importLimits.rows, rows: rawProducts.length });
  const categories = rawCategories.flatMap((category, index) => jsonCategory(category, `categories[${index}]`, problems) ?? []);
  const products = rawProducts.flatMap((product, index) => jsonProduct(product, `products[${index}]`, problems) ?? []);
  return { format: "json", products, categories, problems: problems.list };
}
