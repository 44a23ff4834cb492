import { readFileSync } from "node:fs";
import { parse } from "csv-parse/sync";
import { strFromU8, unzipSync } from "fflate";

/** A CSV export read back with csv-parse (its BOM dropped): the rows, header first. */
export function csvRows(file: Buffer | string): string[][] {
  const data = typeof file === "string" ? readFileSync(file) : file;
  return parse(data, { bom: true, relax_column_count: false });
}

const unescape = (text: string): string => text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&amp;/g, "&");

/**
 * An XLSX export read back by unzipping it and reading its one sheet's XML: every row's cells as
 * text (numbers as written), header first. Also checks the workbook's parts a spreadsheet needs.
 */
export function xlsxRows(file: Buffer | string): { readonly rows: string[][]; readonly numbers: number } {
  const data = typeof file === "string" ? readFileSync(file) : file;
  const parts = unzipSync(new Uint8Array(data));
  for (const name of ["[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/worksheets/sheet1.xml"]) {
    if (parts[name] === undefined) throw new Error(`the XLSX has no ${name}`);
  }
  const sheet = strFromU8(parts["xl/worksheets/sheet1.xml"] ?? new Uint8Array());
  let numbers = 0;
  const rows = [...sheet.matchAll(/<row r="\d+">(.*?)<\/row>/gs)].map((row) =>
    [...(row[1] ?? "").matchAll(/<c r="[A-Z]+\d+"(?: t="inlineStr")?>(?:<is><t xml:space="preserve">(.*?)<\/t><\/is>|<v>(.*?)<\/v>)<\/c>/gs)].map((cell) => {
      if (cell[2] !== undefined) numbers += 1;
      return unescape(cell[1] ?? cell[2] ?? "");
    }),
  );
  return { rows, numbers };
}
