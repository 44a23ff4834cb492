import { readFileSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { Data, Result, Schema, SchemaIssue } from "effect";
import type { Catalog, Category, Product } from "../../actors/catalog.port.ts";
import { catalogOf } from "./catalogIndex.ts";

/**
 * The catalog from a JSON file the shop owner edits by hand (format: docs/catalog.md). A mistake
 * stops the start with one message that names the file and the field, instead of a broken shop.
 */

/** Why a catalog was refused: `message` is `<source>: <path>: <reason>`, ready to show the owner. */
export class CatalogInvalid extends Data.TaggedError("CatalogInvalid")<{
  readonly source: string;
  /** Where in the file, e.g. `products[3].price`; empty for the file as a whole. */
  readonly path: string;
  readonly reason: string;
  readonly message: string;
}> {}

function invalid(source: string, path: string, reason: string): CatalogInvalid {
  return new CatalogInvalid({ source, path, reason, message: path === "" ? `${source}: ${reason}` : `${source}: ${path}: ${reason}` });
}

/** An owner's value in a message, cut short so a pasted paragraph does not flood the log. */
const quoted = (s: string): string => JSON.stringify(s.length > 30 ? `${s.slice(0, 30)}…` : s);

const rule = <T>(test: (value: T) => true | string) => Schema.makeFilter<T>((value) => test(value));

const Id = Schema.String.check(
  rule((s: string) => /^[A-Za-z0-9_-]{1,24}$/.test(s) || `expected an id of 1–24 Latin letters, digits, "_" or "-", got ${quoted(s)}`),
);

const Text = (max: number, blank: "allowed" | "refused") =>
  Schema.String.check(
    rule((s: string) => blank === "allowed" || s.trim() !== "" || "expected text, got an empty string"),
    rule((s: string) => s.length <= max || `expected at most ${max} characters, got ${s.length}`),
  );

const CategorySchema = Schema.Struct({
  id: Id,
  title: Text(64, "refused"),
  emoji: Schema.optionalKey(Text(16, "refused")),
});

const ProductSchema = Schema.Struct({
  id: Id,
  categoryId: Id,
  title: Text(100, "refused"),
  description: Text(900, "allowed"),
  price: Schema.Number.check(
    rule((n: number) => (Number.isFinite(n) && n > 0) || "expected a positive number"),
    rule((n: number) => Math.abs(n * 100 - Math.round(n * 100)) < 1e-6 || "expected at most 2 decimal places"),
  ),
  currency: Schema.String.check(rule((s: string) => /^[A-Z]{3}$/.test(s) || `expected a 3-letter ISO 4217 code in capitals (e.g. "RUB"), got ${quoted(s)}`)),
  photo: Schema.optionalKey(Schema.String.check(rule((s: string) => photoKind(s) !== "invalid" || "expected an https:// URL, a Telegram file_id, or a .jpg, .png or .webp file next to the catalog"))),
  stock: Schema.optionalKey(
    Schema.Number.check(rule((n: number) => (Number.isSafeInteger(n) && n >= 0) || "expected a whole number ≥ 0 (leave the field out to not track stock)")),
  ),
});

/** Telegram's limit for a photo sent as a file. */
const maxPhotoBytes = 10 * 1024 * 1024;

/**
 * What a product's `photo` is: a link Telegram fetches, a file_id of a photo the bot already sent,
 * or a picture file (a path relative to the catalog file) that the bot uploads once.
 */
function photoKind(value: string): "url" | "file_id" | "file" | "invalid" {
  if (/^[a-z][a-z0-9+.-]*:/i.test(value)) return value.startsWith("https://") && URL.canParse(value) ? "url" : "invalid";
  if (/\.(jpe?g|png|webp)$/i.test(value)) return "file";
  return /^[A-Za-z0-9_-]{10,200}$/.test(value) ? "file_id" : "invalid";
}

/**
 * The catalog's picture files as absolute paths, each checked now so that a missing or oversized
 * one stops the start with its place in the file, rather than failing in front of a customer.
 */
function withPhotoFiles(products: readonly Product[], source: string, photoDir: string | undefined): Product[] {
  return products.map((product, i) => {
    if (product.photo === undefined || photoKind(product.photo) !== "file") return product;
    const fail = (reason: string) => invalid(source, `products[${i}].photo`, reason);
    if (photoDir === undefined) throw fail("a picture file needs the catalog to be read from a file, next to it");
    const path = resolve(photoDir, product.photo);
    let bytes: number;
    try {
      const stat = statSync(path);
      if (!stat.isFile()) throw fail(`${quoted(product.photo)} is not a file`);
      bytes = stat.size;
    } catch (error) {
      if (error instanceof CatalogInvalid) throw error;
      throw fail(`cannot read ${quoted(product.photo)} (${error instanceof Error && "code" in error ? String(error.code) : String(error)})`);
    }
    if (bytes === 0) throw fail(`${quoted(product.photo)} is empty`);
    if (bytes > maxPhotoBytes) throw fail(`expected a picture of at most 10 MB (Telegram's limit), got ${(bytes / 1024 / 1024).toFixed(1)} MB`);
    return { ...product, photo: path };
  });
}

type FileIssue = { readonly path: readonly PropertyKey[]; readonly issue: string };

/** What the field types cannot say: unique ids, known categories, one currency. The first problem in file order. */
function crossCheck(file: { readonly categories: readonly Category[]; readonly products: readonly Product[] }): FileIssue | undefined {
  const categoryAt = new Map<string, number>();
  for (const [i, category] of file.categories.entries()) {
    const first = categoryAt.get(category.id);
    if (first !== undefined) return { path: ["categories", i, "id"], issue: `duplicate category id "${category.id}" (also categories[${first}])` };
    categoryAt.set(category.id, i);
  }
  const productAt = new Map<string, number>();
  for (const [i, product] of file.products.entries()) {
    const first = productAt.get(product.id);
    if (first !== undefined) return { path: ["products", i, "id"], issue: `duplicate product id "${product.id}" (also products[${first}])` };
    productAt.set(product.id, i);
    if (!categoryAt.has(product.categoryId)) {
      const known = [...categoryAt.keys()].slice(0, 10).join(", ");
      return { path: ["products", i, "categoryId"], issue: `unknown category "${product.categoryId}" (categories: ${known || "none"})` };
    }
    const currency = file.products[0]?.currency;
    if (product.currency !== currency) return { path: ["products", i, "currency"], issue: `expected "${currency}" like products[0]: a cart adds prices of one currency` };
  }
  return undefined;
}

const CatalogFile = Schema.Struct({
  categories: Schema.Array(CategorySchema),
  products: Schema.Array(ProductSchema),
}).check(Schema.makeFilter((file) => crossCheck(file)));

const decodeFile = Schema.decodeUnknownResult(CatalogFile);

const expectedOf: Readonly<Record<string, string>> = { String: "text", Number: "a number", Arrays: "a list [...]", Objects: "an object {...}" };

function got(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "string") return `text ${quoted(value)}`;
  if (typeof value === "object") return "an object";
  return String(value);
}

/** Owner-facing wording for what is not a filter: a missing or unknown field, a wrong type. */
const leafHook: SchemaIssue.LeafHook = (issue) => {
  switch (issue._tag) {
    case "MissingKey":
      return "required field is missing";
    case "UnexpectedKey":
      return "unknown field (a typo?)";
    case "InvalidType": {
      const expected = expectedOf[issue.ast._tag] ?? "another type";
      return SchemaIssue.hasInput(issue) ? `expected ${expected}, got ${got(issue.input)}` : `expected ${expected}`;
    }
    default:
      return SchemaIssue.defaultLeafHook(issue);
  }
};

const formatIssue = SchemaIssue.makeFormatterStandardSchemaV1({ leafHook });

/** `["products", 3, "price"]` → `products[3].price`. */
function pathText(path: readonly (PropertyKey | { readonly key: PropertyKey })[]): string {
  return path
    .map((segment) => (typeof segment === "object" ? segment.key : segment))
    .map((key, i) => (typeof key === "number" ? `[${key}]` : typeof key === "string" && /^[A-Za-z_$][\w$]*$/.test(key) ? `${i === 0 ? "" : "."}${key}` : `[${JSON.stringify(String(key))}]`))
    .join("");
}

/** Where a catalog's picture files are: the folder of the catalog file. Without it, a picture file is refused. */
export interface CatalogOptions {
  readonly photoDir?: string;
}

/** A validated catalog file: its shelves and products in the file's order, picture files as absolute paths. */
export interface CatalogFile {
  readonly categories: readonly Category[];
  readonly products: readonly Product[];
}

/**
 * Validates a parsed catalog file. `source` names the file in error messages. A product's picture
 * file comes back as an absolute path.
 *
 * @throws {CatalogInvalid} with the first problem found, e.g. `catalog.json: products[3].price: expected a positive number`.
 */
export function catalogFileFromJson(value: unknown, source = "catalog", options: CatalogOptions = {}): CatalogFile {
  const decoded = decodeFile(value, { onExcessProperty: "error", reportInput: true });
  if (Result.isFailure(decoded)) {
    const first = formatIssue(decoded.failure.issue).issues[0];
    throw invalid(source, pathText(first?.path ?? []), first?.message ?? "invalid catalog");
  }
  return { categories: decoded.success.categories, products: withPhotoFiles(decoded.success.products, source, options.photoDir) };
}

/**
 * Validates a parsed catalog file and builds the catalog the bot reads, as {@link catalogFileFromJson}.
 *
 * @throws {CatalogInvalid} with the first problem found.
 */
export function catalogFromJson(value: unknown, source = "catalog", options: CatalogOptions = {}): Catalog {
  const file = catalogFileFromJson(value, source, options);
  return catalogOf(file.categories, file.products);
}

/**
 * Reads and validates a catalog file: the seed of the catalog in the store (catalogSeed.ts). The
 * path names the file in error messages.
 *
 * @throws {CatalogInvalid} when the file cannot be read, is not JSON, or is not a valid catalog.
 */
export function readCatalogFile(path: string): CatalogFile {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw invalid(path, "", `cannot read the file (${error instanceof Error && "code" in error ? String(error.code) : String(error)})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (error) {
    throw invalid(path, "", `not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  return catalogFileFromJson(value, path, { photoDir: dirname(path) });
}

/**
 * Reads and validates a catalog file, and builds the catalog from it alone (the demo, tests).
 *
 * @throws {CatalogInvalid} when the file cannot be read, is not JSON, or is not a valid catalog.
 */
export function loadJsonCatalog(path: string): Catalog {
  const file = readCatalogFile(path);
  return catalogOf(file.categories, file.products);
}
