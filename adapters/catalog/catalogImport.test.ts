import { describe, expect, it } from "vitest";
import type { CatalogRows } from "../../actors/catalogStore.port.ts";
import { importLimits, readImport } from "./catalogImport.ts";
import { planDocument, type ImportPlan } from "./catalogImportPlan.ts";

const rows: CatalogRows = {
  categories: [
    { id: "tea", title: "Чай", position: 0 },
    { id: "coffee", title: "Кофе", position: 1 },
  ],
  products: [
    { id: "sencha", categoryId: "tea", title: "Сенча", description: "Зелёный", price: 590, currency: "RUB", stock: 5, hidden: false, position: 0 },
    { id: "puer", categoryId: "tea", title: "Пуэр", description: "Тёмный", price: 990, currency: "RUB", hidden: false, position: 1 },
    { id: "kenya", categoryId: "coffee", title: "Кения", description: "", price: 1200, currency: "RUB", hidden: false, position: 0 },
  ],
};

const by = { kind: "import", file: "x.csv" } as const;
const plan = (text: string | Uint8Array, name = "catalog.csv"): ImportPlan =>
  planDocument(readImport(typeof text === "string" ? new TextEncoder().encode(text) : text, name), { rows, currency: "RUB" }, by, 5);
const problemsOf = (result: ImportPlan) => (result.ok ? [] : result.problems.map((problem) => ({ place: problem.place, code: problem.code })));

describe("a CSV import", () => {
  it("previews new, changed, hidden and unchanged products, and plans their edits", () => {
    const result = plan(
      ["id,category,title,price,stock,hidden", "sencha,tea,Сенча,640,5,", "puer,tea,Пуэр,990,,yes", "kenya,coffee,Кения,1200,,", "matcha,tea,Матча,1290,10,", "geisha,geisha-coffee,Гейша,3000,,"].join("\n"),
    );
    expect(result).toMatchObject({ ok: true, preview: { newProducts: 2, changedProducts: 1, hiddenProducts: 1, unchangedProducts: 1, newCategories: ["geisha-coffee"] } });
  });

  it("reads Excel's semicolons, quoted cells with line breaks and Windows-1251 text", () => {
    const text = 'id;category;title;price;description\nsencha;tea;Сенча;590,50;"Первая строка\nвторая"\n';
    const bytes = Uint8Array.from(text, (char) => (char.charCodeAt(0) >= 0x410 ? char.charCodeAt(0) - 0x410 + 0xc0 : char.charCodeAt(0)));
    const result = plan(bytes);
    expect(result.ok && result.edits.map((edit) => edit.change)).toEqual([
      { type: "product_saved", product: { id: "sencha", categoryId: "tea", title: "Сенча", description: "Первая строка\nвторая", price: 590.5, currency: "RUB", stock: 5, hidden: false, position: 0 } },
    ]);
  });

  it("names every malformed row with its row number and column, and plans nothing", () => {
    const result = plan(
      ["id,category,title,price,stock", "sencha,tea,Сенча,abc,5", "puer,tea,,990,-2", "p 3,tea,Три,10,", "matcha,Какао,Матча,10,", "sencha,tea,Сенча,590,", "kenya,tea,Кения,1200,"].join("\n"),
    );
    expect(result.ok).toBe(false);
    expect(problemsOf(result)).toEqual([
      { place: { kind: "row", row: 2, column: "price" }, code: "price_not_number" },
      { place: { kind: "row", row: 3, column: "title" }, code: "required" },
      { place: { kind: "row", row: 3, column: "stock" }, code: "stock_negative" },
      { place: { kind: "row", row: 4, column: "id" }, code: "not_id" },
      { place: { kind: "row", row: 5, column: "category" }, code: "category_unknown" },
      { place: { kind: "row", row: 6, column: "id" }, code: "duplicate_id" },
      { place: { kind: "row", row: 7, column: "category" }, code: "category_moved" },
    ]);
  });

  it("refuses a header without a required column, or with an unknown or repeated one", () => {
    expect(problemsOf(plan("id,category,title,stok,title\nsencha,tea,Сенча,1,Сенча"))).toEqual([
      { place: { kind: "row", row: 1, column: "stok" }, code: "unknown_column" },
      { place: { kind: "row", row: 1, column: "title" }, code: "duplicate_column" },
      { place: { kind: "row", row: 1, column: "price" }, code: "missing_column" },
    ]);
  });

  it("names the row of an unclosed quote and of a row with more cells than the header", () => {
    expect(problemsOf(plan('id,category,title,price\nsencha,tea,Сенча,590\npuer,tea,"Пуэр,990\nkenya,coffee,Кения,1200'))).toEqual([
      { place: { kind: "row", row: 3, column: null }, code: "csv_quote" },
    ]);
    expect(problemsOf(plan("id,category,title,price\nsencha,tea,Сенча,590,extra"))).toEqual([{ place: { kind: "row", row: 2, column: null }, code: "cells_count" }]);
  });

  it("counts rows as a spreadsheet does, blank rows included", () => {
    expect(problemsOf(plan("id,category,title,price\n\nsencha,tea,Сенча,-1"))).toEqual([{ place: { kind: "row", row: 3, column: "price" }, code: "price_not_positive" }]);
  });
});

describe("a JSON import", () => {
  it("takes the catalog file's shape, new categories included", () => {
    const file = {
      categories: [{ id: "cocoa", title: "Какао", emoji: "🍫" }],
      products: [{ id: "cacao", categoryId: "cocoa", title: "Какао-бобы", description: "", price: 400, currency: "RUB", stock: 3 }],
    };
    expect(plan(JSON.stringify(file), "catalog.json")).toMatchObject({ ok: true, format: "json", preview: { newProducts: 1, newCategories: ["cocoa"] } });
  });

  it("names each problem by its path", () => {
    const file = { products: [{ id: "sencha", categoryId: "tea", title: "Сенча", description: "", price: "590", currency: "RUB", stok: 3 }, { id: "x", categoryId: "tea", title: "X", description: "", price: 1, currency: "USD" }] };
    expect(problemsOf(plan(JSON.stringify(file), "catalog.json"))).toEqual([
      { place: { kind: "json", path: "products[0].stok" }, code: "unknown_field" },
      { place: { kind: "json", path: "products[0].price" }, code: "expected_number" },
      { place: { kind: "json", path: "products[1].currency" }, code: "currency_other" },
    ]);
  });

  it("refuses JSON that does not parse, or of another shape", () => {
    expect(problemsOf(plan('{"products": [', "catalog.json"))).toEqual([{ place: { kind: "file" }, code: "json_malformed" }]);
    expect(problemsOf(plan('{"items": []}', "catalog.json"))).toEqual([{ place: { kind: "file" }, code: "json_shape" }]);
  });
});

describe("a file that is not an import", () => {
  it("refuses a file over the limit, an empty one, a spreadsheet and a binary file, each as one problem of the file", () => {
    expect(problemsOf(plan(new Uint8Array(importLimits.bytes + 1).fill(0x41)))).toEqual([{ place: { kind: "file" }, code: "file_too_large" }]);
    expect(problemsOf(plan(" \n"))).toEqual([{ place: { kind: "file" }, code: "file_empty" }]);
    expect(problemsOf(plan("PK\u0003\u0004", "prices.xlsx"))).toEqual([{ place: { kind: "file" }, code: "file_format" }]);
    expect(problemsOf(plan(Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0, 0, 1), "data.bin"))).toEqual([{ place: { kind: "file" }, code: "file_format" }]);
    expect(problemsOf(plan("id,category,title,price"))).toEqual([{ place: { kind: "file" }, code: "no_rows" }]);
  });

  it("refuses more rows than the limit without checking them one by one", () => {
    const lines = ["id,category,title,price", ...Array.from({ length: importLimits.rows + 1 }, (_, i) => `p${i},tea,T${i},1`)];
    expect(problemsOf(plan(lines.join("\n")))).toEqual([{ place: { kind: "file" }, code: "too_many_rows" }]);
  });
});
