import { createWriteStream, type WriteStream } from "node:fs";
import { once } from "node:events";
import { stringify } from "csv-stringify/sync";
import { strToU8, Zip, ZipDeflate } from "fflate";

/** One file being written: rows go in batches, `bytes` says how big the file is so far (for the upload limit). */
export interface TableWriter {
  write(rows: readonly (readonly (string | number)[])[]): Promise<void>;
  bytes(): number;
  close(): Promise<void>;
}

/** Waits for the disk when the stream holds more than its high-water mark, so memory stays flat. */
async function drained(out: WriteStream): Promise<void> {
  if (out.writableNeedDrain) await once(out, "drain");
}

async function closed(out: WriteStream): Promise<void> {
  out.end();
  await once(out, "finish");
}

/** CSV by csv-stringify, UTF-8 with a BOM so that Excel shows Cyrillic; every cell quoted as needed (RFC 4180). */
export function csvWriter(path: string, header: readonly string[]): TableWriter {
  const out = createWriteStream(path);
  let bytes = 0;
  const put = (text: string): void => {
    const chunk = Buffer.from(text, "utf8");
    bytes += chunk.length;
    out.write(chunk);
  };
  put(stringify([header], { bom: true }));
  return {
    async write(rows) {
      put(stringify(rows.map((row) => [...row])));
      await drained(out);
    },
    bytes: () => bytes,
    close: () => closed(out),
  };
}

const xmlEscape = (text: string): string =>
  text.replace(/[&<>"]/g, (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : "&quot;")).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, "");

function columnName(index: number): string {
  let n = index + 1;
  let name = "";
  while (n > 0) {
    name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
    n = Math.floor((n - 1) / 26);
  }
  return name;
}

function xmlRow(rowNumber: number, cells: readonly (string | number)[]): string {
  const parts = cells.map((cell, i) => {
    const ref = `${columnName(i)}${rowNumber}`;
    return typeof cell === "number" ? `<c r="${ref}"><v>${cell}</v></c>` : `<c r="${ref}" t="inlineStr"><is><t xml:space="preserve">${xmlEscape(cell)}</t></is></c>`;
  });
  return `<row r="${rowNumber}">${parts.join("")}</row>`;
}

const ns = "http://schemas.openxmlformats.org/";
const staticParts: readonly (readonly [string, string])[] = [
  ["[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="${ns}package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`],
  ["_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="${ns}package/2006/relationships"><Relationship Id="rId1" Type="${ns}officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`],
  ["xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="${ns}package/2006/relationships"><Relationship Id="rId1" Type="${ns}officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`],
];

const workbookXml = (sheet: string): string =>
  `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="${ns}spreadsheetml/2006/main" xmlns:r="${ns}officeDocument/2006/relationships"><sheets><sheet name="${xmlEscape(sheet)}" sheetId="1" r:id="rId1"/></sheets></workbook>`;

/**
 * XLSX streamed: the sheet's XML is deflated into the zip as rows arrive (fflate), with inline
 * strings, so nothing grows with the row count (no shared-strings table, no workbook in memory).
 */
export function xlsxWriter(path: string, header: readonly string[], sheet: string): TableWriter {
  const out = createWriteStream(path);
  let bytes = 0;
  let failure: Error | null = null;
  const zip = new Zip((error, chunk) => {
    if (error !== null) failure = error;
    else {
      bytes += chunk.length;
      out.write(chunk);
    }
  });
  for (const [name, text] of [...staticParts, ["xl/workbook.xml", workbookXml(sheet)] as const]) {
    const part = new ZipDeflate(name, { level: 6 });
    zip.add(part);
    part.push(strToU8(text), true);
  }
  const body = new ZipDeflate("xl/worksheets/sheet1.xml", { level: 6 });
  zip.add(body);
  let rowNumber = 1;
  body.push(strToU8(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="${ns}spreadsheetml/2006/main"><sheetData>${xmlRow(rowNumber, header)}`));
  return {
    async write(rows) {
      body.push(strToU8(rows.map((row) => xmlRow(++rowNumber, row)).join("")));
      if (failure !== null) throw failure;
      await drained(out);
    },
    bytes: () => bytes,
    async close() {
      body.push(strToU8("</sheetData></worksheet>"), true);
      zip.end();
      if (failure !== null) throw failure;
      await closed(out);
    },
  };
}
