/**
 * A local stand-in for the Google Sheets API v4, so that the Sheets mirror's tests and the P5
 * benchmark drive the real `@googleapis/sheets` client over real HTTP (`sheets({ rootUrl })`)
 * without reaching the internet.
 *
 * It answers the URLs the client builds (googleapis-common percent-encodes every path parameter,
 * so `Leads!A1:B2` arrives as `Leads%21A1%3AB2`, and `:append`/`:batchUpdate` stay literal):
 * - `GET  /v4/spreadsheets/{id}` (spreadsheets.get: `fields`, `ranges`, `includeGridData`)
 * - `POST /v4/spreadsheets/{id}:batchUpdate` (addSheet, deleteSheet, updateSheetProperties,
 *   insertDimension, deleteDimension, appendDimension; formatting-only requests are accepted as
 *   no-ops). All or nothing, like Google: one refused request leaves the spreadsheet untouched.
 * - `GET  /v4/spreadsheets/{id}/values/{range}` (values.get)
 * - `PUT  /v4/spreadsheets/{id}/values/{range}?valueInputOption=…` (values.update)
 * - `POST /v4/spreadsheets/{id}/values/{range}:append?valueInputOption=…&insertDataOption=…`
 * - `GET  /v4/spreadsheets/{id}/values:batchGet?ranges=…&ranges=…`
 * - `POST /v4/spreadsheets/{id}/values:batchUpdate` (body `{ valueInputOption, data }`)
 * - `POST /token`: an OAuth 2.0 token endpoint (refresh_token and jwt-bearer grants) for an
 *   `OAuth2Client` whose `endpoints.oauth2TokenUrl` is {@link SheetsStandIn.tokenUrl}.
 *
 * Cells hold strings, stored as sent (numbers as their decimal text, booleans as TRUE/FALSE, `null`
 * leaves a cell alone); RAW and USER_ENTERED are not told apart, so a formula stays its text.
 * Reads trim trailing empty cells and rows and leave out `values` when nothing is there, as Google
 * does. Errors have Google's shape, `{"error": {"code", "message", "status"}}`.
 *
 * The client retries by itself unless told `retry: false`: gaxios repeats GET and PUT (values.get,
 * values.batchGet, spreadsheets.get, values.update) up to 3 times on 408, 429 and 5xx, never POST
 * (values.append, both batchUpdates). Every attempt is a request here, and counts in `requests`.
 *
 * Simplifications, on purpose: `values.append` finds the table as "every row, from the range's
 * first row down, with a non-empty cell in the range's columns" and writes after the last one
 * (Google's table detection is subtler around blank rows); sheet names in ranges match without
 * regard to case; there is one spreadsheet per stand-in.
 *
 * @example
 * ```ts
 * const standIn = await startSheetsStandIn({ spreadsheetId: "crm" });
 * const auth = new OAuth2Client();
 * auth.setCredentials({ access_token: "test" }); // no expiry_date, no refresh_token: never refreshed
 * const api = sheets({ version: "v4", auth, rootUrl: standIn.rootUrl, retry: false });
 * await api.spreadsheets.values.append({ spreadsheetId: "crm", range: "Sheet1!A:C", valueInputOption: "RAW", requestBody: { values: [["1", "Ann"]] } });
 * standIn.sheet("Sheet1"); // [["1", "Ann"]]
 * ```
 */

import { Buffer } from "node:buffer";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** Which Sheets method a request called, as the client names it; `token` is the OAuth endpoint. */
export type SheetsApi =
  | "spreadsheets.get"
  | "spreadsheets.batchUpdate"
  | "values.get"
  | "values.update"
  | "values.append"
  | "values.batchGet"
  | "values.batchUpdate"
  | "token"
  | "unknown";

/** The methods Google counts against its write quota; the others that touch a spreadsheet are reads. */
export const sheetsWriteApis: ReadonlySet<SheetsApi> = new Set<SheetsApi>([
  "spreadsheets.batchUpdate",
  "values.update",
  "values.append",
  "values.batchUpdate",
]);

const sheetsReadApis: ReadonlySet<SheetsApi> = new Set<SheetsApi>(["spreadsheets.get", "values.get", "values.batchGet"]);

/** One request the stand-in received, in arrival order. */
export interface SheetsRequest {
  readonly method: string;
  /** The decoded path, e.g. `/v4/spreadsheets/crm/values/Leads!A:A`. */
  readonly path: string;
  readonly api: SheetsApi;
  /** What the stand-in answered; 0 while a hung request is still waiting. */
  readonly status: number;
  /** The stand-in's clock (`now`) when the request arrived. */
  readonly at: number;
  /** Whether it carried `Authorization: Bearer <something>`. */
  readonly authorized: boolean;
  /** The A1 ranges it named: the path's, `ranges=` in the query, or `data[].range` in the body. */
  readonly ranges: readonly string[];
}

/** A sheet to start with. */
export interface SeedSheet {
  readonly title: string;
  /** Default: 0 for the first sheet, then Google-looking numbers. */
  readonly sheetId?: number;
  /** Default 1000, as a new Google sheet has. */
  readonly rowCount?: number;
  /** Default 26 (A–Z), as a new Google sheet has. */
  readonly columnCount?: number;
  /** Cells from A1 down, row by row. */
  readonly values?: readonly (readonly string[])[];
}

/** Options for {@link startSheetsStandIn}. */
export interface SheetsStandInOptions {
  /** The one spreadsheet served; any other id gets 404. Default `stand-in-spreadsheet`. */
  readonly spreadsheetId?: string;
  /** The spreadsheet's title. Default `Untitled spreadsheet`. */
  readonly title?: string;
  /** The sheets it starts (and {@link SheetsStandIn.reset}s) with. Default one empty `Sheet1`, id 0. */
  readonly sheets?: readonly SeedSheet[];
  /** The clock for `at` and for quota windows, so that a simulated clock drives them. Default `Date.now`. */
  readonly now?: () => number;
  /** Answer 401 UNAUTHENTICATED to a Sheets call without a bearer token (default true). */
  readonly requireAuth?: boolean;
}

/** A status {@link SheetsStandIn.failNext} can answer with, each in Google's own words. */
export type InjectedStatus = 400 | 401 | 403 | 404 | 429 | 500 | 503;

/** What {@link SheetsStandIn.failNext} answers with. */
export interface InjectedFault {
  readonly status: InjectedStatus;
  /** How many matching requests fail (default 1; `Infinity` until {@link SheetsStandIn.reset}). */
  readonly times?: number;
  /** Replaces Google's message for that status. */
  readonly message?: string;
}

/** Per-minute limits, counted over a sliding 60-second window of the `now` clock. Google's default per user is 60 of each. */
export interface SheetsQuota {
  readonly writesPerMinute?: number;
  readonly readsPerMinute?: number;
}

/** A sheet's properties as `spreadsheets.get` reports them. */
export interface SheetProperties {
  readonly sheetId: number;
  readonly title: string;
  readonly index: number;
  readonly sheetType: "GRID";
  readonly gridProperties: {
    readonly rowCount: number;
    readonly columnCount: number;
    readonly frozenRowCount?: number;
    readonly frozenColumnCount?: number;
  };
}

/** A running stand-in. See {@link startSheetsStandIn}. */
export interface SheetsStandIn {
  /** Pass as `sheets({ version: "v4", rootUrl })`, e.g. `http://127.0.0.1:40123/`. */
  readonly rootUrl: string;
  /** Pass as `new OAuth2Client({ endpoints: { oauth2TokenUrl: tokenUrl } })`, e.g. `http://127.0.0.1:40123/token`. */
  readonly tokenUrl: string;
  readonly spreadsheetId: string;
  /** Every request, in arrival order, including refused, injected and quota-refused ones. */
  readonly requests: readonly SheetsRequest[];
  /** How many requests called `api` (what the P5 benchmark reads). */
  count(api: SheetsApi): number;
  /** How many requests the quota refused with 429 (injected faults not included). */
  readonly quotaViolations: number;
  /** The sheet as its user would see it: rows from row 1, trailing empty cells and rows left out. Throws for an unknown title. */
  sheet(title: string): string[][];
  /** The sheets' titles, in tab order. */
  sheetTitles(): string[];
  /** A sheet's properties; throws for an unknown title. */
  sheetProperties(title: string): SheetProperties;
  /** Adds a sheet by hand (as its user would), returning its properties. */
  addSheet(title: string, grid?: { rowCount?: number; columnCount?: number }): SheetProperties;
  /** Renames a sheet by hand. */
  renameSheet(title: string, newTitle: string): void;
  /** Sets one cell by hand, e.g. `setCell("Leads", "C7", "VIP")`; grows the grid if needed. */
  setCell(title: string, cell: string, value: string): void;
  /** Types a block of rows by hand, starting at `cell` (e.g. `"A2"`). */
  setValues(title: string, cell: string, rows: readonly (readonly string[])[]): void;
  /** Drags row `from` so that it becomes row `to` (1-based, as the row headers show). */
  moveRow(title: string, from: number, to: number): void;
  /** Deletes row `row` (1-based) by hand: the rows below move up and the grid loses a row. */
  deleteRow(title: string, row: number): void;
  /** Inserts an empty row so that it becomes row `row` (1-based); the rows from there move down. */
  insertRow(title: string, row: number): void;
  /** Clears row `row`'s contents (select the row, press Delete): the empty row stays. */
  clearRow(title: string, row: number): void;
  /** Fails the next `times` requests that call `api` (`"*"` matches every api, `token` included) with `status`, before any other check. */
  failNext(api: SheetsApi | "*", fault: InjectedFault): void;
  /** Holds the next `times` (default 1) matching requests for `ms` real milliseconds, then carries them out and answers, as a slow Google would, whether or not the client is still waiting. */
  hangNext(api: SheetsApi | "*", ms: number, times?: number): void;
  /** Drops every fault and hang still waiting to happen: the outage is over. */
  clearFaults(): void;
  /** Enforces per-minute limits with 429 RESOURCE_EXHAUSTED; `undefined` lifts them. */
  quota(limits: SheetsQuota | undefined): void;
  /** Back to the seed sheets; forgets requests, faults, hangs, quota and violations. */
  reset(): void;
  /** Stops the server, drops open connections and releases hung requests. */
  close(): Promise<void>;
}

type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
type JsonObject = { [key: string]: JsonValue };

const googleStatus: Record<InjectedStatus, { status: string; message: string }> = {
  400: { status: "INVALID_ARGUMENT", message: "Request contains an invalid argument." },
  401: {
    status: "UNAUTHENTICATED",
    message:
      "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.",
  },
  403: { status: "PERMISSION_DENIED", message: "The caller does not have permission" },
  404: { status: "NOT_FOUND", message: "Requested entity was not found." },
  429: { status: "RESOURCE_EXHAUSTED", message: "Quota exceeded." },
  500: { status: "INTERNAL", message: "Internal error encountered." },
  503: { status: "UNAVAILABLE", message: "The service is currently unavailable." },
};

/** A refusal in Google's words, thrown inside a handler and turned into an error response. */
class Refusal extends Error {
  readonly code: number;
  readonly body: JsonObject;
  constructor(code: number, body: JsonObject) {
    super(`refused with ${code}`);
    this.code = code;
    this.body = body;
  }
}

function googleError(code: number, status: string, message: string, details?: JsonValue[]): Refusal {
  const error: JsonObject = { code, message, status };
  if (details !== undefined) error["details"] = details;
  return new Refusal(code, { error });
}

const invalid = (message: string): Refusal => googleError(400, "INVALID_ARGUMENT", message);

function quotaExceeded(api: SheetsApi): Refusal {
  const kind = sheetsWriteApis.has(api) ? "Write" : "Read";
  return googleError(
    429,
    "RESOURCE_EXHAUSTED",
    `Quota exceeded for quota metric '${kind} requests' and limit '${kind} requests per minute per user' of service 'sheets.googleapis.com' for consumer 'project_number:000000000000'.`,
    [
      {
        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
        reason: "RATE_LIMIT_EXCEEDED",
        domain: "googleapis.com",
        metadata: {
          quota_metric: `sheets.googleapis.com/${kind.toLowerCase()}_requests`,
          quota_limit: `${kind}RequestsPerMinutePerUser`,
          service: "sheets.googleapis.com",
          consumer: "projects/000000000000",
        },
      },
    ],
  );
}

// ---------------------------------------------------------------------------------------------
// The model: sheets of string cells.

interface SheetModel {
  sheetId: number;
  title: string;
  rowCount: number;
  columnCount: number;
  frozenRowCount: number;
  frozenColumnCount: number;
  /** Row-major; a row may be shorter than `columnCount`, and rows past the last used one may be missing. */
  cells: string[][];
}

const defaultRowCount = 1000;
const defaultColumnCount = 26;

function rowOf(sheet: SheetModel, row: number): string[] {
  while (sheet.cells.length <= row) sheet.cells.push([]);
  const cells = sheet.cells[row];
  if (cells === undefined) throw new Error("unreachable: row was just added");
  return cells;
}

const cellAt = (sheet: SheetModel, row: number, column: number): string => sheet.cells[row]?.[column] ?? "";

function setCellAt(sheet: SheetModel, row: number, column: number, value: string): void {
  if (row >= sheet.rowCount) sheet.rowCount = row + 1;
  if (column >= sheet.columnCount) sheet.columnCount = column + 1;
  const cells = rowOf(sheet, row);
  while (cells.length < column) cells.push("");
  cells[column] = value;
}

/** Drops trailing empty cells of each row, then trailing empty rows. */
function trimmed(rows: string[][]): string[][] {
  const out = rows.map((row) => {
    let end = row.length;
    while (end > 0 && row[end - 1] === "") end -= 1;
    return row.slice(0, end);
  });
  while (out.length > 0 && out[out.length - 1]?.length === 0) out.pop();
  return out;
}

function box(sheet: SheetModel, r0: number, c0: number, r1: number, c1: number): string[][] {
  const rows: string[][] = [];
  for (let r = r0; r <= r1; r += 1) {
    const row: string[] = [];
    for (let c = c0; c <= c1; c += 1) row.push(cellAt(sheet, r, c));
    rows.push(row);
  }
  return rows;
}

function transpose<T>(rows: readonly (readonly T[])[], fill: T): T[][] {
  const width = Math.max(0, ...rows.map((row) => row.length));
  const out: T[][] = [];
  for (let c = 0; c < width; c += 1) out.push(rows.map((row) => row[c] ?? fill));
  return out;
}

function cloneSheet(sheet: SheetModel): SheetModel {
  return { ...sheet, cells: sheet.cells.map((row) => [...row]) };
}

function propertiesOf(sheet: SheetModel, index: number): SheetProperties {
  return {
    sheetId: sheet.sheetId,
    title: sheet.title,
    index,
    sheetType: "GRID",
    gridProperties: {
      rowCount: sheet.rowCount,
      columnCount: sheet.columnCount,
      ...(sheet.frozenRowCount > 0 ? { frozenRowCount: sheet.frozenRowCount } : {}),
      ...(sheet.frozenColumnCount > 0 ? { frozenColumnCount: sheet.frozenColumnCount } : {}),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// A1 notation.

/** `A` → 0, `Z` → 25, `AA` → 26. */
function columnIndex(letters: string): number {
  let index = 0;
  for (const letter of letters.toUpperCase()) index = index * 26 + (letter.charCodeAt(0) - 64);
  return index - 1;
}

/** 0 → `A`, 26 → `AA`. */
function columnLetters(index: number): string {
  let letters = "";
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  return letters;
}

/** A sheet name as Google writes it in a range: bare when it is a plain word, quoted otherwise. */
function quoteTitle(title: string, always = false): string {
  const plain = /^[A-Za-z_][A-Za-z0-9_]*$/.test(title) && !/^[A-Za-z]{1,3}\d+$/.test(title) && !/^R\d*C\d*$/i.test(title);
  return plain && !always ? title : `'${title.replaceAll("'", "''")}'`;
}

function formatBox(sheet: SheetModel, r0: number, c0: number, r1: number, c1: number, alwaysQuote = false): string {
  const start = `${columnLetters(c0)}${r0 + 1}`;
  const end = `${columnLetters(c1)}${r1 + 1}`;
  return `${quoteTitle(sheet.title, alwaysQuote)}!${start === end ? start : `${start}:${end}`}`;
}

/** A parsed range: `end*` undefined means open-ended (to the grid's edge). */
interface Target {
  readonly sheet: SheetModel;
  readonly kind: "sheet" | "cell" | "box";
  readonly startRow: number;
  readonly startColumn: number;
  readonly endRow: number | undefined;
  readonly endColumn: number | undefined;
}

interface CellRef {
  readonly row: number | undefined;
  readonly column: number | undefined;
}

function parseCellRef(text: string): CellRef | undefined {
  const match = /^\$?([A-Za-z]{0,3})\$?(\d*)$/.exec(text);
  if (match === null) return undefined;
  const [, letters = "", digits = ""] = match;
  if (letters === "" && digits === "") return undefined;
  const row = digits === "" ? undefined : Number(digits) - 1;
  if (row !== undefined && row < 0) return undefined;
  return { row, column: letters === "" ? undefined : columnIndex(letters) };
}

/** Splits `'It''s'!A1` into the title and the cell part; `bare` when there is no `!`. */
function splitSheetName(text: string): { title: string; cells: string | undefined } | { bare: string } | undefined {
  if (text.startsWith("'")) {
    let title = "";
    let i = 1;
    for (;;) {
      const ch = text[i];
      if (ch === undefined) return undefined;
      if (ch === "'") {
        if (text[i + 1] === "'") {
          title += "'";
          i += 2;
          continue;
        }
        break;
      }
      title += ch;
      i += 1;
    }
    const rest = text.slice(i + 1);
    if (rest === "") return { title, cells: undefined };
    return rest.startsWith("!") ? { title, cells: rest.slice(1) } : undefined;
  }
  const bang = text.lastIndexOf("!");
  return bang < 0 ? { bare: text } : { title: text.slice(0, bang), cells: text.slice(bang + 1) };
}

function parseCells(sheet: SheetModel, cells: string): Target | undefined {
  const parts = cells.split(":");
  if (parts.length === 1) {
    const cell = parseCellRef(parts[0] ?? "");
    if (cell?.row === undefined || cell.column === undefined) return undefined;
    return { sheet, kind: "cell", startRow: cell.row, startColumn: cell.column, endRow: cell.row, endColumn: cell.column };
  }
  if (parts.length !== 2) return undefined;
  const start = parseCellRef(parts[0] ?? "");
  const end = parseCellRef(parts[1] ?? "");
  if (start === undefined || end === undefined) return undefined;
  let [startRow, endRow] = [start.row ?? 0, end.row];
  let [startColumn, endColumn] = [start.column ?? 0, end.column];
  if (endRow !== undefined && endRow < startRow) [startRow, endRow] = [endRow, startRow];
  if (endColumn !== undefined && endColumn < startColumn) [startColumn, endColumn] = [endColumn, startColumn];
  return { sheet, kind: "box", startRow, startColumn, endRow, endColumn };
}

// ---------------------------------------------------------------------------------------------
// Field masks (`fields=sheets(properties(sheetId,title))`, `fields=sheets.properties.title`).

type FieldMask = Map<string, FieldMask | true>;

function parseFieldMask(text: string): FieldMask {
  const source = text.replace(/\s+/g, "");
  let i = 0;
  const fail = (): never => {
    throw invalid(`Invalid field selection ${text}`);
  };
  function child(into: FieldMask, name: string): FieldMask | undefined {
    const existing = into.get(name);
    if (existing === true) return undefined;
    const mask = existing ?? new Map<string, FieldMask | true>();
    into.set(name, mask);
    return mask;
  }
  function item(into: FieldMask): void {
    const name = /^[A-Za-z0-9_*]+/.exec(source.slice(i))?.[0] ?? fail();
    i += name.length;
    if (source[i] === ".") {
      i += 1;
      const sub = child(into, name);
      item(sub ?? new Map());
    } else if (source[i] === "(") {
      i += 1;
      const sub = child(into, name) ?? new Map<string, FieldMask | true>();
      list(sub);
      if (source[i] !== ")") fail();
      i += 1;
    } else {
      into.set(name, true);
    }
  }
  function list(into: FieldMask): void {
    item(into);
    while (source[i] === ",") {
      i += 1;
      item(into);
    }
  }
  const mask: FieldMask = new Map();
  list(mask);
  if (i !== source.length) fail();
  return mask;
}

function project(value: JsonValue, mask: FieldMask): JsonValue {
  if (Array.isArray(value)) return value.map((item) => project(item, mask));
  if (value === null || typeof value !== "object") return value;
  if (mask.get("*") === true) return value;
  const out: JsonObject = {};
  for (const [name, sub] of mask) {
    const field = value[name];
    if (field === undefined) continue;
    out[name] = sub === true ? field : project(field, sub);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Reading request bodies without `any`.

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function integer(value: unknown, where: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "number" && Number.isInteger(value)) return value;
  if (typeof value === "string" && /^-?\d+$/.test(value)) return Number(value);
  throw invalid(`Invalid value at '${where}' (TYPE_INT32), ${JSON.stringify(value)}`);
}

/** A cell value as the client sent it, as text; `null` means "leave this cell alone". */
function cellText(value: unknown, where: string): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
  throw invalid(`Invalid ${where}: ${JSON.stringify(value)}`);
}

/** The `values` of a ValueRange, row-major whatever `majorDimension` it was sent in. */
function rowsOf(valueRange: Record<string, unknown>, where: string): (string | null)[][] {
  const values = valueRange["values"];
  if (values === undefined) return [];
  if (!Array.isArray(values)) throw invalid(`Invalid value at '${where}.values' (type.googleapis.com/google.protobuf.ListValue)`);
  const lines = values.map((line: unknown, r) => {
    if (!Array.isArray(line)) throw invalid(`Invalid value at '${where}.values[${r}]' (type.googleapis.com/google.protobuf.ListValue)`);
    return line.map((value: unknown, c) => cellText(value, `${where}.values[${r}][${c}]`));
  });
  const dimension = valueRange["majorDimension"];
  if (dimension === "COLUMNS") return transpose(lines, null);
  if (dimension !== undefined && dimension !== "ROWS" && dimension !== "DIMENSION_UNSPECIFIED") {
    throw invalid(`Invalid value at '${where}.major_dimension' (type.googleapis.com/google.apps.sheets.v4.Dimension), ${JSON.stringify(dimension)}`);
  }
  return lines;
}

function checkValueInputOption(option: unknown): void {
  if (option === undefined || option === null || option === "" || option === "INPUT_VALUE_OPTION_UNSPECIFIED") {
    throw invalid("'valueInputOption' is required but not specified");
  }
  if (option !== "RAW" && option !== "USER_ENTERED") {
    throw invalid(`Invalid value at 'value_input_option' (type.googleapis.com/google.apps.sheets.v4.ValueInputOption), ${JSON.stringify(option)}`);
  }
}

function parseJsonBody(body: Buffer): unknown {
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    throw invalid("Invalid JSON payload received. Unexpected token.");
  }
}

// ---------------------------------------------------------------------------------------------
// Routing.

interface Route {
  readonly api: SheetsApi;
  readonly spreadsheetId?: string;
  readonly range?: string;
}

/** Percent-decoding that leaves a malformed escape as sent. */
function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** Routes on the path as sent: the encoded range holds no literal `:` or `/`, so the suffixes are unambiguous. */
function routeOf(method: string, rawPath: string): Route {
  if (rawPath === "/token") return { api: method === "POST" ? "token" : "unknown" };
  const spreadsheet = /^\/v4\/spreadsheets\/([^/:]+)(.*)$/.exec(rawPath);
  if (spreadsheet === null) return { api: "unknown" };
  const spreadsheetId = decode(spreadsheet[1] ?? "");
  const rest = spreadsheet[2] ?? "";
  if (rest === "" && method === "GET") return { api: "spreadsheets.get", spreadsheetId };
  if (rest === ":batchUpdate" && method === "POST") return { api: "spreadsheets.batchUpdate", spreadsheetId };
  if (rest === "/values:batchGet" && method === "GET") return { api: "values.batchGet", spreadsheetId };
  if (rest === "/values:batchUpdate" && method === "POST") return { api: "values.batchUpdate", spreadsheetId };
  const values = /^\/values\/([^/]+)$/.exec(rest);
  if (values !== null) {
    const raw = values[1] ?? "";
    if (method === "POST" && raw.endsWith(":append")) return { api: "values.append", spreadsheetId, range: decode(raw.slice(0, -":append".length)) };
    if (method === "GET") return { api: "values.get", spreadsheetId, range: decode(raw) };
    if (method === "PUT") return { api: "values.update", spreadsheetId, range: decode(raw) };
  }
  return { api: "unknown", spreadsheetId };
}

/** Batch requests that only format; accepted and answered with an empty reply. */
const formattingRequests = new Set([
  "repeatCell",
  "updateCells",
  "updateBorders",
  "updateDimensionProperties",
  "autoResizeDimensions",
  "mergeCells",
  "unmergeCells",
  "setBasicFilter",
  "clearBasicFilter",
  "addConditionalFormatRule",
  "setDataValidation",
  "updateSpreadsheetProperties",
  "addProtectedRange",
  "addBanding",
]);

/** Batch requests Google knows that this stand-in does not model; refused so that a test notices. */
const unmodelledRequests = new Set([
  "sortRange",
  "moveDimension",
  "copyPaste",
  "cutPaste",
  "findReplace",
  "duplicateSheet",
  "appendCells",
  "insertRange",
  "deleteRange",
  "pasteData",
  "textToColumns",
  "deleteDuplicates",
  "trimWhitespace",
  "randomizeRange",
  "addNamedRange",
  "addChart",
  "addFilterView",
]);

// ---------------------------------------------------------------------------------------------

interface RequestRecord {
  method: string;
  path: string;
  api: SheetsApi;
  status: number;
  at: number;
  authorized: boolean;
  ranges: string[];
}

interface FaultRule {
  readonly api: SheetsApi | "*";
  readonly status: InjectedStatus;
  readonly message: string | undefined;
  remaining: number;
}

interface HangRule {
  readonly api: SheetsApi | "*";
  readonly ms: number;
  remaining: number;
}

interface WriteOutcome {
  readonly updatedRange: string;
  readonly updatedRows: number;
  readonly updatedColumns: number;
  readonly updatedCells: number;
  readonly sheetId: number;
}

/**
 * Starts a Sheets API stand-in on 127.0.0.1 at a free port. See the module's TSDoc for what it
 * answers and {@link SheetsStandIn} for what a test can see and steer.
 */
export async function startSheetsStandIn(options: SheetsStandInOptions = {}): Promise<SheetsStandIn> {
  const spreadsheetId = options.spreadsheetId ?? "stand-in-spreadsheet";
  const spreadsheetTitle = options.title ?? "Untitled spreadsheet";
  const now = options.now ?? Date.now;
  const requireAuth = options.requireAuth ?? true;
  const seeds: readonly SeedSheet[] = options.sheets ?? [{ title: "Sheet1" }];

  let sheets: SheetModel[] = [];
  let idState = 1978;
  let requests: RequestRecord[] = [];
  let faults: FaultRule[] = [];
  let hangs: HangRule[] = [];
  let limits: SheetsQuota | undefined;
  let violations = 0;
  let acceptedReads: number[] = [];
  let acceptedWrites: number[] = [];
  let tokensIssued = 0;
  const pendingHangs = new Set<{ timer: NodeJS.Timeout; release: () => void }>();

  /** Google-looking sheet ids (nine or ten digits), the same sequence on every run. */
  function nextSheetId(): number {
    do idState = (idState * 48271) % 2147483647;
    while (sheets.some((sheet) => sheet.sheetId === idState));
    return idState;
  }

  function seed(): void {
    sheets = [];
    idState = 1978;
    for (const [i, s] of seeds.entries()) {
      const sheet: SheetModel = {
        sheetId: s.sheetId ?? (i === 0 ? 0 : nextSheetId()),
        title: s.title,
        rowCount: s.rowCount ?? defaultRowCount,
        columnCount: s.columnCount ?? defaultColumnCount,
        frozenRowCount: 0,
        frozenColumnCount: 0,
        cells: [],
      };
      for (const [r, row] of (s.values ?? []).entries()) for (const [c, value] of row.entries()) setCellAt(sheet, r, c, value);
      sheets.push(sheet);
    }
  }
  seed();

  const findSheet = (title: string): SheetModel | undefined => {
    const wanted = title.toLowerCase();
    return sheets.find((sheet) => sheet.title.toLowerCase() === wanted);
  };

  function sheetNamed(title: string): SheetModel {
    const sheet = findSheet(title);
    if (sheet === undefined) throw new Error(`no sheet titled ${JSON.stringify(title)}`);
    return sheet;
  }

  function resolve(range: string): Target {
    const unparseable = (): Refusal => invalid(`Unable to parse range: ${range}`);
    const split = splitSheetName(range);
    if (split === undefined) throw unparseable();
    if ("bare" in split) {
      const named = findSheet(split.bare);
      if (named !== undefined) return { sheet: named, kind: "sheet", startRow: 0, startColumn: 0, endRow: undefined, endColumn: undefined };
      const first = sheets[0];
      const target = first === undefined ? undefined : parseCells(first, split.bare);
      if (target === undefined) throw unparseable();
      return target;
    }
    const sheet = findSheet(split.title);
    if (sheet === undefined) throw unparseable();
    if (split.cells === undefined) return { sheet, kind: "sheet", startRow: 0, startColumn: 0, endRow: undefined, endColumn: undefined };
    const target = parseCells(sheet, split.cells);
    if (target === undefined) throw unparseable();
    return target;
  }

  /** The target clamped to the grid, refused as Google does when a bound lies outside it. */
  function readBounds(target: Target): [number, number, number, number] {
    const { sheet } = target;
    const r1 = target.endRow ?? sheet.rowCount - 1;
    const c1 = target.endColumn ?? sheet.columnCount - 1;
    if (target.startRow >= sheet.rowCount || target.startColumn >= sheet.columnCount || r1 >= sheet.rowCount || c1 >= sheet.columnCount) {
      const shown = formatBox(sheet, target.startRow, target.startColumn, Math.max(r1, target.startRow), Math.max(c1, target.startColumn), true);
      throw invalid(`Range (${shown}) exceeds grid limits. Max rows: ${sheet.rowCount}, max columns: ${sheet.columnCount}`);
    }
    return [target.startRow, target.startColumn, r1, c1];
  }

  function readValueRange(range: string, majorDimension: string | null): JsonObject {
    const target = resolve(range);
    const [r0, c0, r1, c1] = readBounds(target);
    const columns = majorDimension === "COLUMNS";
    if (majorDimension !== null && majorDimension !== "ROWS" && !columns) {
      throw invalid(`Invalid value at 'major_dimension' (type.googleapis.com/google.apps.sheets.v4.Dimension), ${JSON.stringify(majorDimension)}`);
    }
    const cells = box(target.sheet, r0, c0, r1, c1);
    const values = trimmed(columns ? transpose(cells, "") : cells);
    const out: JsonObject = { range: formatBox(target.sheet, r0, c0, r1, c1), majorDimension: columns ? "COLUMNS" : "ROWS" };
    if (values.length > 0) out["values"] = values;
    return out;
  }

  function write(target: Target, rows: readonly (readonly (string | null)[])[], label: string, bounded: boolean): WriteOutcome {
    const { sheet, startRow, startColumn } = target;
    if (bounded && target.kind === "box") {
      for (const [i, row] of rows.entries()) {
        if (target.endRow !== undefined && row.length > 0 && startRow + i > target.endRow) {
          throw invalid(`Requested writing within range [${label}], but tried writing to row [${startRow + i + 1}]`);
        }
        if (target.endColumn !== undefined && startColumn + row.length - 1 > target.endColumn) {
          throw invalid(`Requested writing within range [${label}], but tried writing to column [${columnLetters(startColumn + row.length - 1)}]`);
        }
      }
    }
    let updatedRows = 0;
    let updatedCells = 0;
    const columns = new Set<number>();
    for (const [i, row] of rows.entries()) {
      let wrote = false;
      for (const [j, value] of row.entries()) {
        if (value === null) continue;
        setCellAt(sheet, startRow + i, startColumn + j, value);
        columns.add(j);
        updatedCells += 1;
        wrote = true;
      }
      if (wrote) updatedRows += 1;
    }
    const width = Math.max(1, ...rows.map((row) => row.length));
    const height = Math.max(1, rows.length);
    return {
      updatedRange: formatBox(sheet, startRow, startColumn, startRow + height - 1, startColumn + width - 1),
      updatedRows,
      updatedColumns: columns.size,
      updatedCells,
      sheetId: sheet.sheetId,
    };
  }

  /** Like Google's JSON: zero counts are left out. */
  function updateResponse(outcome: WriteOutcome): JsonObject {
    const out: JsonObject = { spreadsheetId, updatedRange: outcome.updatedRange };
    if (outcome.updatedRows > 0) out["updatedRows"] = outcome.updatedRows;
    if (outcome.updatedColumns > 0) out["updatedColumns"] = outcome.updatedColumns;
    if (outcome.updatedCells > 0) out["updatedCells"] = outcome.updatedCells;
    return out;
  }

  function withUpdatedData(out: JsonObject, outcome: WriteOutcome, include: boolean): JsonObject {
    if (include) out["updatedData"] = readValueRange(outcome.updatedRange, null);
    return out;
  }

  function valuesUpdate(range: string, query: URLSearchParams, body: unknown): JsonObject {
    checkValueInputOption(query.get("valueInputOption") ?? undefined);
    if (!isRecord(body)) throw invalid("Invalid JSON payload received. Expected an object.");
    const target = resolve(range);
    const bodyRange = body["range"];
    if (typeof bodyRange === "string" && !sameTarget(resolve(bodyRange), target)) {
      throw invalid(`Invalid ValueRange range: ${bodyRange} must match the range in the URL: ${range}`);
    }
    const outcome = write(target, rowsOf(body, "data"), range, true);
    return withUpdatedData(updateResponse(outcome), outcome, query.get("includeValuesInResponse") === "true");
  }

  function valuesAppend(range: string, query: URLSearchParams, body: unknown): JsonObject {
    checkValueInputOption(query.get("valueInputOption") ?? undefined);
    const insertDataOption = query.get("insertDataOption") ?? "OVERWRITE";
    if (insertDataOption !== "OVERWRITE" && insertDataOption !== "INSERT_ROWS") {
      throw invalid(`Invalid value at 'insert_data_option' (type.googleapis.com/google.apps.sheets.v4.InsertDataOption), ${JSON.stringify(insertDataOption)}`);
    }
    if (!isRecord(body)) throw invalid("Invalid JSON payload received. Expected an object.");
    const target = resolve(range);
    const { sheet, startRow, startColumn } = target;
    const lastColumn = target.kind === "box" && target.endColumn !== undefined ? target.endColumn : sheet.columnCount - 1;
    let firstUsed = -1;
    let lastUsed = -1;
    let widest = startColumn;
    for (let r = startRow; r < sheet.cells.length; r += 1) {
      for (let c = startColumn; c <= lastColumn; c += 1) {
        if (cellAt(sheet, r, c) === "") continue;
        if (firstUsed < 0) firstUsed = r;
        lastUsed = r;
        widest = Math.max(widest, c);
      }
    }
    const at = lastUsed < 0 ? startRow : lastUsed + 1;
    const rows = rowsOf(body, "data");
    if (insertDataOption === "INSERT_ROWS" && rows.length > 0) {
      if (at < sheet.cells.length) sheet.cells.splice(at, 0, ...rows.map((): string[] => []));
      sheet.rowCount += rows.length;
    }
    const anchor: Target = { sheet, kind: "cell", startRow: at, startColumn, endRow: at, endColumn: startColumn };
    const outcome = write(anchor, rows, range, false);
    const out: JsonObject = { spreadsheetId };
    if (lastUsed >= 0) out["tableRange"] = formatBox(sheet, firstUsed, startColumn, lastUsed, widest);
    out["updates"] = withUpdatedData(updateResponse(outcome), outcome, query.get("includeValuesInResponse") === "true");
    return out;
  }

  function valuesBatchUpdate(body: unknown): JsonObject {
    if (!isRecord(body)) throw invalid("Invalid JSON payload received. Expected an object.");
    checkValueInputOption(body["valueInputOption"]);
    const data = body["data"] ?? [];
    if (!Array.isArray(data)) throw invalid("Invalid value at 'data' (type.googleapis.com/google.apps.sheets.v4.ValueRange)");
    const planned = data.map((item: unknown, i) => {
      if (!isRecord(item) || typeof item["range"] !== "string") throw invalid(`Invalid data[${i}]: No range specified.`);
      return { range: item["range"], target: resolve(item["range"]), rows: rowsOf(item, `data[${i}]`) };
    });
    const outcomes = atomically(() => planned.map((p) => write(p.target, p.rows, p.range, true)));
    const out: JsonObject = { spreadsheetId };
    if (outcomes.length === 0) return out;
    const total = (pick: (o: WriteOutcome) => number): number => outcomes.reduce((sum, o) => sum + pick(o), 0);
    const totals: [string, number][] = [
      ["totalUpdatedRows", total((o) => o.updatedRows)],
      ["totalUpdatedColumns", total((o) => o.updatedColumns)],
      ["totalUpdatedCells", total((o) => o.updatedCells)],
      ["totalUpdatedSheets", new Set(outcomes.filter((o) => o.updatedCells > 0).map((o) => o.sheetId)).size],
    ];
    for (const [name, value] of totals) if (value > 0) out[name] = value;
    const includeValues = body["includeValuesInResponse"] === true;
    out["responses"] = outcomes.map((o) => withUpdatedData(updateResponse(o), o, includeValues));
    return out;
  }

  function sameTarget(a: Target, b: Target): boolean {
    return a.sheet === b.sheet && a.startRow === b.startRow && a.startColumn === b.startColumn && a.endRow === b.endRow && a.endColumn === b.endColumn;
  }

  /** Runs `change` on the model; if it throws, puts every sheet back as it was. */
  function atomically<T>(change: () => T): T {
    const saved = sheets.map(cloneSheet);
    const savedId = idState;
    try {
      return change();
    } catch (error) {
      sheets = saved;
      idState = savedId;
      throw error;
    }
  }

  function spreadsheetsGet(query: URLSearchParams): JsonValue {
    const ranges = query.getAll("ranges").map((range) => ({ range, target: resolve(range) }));
    const includeGridData = query.get("includeGridData") === "true";
    const shown = ranges.length === 0 ? sheets : sheets.filter((sheet) => ranges.some((r) => r.target.sheet === sheet));
    const sheetsOut: JsonValue[] = shown.map((sheet) => {
      const entry: JsonObject = { properties: jsonOf(propertiesOf(sheet, sheets.indexOf(sheet))) };
      if (includeGridData) {
        const wanted = ranges.length === 0 ? [resolve(quoteTitle(sheet.title))] : ranges.filter((r) => r.target.sheet === sheet).map((r) => r.target);
        entry["data"] = wanted.map((target) => {
          const [r0, c0, r1, c1] = readBounds(target);
          const rowData = trimmed(box(sheet, r0, c0, r1, c1)).map((row) => ({
            values: row.map((text): JsonObject => (text === "" ? {} : { userEnteredValue: { stringValue: text }, effectiveValue: { stringValue: text }, formattedValue: text })),
          }));
          const grid: JsonObject = { rowData };
          if (r0 > 0) grid["startRow"] = r0;
          if (c0 > 0) grid["startColumn"] = c0;
          return grid;
        });
      }
      return entry;
    });
    const full: JsonObject = {
      spreadsheetId,
      properties: { title: spreadsheetTitle, locale: "en_US", autoRecalc: "ON_CHANGE", timeZone: "Etc/GMT" },
      sheets: sheetsOut,
      spreadsheetUrl: `https://docs.google.com/spreadsheets/d/${spreadsheetId}/edit`,
    };
    const fields = query.get("fields");
    return fields === null || fields === "" ? full : project(full, parseFieldMask(fields));
  }

  function spreadsheetsBatchUpdate(body: unknown): JsonObject {
    if (!isRecord(body)) throw invalid("Invalid JSON payload received. Expected an object.");
    const list = body["requests"];
    if (!Array.isArray(list) || list.length === 0) throw invalid("Must specify at least one request.");
    const replies = atomically(() => list.map((request: unknown, i) => applyRequest(request, i)));
    return { spreadsheetId, replies };
  }

  function applyRequest(request: unknown, i: number): JsonObject {
    if (!isRecord(request)) throw invalid(`Invalid requests[${i}]: expected an object.`);
    const kinds = Object.keys(request);
    const kind = kinds[0];
    if (kind === undefined || kinds.length !== 1) throw invalid(`Invalid requests[${i}]: exactly one kind of request must be set.`);
    const fail = (message: string): Refusal => invalid(`Invalid requests[${i}].${kind}: ${message}`);
    const payload = request[kind];
    const body = isRecord(payload) ? payload : {};
    const bySheetId = (value: unknown): SheetModel => {
      const id = integer(value, `requests[${i}].${kind}.sheetId`) ?? 0;
      const sheet = sheets.find((s) => s.sheetId === id);
      if (sheet === undefined) throw fail(`No grid with id: ${id}`);
      return sheet;
    };
    const titleTaken = (title: string, except?: SheetModel): boolean => sheets.some((s) => s !== except && s.title.toLowerCase() === title.toLowerCase());
    switch (kind) {
      case "addSheet": {
        const properties = isRecord(body["properties"]) ? body["properties"] : {};
        const grid = isRecord(properties["gridProperties"]) ? properties["gridProperties"] : {};
        let title = typeof properties["title"] === "string" ? properties["title"] : undefined;
        if (title !== undefined && titleTaken(title)) throw fail(`A sheet with the name "${title}" already exists. Please enter another name.`);
        for (let n = sheets.length + 1; title === undefined; n += 1) if (!titleTaken(`Sheet${n}`)) title = `Sheet${n}`;
        const wantedId = integer(properties["sheetId"], `requests[${i}].addSheet.properties.sheetId`);
        if (wantedId !== undefined && sheets.some((s) => s.sheetId === wantedId)) throw fail(`Sheet with id ${wantedId} already exists.`);
        const sheet: SheetModel = {
          sheetId: wantedId ?? nextSheetId(),
          title,
          rowCount: integer(grid["rowCount"], "rowCount") ?? defaultRowCount,
          columnCount: integer(grid["columnCount"], "columnCount") ?? defaultColumnCount,
          frozenRowCount: integer(grid["frozenRowCount"], "frozenRowCount") ?? 0,
          frozenColumnCount: integer(grid["frozenColumnCount"], "frozenColumnCount") ?? 0,
          cells: [],
        };
        const index = Math.min(Math.max(integer(properties["index"], "index") ?? sheets.length, 0), sheets.length);
        sheets.splice(index, 0, sheet);
        return { addSheet: { properties: jsonOf(propertiesOf(sheet, index)) } };
      }
      case "deleteSheet": {
        const sheet = bySheetId(body["sheetId"]);
        if (sheets.length === 1) throw fail("You can't remove all the sheets in a document.");
        sheets.splice(sheets.indexOf(sheet), 1);
        return {};
      }
      case "updateSheetProperties": {
        const properties = isRecord(body["properties"]) ? body["properties"] : {};
        const grid = isRecord(properties["gridProperties"]) ? properties["gridProperties"] : {};
        const sheet = bySheetId(properties["sheetId"]);
        const fields = typeof body["fields"] === "string" ? body["fields"] : "";
        if (fields === "") throw fail("At least one field must be specified in 'fields'.");
        const mask = parseFieldMask(fields);
        const all = mask.get("*") === true;
        const gridMask = mask.get("gridProperties");
        const gridField = (name: string): boolean => all || gridMask === true || (gridMask !== undefined && gridMask.has(name));
        if (all || mask.has("title")) {
          const title = properties["title"];
          if (typeof title !== "string" || title === "") throw fail("A sheet's name cannot be empty.");
          if (titleTaken(title, sheet)) throw fail(`A sheet with the name "${title}" already exists. Please enter another name.`);
          sheet.title = title;
        }
        if (all || mask.has("index")) {
          const index = Math.min(Math.max(integer(properties["index"], "index") ?? 0, 0), sheets.length - 1);
          sheets.splice(sheets.indexOf(sheet), 1);
          sheets.splice(index, 0, sheet);
        }
        if (gridField("rowCount")) {
          const rowCount = integer(grid["rowCount"], "rowCount") ?? sheet.rowCount;
          if (rowCount < 1) throw fail("You can't delete all the rows on the sheet.");
          sheet.rowCount = rowCount;
          sheet.cells.length = Math.min(sheet.cells.length, rowCount);
        }
        if (gridField("columnCount")) {
          const columnCount = integer(grid["columnCount"], "columnCount") ?? sheet.columnCount;
          if (columnCount < 1) throw fail("You can't delete all the columns on the sheet.");
          sheet.columnCount = columnCount;
          for (const row of sheet.cells) row.length = Math.min(row.length, columnCount);
        }
        if (gridField("frozenRowCount")) sheet.frozenRowCount = integer(grid["frozenRowCount"], "frozenRowCount") ?? 0;
        if (gridField("frozenColumnCount")) sheet.frozenColumnCount = integer(grid["frozenColumnCount"], "frozenColumnCount") ?? 0;
        return {};
      }
      case "deleteDimension":
      case "insertDimension": {
        const range = isRecord(body["range"]) ? body["range"] : {};
        const sheet = bySheetId(range["sheetId"]);
        const dimension = range["dimension"];
        if (dimension !== "ROWS" && dimension !== "COLUMNS") throw fail("range.dimension must be ROWS or COLUMNS.");
        const rows = dimension === "ROWS";
        const count = rows ? sheet.rowCount : sheet.columnCount;
        const start = integer(range["startIndex"], "startIndex") ?? 0;
        const end = integer(range["endIndex"], "endIndex") ?? count;
        const deleting = kind === "deleteDimension";
        if (start < 0 || end <= start || (deleting ? end > count : start > count)) {
          throw fail(`Invalid ${dimension === "ROWS" ? "row" : "column"} range [${start}, ${end}) for a sheet of ${count}.`);
        }
        if (deleting && start === 0 && end === count) throw fail(`You can't delete all the ${rows ? "rows" : "columns"} on the sheet.`);
        const length = end - start;
        if (rows) {
          if (deleting) sheet.cells.splice(start, length);
          else if (start < sheet.cells.length) sheet.cells.splice(start, 0, ...Array.from({ length }, (): string[] => []));
          sheet.rowCount += deleting ? -length : length;
        } else {
          for (const row of sheet.cells) {
            if (deleting) row.splice(start, length);
            else if (start < row.length) row.splice(start, 0, ...Array.from({ length }, () => ""));
          }
          sheet.columnCount += deleting ? -length : length;
        }
        return {};
      }
      case "appendDimension": {
        const sheet = bySheetId(body["sheetId"]);
        const length = integer(body["length"], "length") ?? 0;
        if (length < 1) throw fail("length must be positive.");
        if (body["dimension"] === "ROWS") sheet.rowCount += length;
        else if (body["dimension"] === "COLUMNS") sheet.columnCount += length;
        else throw fail("dimension must be ROWS or COLUMNS.");
        return {};
      }
      default:
        if (formattingRequests.has(kind)) return {};
        if (unmodelledRequests.has(kind)) throw invalid(`The Sheets stand-in does not model "${kind}" requests (requests[${i}]).`);
        throw invalid(`Invalid JSON payload received. Unknown name "${kind}" at 'requests[${i}]': Cannot find field.`);
    }
  }

  function token(body: Buffer): [number, JsonObject] {
    const form = new URLSearchParams(body.toString("utf8"));
    const grant = form.get("grant_type");
    if (grant === "refresh_token" && !form.get("refresh_token")) return [400, { error: "invalid_request", error_description: "Missing required parameter: refresh_token" }];
    if (grant === "urn:ietf:params:oauth:grant-type:jwt-bearer" && !form.get("assertion")) return [400, { error: "invalid_request", error_description: "Missing required parameter: assertion" }];
    if (grant !== "refresh_token" && grant !== "urn:ietf:params:oauth:grant-type:jwt-bearer") {
      return [400, { error: "unsupported_grant_type", error_description: `Invalid grant_type: ${grant ?? ""}` }];
    }
    tokensIssued += 1;
    return [200, { access_token: `stand-in-access-token-${tokensIssued}`, expires_in: 3599, scope: "https://www.googleapis.com/auth/spreadsheets", token_type: "Bearer" }];
  }

  function takeRule<T extends { readonly api: SheetsApi | "*"; remaining: number }>(rules: T[], api: SheetsApi): T | undefined {
    const rule = rules.find((r) => r.remaining > 0 && (r.api === "*" || r.api === api));
    if (rule !== undefined) rule.remaining -= 1;
    return rule;
  }

  function checkQuota(api: SheetsApi, at: number): void {
    const write = sheetsWriteApis.has(api);
    if (!write && !sheetsReadApis.has(api)) return;
    acceptedWrites = acceptedWrites.filter((t) => t > at - 60_000);
    acceptedReads = acceptedReads.filter((t) => t > at - 60_000);
    const accepted = write ? acceptedWrites : acceptedReads;
    const limit = write ? limits?.writesPerMinute : limits?.readsPerMinute;
    if (limit !== undefined && accepted.length >= limit) {
      violations += 1;
      throw quotaExceeded(api);
    }
    accepted.push(at);
  }

  function answer(route: Route, record: RequestRecord, query: URLSearchParams, body: Buffer, parsedBody: unknown): [number, JsonValue] {
    const fault = takeRule(faults, route.api);
    if (fault !== undefined) {
      if (route.api === "token") return [fault.status, { error: googleStatus[fault.status].status.toLowerCase(), error_description: fault.message ?? googleStatus[fault.status].message }];
      const refusal = fault.status === 429 && fault.message === undefined ? quotaExceeded(route.api) : googleError(fault.status, googleStatus[fault.status].status, fault.message ?? googleStatus[fault.status].message);
      return [refusal.code, refusal.body];
    }
    if (route.api === "token") return token(body);
    try {
      if (route.api === "unknown") throw googleError(404, "NOT_FOUND", "Method not found.");
      if (requireAuth && !record.authorized) {
        throw googleError(
          401,
          "UNAUTHENTICATED",
          "Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.",
        );
      }
      if (route.spreadsheetId !== spreadsheetId) throw googleError(404, "NOT_FOUND", googleStatus[404].message);
      checkQuota(route.api, record.at);
      if (parsedBody instanceof Refusal) throw parsedBody;
      const range = route.range ?? "";
      switch (route.api) {
        case "spreadsheets.get":
          return [200, spreadsheetsGet(query)];
        case "spreadsheets.batchUpdate":
          return [200, spreadsheetsBatchUpdate(parsedBody)];
        case "values.get":
          return [200, readValueRange(range, query.get("majorDimension"))];
        case "values.update":
          return [200, valuesUpdate(range, query, parsedBody)];
        case "values.append":
          return [200, valuesAppend(range, query, parsedBody)];
        case "values.batchGet": {
          const ranges = query.getAll("ranges");
          const out: JsonObject = { spreadsheetId };
          if (ranges.length > 0) out["valueRanges"] = ranges.map((r) => readValueRange(r, query.get("majorDimension")));
          return [200, out];
        }
        case "values.batchUpdate":
          return [200, valuesBatchUpdate(parsedBody)];
      }
    } catch (error) {
      if (error instanceof Refusal) return [error.code, error.body];
      throw error;
    }
  }

  function rangesNamed(route: Route, query: URLSearchParams, parsedBody: unknown): string[] {
    if (route.range !== undefined) return [route.range];
    if (route.api === "values.batchGet" || route.api === "spreadsheets.get") return query.getAll("ranges");
    if (route.api === "values.batchUpdate" && isRecord(parsedBody) && Array.isArray(parsedBody["data"])) {
      return parsedBody["data"].flatMap((item: unknown) => (isRecord(item) && typeof item["range"] === "string" ? [item["range"]] : []));
    }
    return [];
  }

  function delay(ms: number): Promise<void> {
    return new Promise((release) => {
      const pending = { timer: setTimeout(() => done(), ms), release: () => done() };
      const done = (): void => {
        clearTimeout(pending.timer);
        pendingHangs.delete(pending);
        release();
      };
      pendingHangs.add(pending);
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
    const body = Buffer.concat(chunks);
    const method = req.method ?? "GET";
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const route = routeOf(method, url.pathname);
    let parsedBody: unknown;
    try {
      parsedBody = route.api === "token" ? undefined : parseJsonBody(body);
    } catch (error) {
      parsedBody = error;
    }
    const authorization = req.headers.authorization ?? "";
    const record: RequestRecord = {
      method,
      path: decode(url.pathname),
      api: route.api,
      status: 0,
      at: now(),
      authorized: /^Bearer\s+\S+/i.test(authorization),
      ranges: rangesNamed(route, url.searchParams, parsedBody),
    };
    requests.push(record);
    const hang = takeRule(hangs, route.api);
    if (hang !== undefined) await delay(hang.ms);
    const [status, payload] = answer(route, record, url.searchParams, body, parsedBody);
    record.status = status;
    if (!res.destroyed && !res.writableEnded) res.writeHead(status, { "content-type": "application/json; charset=UTF-8" }).end(JSON.stringify(payload));
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { "content-type": "application/json; charset=UTF-8" }).end(JSON.stringify({ error: { code: 500, message: googleStatus[500].message, status: "INTERNAL" } }));
      }
    });
  });
  await new Promise<void>((resolveListen) => server.listen(0, "127.0.0.1", resolveListen));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;

  const helperCell = (cell: string): { row: number; column: number } => {
    const ref = parseCellRef(cell);
    if (ref?.row === undefined || ref.column === undefined) throw new Error(`not a cell: ${JSON.stringify(cell)}`);
    return { row: ref.row, column: ref.column };
  };
  const helperRow = (sheet: SheetModel, row: number): number => {
    if (!Number.isInteger(row) || row < 1 || row > sheet.rowCount) throw new Error(`no row ${row} in ${JSON.stringify(sheet.title)}`);
    return row - 1;
  };

  return {
    rootUrl: `${origin}/`,
    tokenUrl: `${origin}/token`,
    spreadsheetId,
    get requests() {
      return requests;
    },
    count(api) {
      return requests.filter((r) => r.api === api).length;
    },
    get quotaViolations() {
      return violations;
    },
    sheet(title) {
      const sheet = sheetNamed(title);
      return trimmed(sheet.cells.map((row) => [...row]));
    },
    sheetTitles() {
      return sheets.map((sheet) => sheet.title);
    },
    sheetProperties(title) {
      const sheet = sheetNamed(title);
      return propertiesOf(sheet, sheets.indexOf(sheet));
    },
    addSheet(title, grid = {}) {
      if (findSheet(title) !== undefined) throw new Error(`a sheet titled ${JSON.stringify(title)} exists`);
      const sheet: SheetModel = {
        sheetId: nextSheetId(),
        title,
        rowCount: grid.rowCount ?? defaultRowCount,
        columnCount: grid.columnCount ?? defaultColumnCount,
        frozenRowCount: 0,
        frozenColumnCount: 0,
        cells: [],
      };
      sheets.push(sheet);
      return propertiesOf(sheet, sheets.length - 1);
    },
    renameSheet(title, newTitle) {
      const sheet = sheetNamed(title);
      const clash = findSheet(newTitle);
      if (clash !== undefined && clash !== sheet) throw new Error(`a sheet titled ${JSON.stringify(newTitle)} exists`);
      sheet.title = newTitle;
    },
    setCell(title, cell, value) {
      const { row, column } = helperCell(cell);
      setCellAt(sheetNamed(title), row, column, value);
    },
    setValues(title, cell, rows) {
      const sheet = sheetNamed(title);
      const { row, column } = helperCell(cell);
      for (const [i, line] of rows.entries()) for (const [j, value] of line.entries()) setCellAt(sheet, row + i, column + j, value);
    },
    moveRow(title, from, to) {
      const sheet = sheetNamed(title);
      const [a, b] = [helperRow(sheet, from), helperRow(sheet, to)];
      rowOf(sheet, Math.max(a, b));
      const [moved] = sheet.cells.splice(a, 1);
      sheet.cells.splice(b, 0, moved ?? []);
    },
    deleteRow(title, row) {
      const sheet = sheetNamed(title);
      const index = helperRow(sheet, row);
      if (sheet.rowCount === 1) throw new Error("a sheet keeps at least one row");
      sheet.cells.splice(index, 1);
      sheet.rowCount -= 1;
    },
    insertRow(title, row) {
      const sheet = sheetNamed(title);
      const index = helperRow(sheet, row);
      if (index < sheet.cells.length) sheet.cells.splice(index, 0, []);
      sheet.rowCount += 1;
    },
    clearRow(title, row) {
      const sheet = sheetNamed(title);
      const index = helperRow(sheet, row);
      if (index < sheet.cells.length) sheet.cells[index] = [];
    },
    failNext(api, fault) {
      faults.push({ api, status: fault.status, message: fault.message, remaining: fault.times ?? 1 });
    },
    hangNext(api, ms, times = 1) {
      hangs.push({ api, ms, remaining: times });
    },
    clearFaults() {
      faults = [];
      hangs = [];
    },
    quota(next) {
      limits = next;
    },
    reset() {
      seed();
      requests = [];
      faults = [];
      hangs = [];
      limits = undefined;
      violations = 0;
      acceptedReads = [];
      acceptedWrites = [];
      tokensIssued = 0;
    },
    close() {
      for (const pending of [...pendingHangs]) pending.release();
      server.closeAllConnections();
      return new Promise<void>((resolveClose, reject) => server.close((err) => (err ? reject(err) : resolveClose())));
    },
  };
}

/** Properties as JSON, for responses. */
function jsonOf(properties: SheetProperties): JsonObject {
  return {
    sheetId: properties.sheetId,
    title: properties.title,
    index: properties.index,
    sheetType: properties.sheetType,
    gridProperties: { ...properties.gridProperties },
  };
}
