import { sheets, type sheets_v4 } from "@googleapis/sheets";
import { gaxios, OAuth2Client } from "google-auth-library";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startSheetsStandIn, type InjectedStatus, type SheetsStandIn } from "./sheetsStandIn.ts";

const spreadsheetId = "crm-sheet";
const header = ["id", "name", "phone", "stage", "tags", "source", "created", "updated", "note", "city", "budget", "owner", "score"];

let standIn: SheetsStandIn;
let clock: number;
/** Every URL any auth client built here sent, seen by a gaxios interceptor before it left the process. */
let outgoing: string[];

beforeEach(async () => {
  clock = 1_700_000_000_000;
  outgoing = [];
  standIn = await startSheetsStandIn({ spreadsheetId, sheets: [{ title: "Leads" }], now: () => clock });
});

afterEach(async () => {
  await standIn.close();
  expect(outgoing.every((url) => new URL(url).hostname === "127.0.0.1")).toBe(true);
});

/** Refuses, before any socket is opened, a request for anywhere but the stand-in, and notes every URL. */
function keepLocal(auth: OAuth2Client): OAuth2Client {
  auth.transporter.interceptors.request.add({
    resolved: async (config) => {
      const url = String(config.url);
      outgoing.push(url);
      if (new URL(url).hostname !== "127.0.0.1") throw new Error(`refused a request leaving the machine: ${url}`);
      return config;
    },
  });
  return auth;
}

/** An auth client holding a token already: no expiry and no refresh token, so it never asks for another. */
function presetAuth(): OAuth2Client {
  const auth = keepLocal(new OAuth2Client());
  auth.setCredentials({ access_token: "test-token" });
  return auth;
}

/** The real client against the stand-in; gaxios's own retries are off unless a test turns them on. */
function clientFor(options: { auth?: OAuth2Client; timeout?: number; retry?: boolean } = {}): sheets_v4.Sheets {
  return sheets({ version: "v4", auth: options.auth ?? presetAuth(), rootUrl: standIn.rootUrl, retry: options.retry ?? false, ...(options.timeout !== undefined ? { timeout: options.timeout } : {}) });
}

/** The GaxiosError a call failed with, or a test failure if it succeeded or failed otherwise. */
async function failureOf(call: Promise<unknown>): Promise<gaxios.GaxiosError> {
  try {
    await call;
  } catch (error) {
    if (error instanceof gaxios.GaxiosError) return error;
    throw error;
  }
  throw new Error("expected the call to fail");
}

function googleErrorOf(error: gaxios.GaxiosError): { code?: unknown; message?: unknown; status?: unknown } {
  const data: unknown = error.response?.data;
  if (typeof data === "object" && data !== null && "error" in data && typeof data.error === "object" && data.error !== null) return data.error;
  throw new Error(`not a Google error body: ${JSON.stringify(data)}`);
}

describe("spreadsheets.get and batchUpdate", () => {
  it("reports the sheets with Google's default grid, and narrows the answer to the fields asked for", async () => {
    const api = clientFor();
    const full = await api.spreadsheets.get({ spreadsheetId });
    expect(full.data.spreadsheetId).toBe(spreadsheetId);
    expect(full.data.sheets).toEqual([{ properties: { sheetId: 0, title: "Leads", index: 0, sheetType: "GRID", gridProperties: { rowCount: 1000, columnCount: 26 } } }]);

    const narrow = await api.spreadsheets.get({ spreadsheetId, fields: "sheets(properties(sheetId,title))", includeGridData: false });
    expect(narrow.data).toEqual({ sheets: [{ properties: { sheetId: 0, title: "Leads" } }] });
    const dotted = await api.spreadsheets.get({ spreadsheetId, fields: "spreadsheetId,sheets.properties.gridProperties.rowCount" });
    expect(dotted.data).toEqual({ spreadsheetId, sheets: [{ properties: { gridProperties: { rowCount: 1000 } } }] });
  });

  it("adds a sheet, and refuses a second one of the same name in Google's words without applying any of the batch", async () => {
    const api = clientFor();
    const added = await api.spreadsheets.batchUpdate({
      spreadsheetId,
      requestBody: { requests: [{ addSheet: { properties: { title: "Archive", gridProperties: { rowCount: 50, columnCount: 13, frozenRowCount: 1 } } } }] },
    });
    const properties = added.data.replies?.[0]?.addSheet?.properties;
    expect(properties).toMatchObject({ title: "Archive", index: 1, gridProperties: { rowCount: 50, columnCount: 13, frozenRowCount: 1 } });
    expect(properties?.sheetId).toBeGreaterThan(0);
    expect(standIn.sheetTitles()).toEqual(["Leads", "Archive"]);

    const duplicate = await failureOf(
      api.spreadsheets.batchUpdate({ spreadsheetId, requestBody: { requests: [{ addSheet: { properties: { title: "Notes" } } }, { addSheet: { properties: { title: "Leads" } } }] } }),
    );
    expect(duplicate.status).toBe(400);
    expect(googleErrorOf(duplicate)).toEqual({
      code: 400,
      status: "INVALID_ARGUMENT",
      message: 'Invalid requests[1].addSheet: A sheet with the name "Leads" already exists. Please enter another name.',
    });
    expect(standIn.sheetTitles()).toEqual(["Leads", "Archive"]);
  });

  it("renames, freezes and resizes a sheet through updateSheetProperties", async () => {
    const api = clientFor();
    standIn.setValues("Leads", "A1", [header, ["1", "Ann"], ["2", "Bob"]]);
    await api.spreadsheets.batchUpdate({
      spreadsheetId,
      requestBody: {
        requests: [
          { updateSheetProperties: { properties: { sheetId: 0, title: "Leads 2024", gridProperties: { frozenRowCount: 1, rowCount: 2 } }, fields: "title,gridProperties(frozenRowCount,rowCount)" } },
          { repeatCell: { range: { sheetId: 0, endRowIndex: 1 }, cell: { userEnteredFormat: { textFormat: { bold: true } } }, fields: "userEnteredFormat.textFormat.bold" } },
        ],
      },
    });
    expect(standIn.sheetProperties("Leads 2024").gridProperties).toEqual({ rowCount: 2, columnCount: 26, frozenRowCount: 1 });
    expect(standIn.sheet("Leads 2024")).toEqual([header, ["1", "Ann"]]);
  });

  it("deletes rows by index, as the user then sees them, and the grid shrinks", async () => {
    const api = clientFor();
    standIn.setValues("Leads", "A1", [header, ["1", "Ann"], ["2", "Bob"], ["3", "Cid"], ["4", "Dee"]]);
    await api.spreadsheets.batchUpdate({ spreadsheetId, requestBody: { requests: [{ deleteDimension: { range: { sheetId: 0, dimension: "ROWS", startIndex: 2, endIndex: 4 } } }] } });
    expect(standIn.sheet("Leads")).toEqual([header, ["1", "Ann"], ["4", "Dee"]]);
    expect(standIn.sheetProperties("Leads").gridProperties.rowCount).toBe(998);

    const noGrid = await failureOf(api.spreadsheets.batchUpdate({ spreadsheetId, requestBody: { requests: [{ deleteDimension: { range: { sheetId: 42, dimension: "ROWS", startIndex: 0, endIndex: 1 } } }] } }));
    expect(googleErrorOf(noGrid).message).toBe("Invalid requests[0].deleteDimension: No grid with id: 42");
  });
});

describe("values", () => {
  it("writes a header with update, refuses values outside the range, and requires valueInputOption", async () => {
    const api = clientFor();
    const written = await api.spreadsheets.values.update({ spreadsheetId, range: "Leads!A1:M1", valueInputOption: "RAW", requestBody: { values: [header] } });
    expect(written.data).toEqual({ spreadsheetId, updatedRange: "Leads!A1:M1", updatedRows: 1, updatedColumns: 13, updatedCells: 13 });
    expect(standIn.sheet("Leads")).toEqual([header]);

    const tooWide = await failureOf(api.spreadsheets.values.update({ spreadsheetId, range: "Leads!A1:B1", valueInputOption: "RAW", requestBody: { values: [["a", "b", "c"]] } }));
    expect(googleErrorOf(tooWide).message).toBe("Requested writing within range [Leads!A1:B1], but tried writing to column [C]");
    const tooLong = await failureOf(api.spreadsheets.values.update({ spreadsheetId, range: "Leads!A2:B2", valueInputOption: "RAW", requestBody: { values: [["a"], ["b"]] } }));
    expect(googleErrorOf(tooLong).message).toBe("Requested writing within range [Leads!A2:B2], but tried writing to row [3]");
    const noOption = await failureOf(api.spreadsheets.values.update({ spreadsheetId, range: "Leads!A2", requestBody: { values: [["x"]] } }));
    expect(noOption.status).toBe(400);
    expect(googleErrorOf(noOption).message).toBe("'valueInputOption' is required but not specified");
    expect(standIn.sheet("Leads")).toEqual([header]);
  });

  it("stores numbers and booleans as their text, and leaves a cell sent as null alone", async () => {
    const api = clientFor();
    standIn.setValues("Leads", "A1", [["keep", "old"]]);
    await api.spreadsheets.values.update({ spreadsheetId, range: "Leads!A1", valueInputOption: "USER_ENTERED", requestBody: { values: [[null, 12.5, true, "=1+1"]] } });
    expect(standIn.sheet("Leads")).toEqual([["keep", "12.5", "TRUE", "=1+1"]]);
  });

  it("appends after the last non-empty row, even past a row the user cleared by hand", async () => {
    const api = clientFor();
    await api.spreadsheets.values.update({ spreadsheetId, range: "Leads!A1", valueInputOption: "RAW", requestBody: { values: [header] } });
    const first = await api.spreadsheets.values.append({ spreadsheetId, range: "Leads!A:M", valueInputOption: "RAW", insertDataOption: "INSERT_ROWS", requestBody: { values: [["1", "Ann"], ["2", "Bob"]] } });
    expect(first.data).toEqual({
      spreadsheetId,
      tableRange: "Leads!A1:M1",
      updates: { spreadsheetId, updatedRange: "Leads!A2:B3", updatedRows: 2, updatedColumns: 2, updatedCells: 4 },
    });
    standIn.clearRow("Leads", 2);
    const second = await api.spreadsheets.values.append({ spreadsheetId, range: "Leads!A1", valueInputOption: "RAW", requestBody: { values: [["3", "Cid"]] } });
    expect(second.data.updates?.updatedRange).toBe("Leads!A4:B4");
    expect(standIn.sheet("Leads")).toEqual([header, [], ["2", "Bob"], ["3", "Cid"]]);
  });

  it("inserts rows for INSERT_ROWS, moving what lies below in other columns down, and writes over it for OVERWRITE", async () => {
    const api = clientFor();
    standIn.setValues("Leads", "A1", [["id", "name"], ["1", "Ann"]]);
    standIn.setCell("Leads", "D3", "note");
    await api.spreadsheets.values.append({ spreadsheetId, range: "Leads!A:B", valueInputOption: "RAW", insertDataOption: "INSERT_ROWS", requestBody: { values: [["2", "Bob"]] } });
    expect(standIn.sheet("Leads")).toEqual([["id", "name"], ["1", "Ann"], ["2", "Bob"], ["", "", "", "note"]]);
    expect(standIn.sheetProperties("Leads").gridProperties.rowCount).toBe(1001);

    await api.spreadsheets.values.append({ spreadsheetId, range: "Leads!A:B", valueInputOption: "RAW", insertDataOption: "OVERWRITE", requestBody: { values: [["3", "Cid"]] } });
    expect(standIn.sheet("Leads")).toEqual([["id", "name"], ["1", "Ann"], ["2", "Bob"], ["3", "Cid", "", "note"]]);
    expect(standIn.sheetProperties("Leads").gridProperties.rowCount).toBe(1001);
  });

  it("reads trimmed rows as Google does, leaves out values when the range is empty, and reads by columns", async () => {
    const api = clientFor();
    standIn.setValues("Leads", "A1", [header, ["1", "Ann", "", "", ""], ["", "", ""], ["3", "", "+7"]]);
    const rows = await api.spreadsheets.values.get({ spreadsheetId, range: "Leads!A2:M" });
    expect(rows.data).toEqual({ range: "Leads!A2:M1000", majorDimension: "ROWS", values: [["1", "Ann"], [], ["3", "", "+7"]] });
    const empty = await api.spreadsheets.values.get({ spreadsheetId, range: "Leads!N1:P9" });
    expect(empty.data).toEqual({ range: "Leads!N1:P9", majorDimension: "ROWS" });
    const ids = await api.spreadsheets.values.get({ spreadsheetId, range: "Leads!A:A", majorDimension: "COLUMNS" });
    expect(ids.data).toEqual({ range: "Leads!A1:A1000", majorDimension: "COLUMNS", values: [["id", "1", "", "3"]] });
  });

  it("reads several ranges with batchGet and writes several with batchUpdate, all or nothing", async () => {
    const api = clientFor();
    const written = await api.spreadsheets.values.batchUpdate({
      spreadsheetId,
      requestBody: {
        valueInputOption: "RAW",
        data: [
          { range: "Leads!A1:B1", values: [["id", "name"]] },
          { range: "Leads!A5:B5", values: [["4", "Dee"]] },
        ],
      },
    });
    expect(written.data).toMatchObject({ spreadsheetId, totalUpdatedRows: 2, totalUpdatedColumns: 4, totalUpdatedCells: 4, totalUpdatedSheets: 1 });
    expect(written.data.responses?.map((r) => r.updatedRange)).toEqual(["Leads!A1:B1", "Leads!A5:B5"]);

    const read = await api.spreadsheets.values.batchGet({ spreadsheetId, ranges: ["Leads!A1:B1", "Leads!A5:B5", "Leads!C1:C2"] });
    expect(read.data.valueRanges).toEqual([
      { range: "Leads!A1:B1", majorDimension: "ROWS", values: [["id", "name"]] },
      { range: "Leads!A5:B5", majorDimension: "ROWS", values: [["4", "Dee"]] },
      { range: "Leads!C1:C2", majorDimension: "ROWS" },
    ]);
    expect(standIn.requests.at(-1)?.ranges).toEqual(["Leads!A1:B1", "Leads!A5:B5", "Leads!C1:C2"]);

    const refused = await failureOf(
      api.spreadsheets.values.batchUpdate({ spreadsheetId, requestBody: { valueInputOption: "RAW", data: [{ range: "Leads!A2", values: [["2"]] }, { range: "Nope!A1", values: [["x"]] }] } }),
    );
    expect(googleErrorOf(refused).message).toBe("Unable to parse range: Nope!A1");
    expect(standIn.sheet("Leads")).toEqual([["id", "name"], [], [], [], ["4", "Dee"]]);
  });

  it("shows the next read what the user did by hand: a row dragged, a row deleted, a cell typed", async () => {
    const api = clientFor();
    standIn.setValues("Leads", "A1", [header, ["1", "Ann"], ["2", "Bob"], ["3", "Cid"]]);
    standIn.moveRow("Leads", 4, 2);
    standIn.deleteRow("Leads", 3);
    standIn.setCell("Leads", "E2", "VIP");
    const ids = await api.spreadsheets.values.get({ spreadsheetId, range: "Leads!A2:E" });
    expect(ids.data.values).toEqual([["3", "Cid", "", "", "VIP"], ["2", "Bob"]]);
    expect(standIn.sheetProperties("Leads").gridProperties.rowCount).toBe(999);
  });
});

describe("A1 notation", () => {
  it("reads quoted names with spaces and apostrophes, and answers with Google's quoting", async () => {
    const api = clientFor();
    standIn.addSheet("Ann's leads");
    standIn.setValues("Ann's leads", "B2", [["x", "y"]]);
    const quoted = await api.spreadsheets.values.get({ spreadsheetId, range: "'Ann''s leads'!B2:C2" });
    expect(quoted.data).toEqual({ range: "'Ann''s leads'!B2:C2", majorDimension: "ROWS", values: [["x", "y"]] });
    const whole = await api.spreadsheets.values.get({ spreadsheetId, range: "'Ann''s leads'" });
    expect(whole.data).toMatchObject({ range: "'Ann''s leads'!A1:Z1000", values: [[], ["", "x", "y"]] });
    const plain = await api.spreadsheets.values.get({ spreadsheetId, range: "'Leads'!A1" });
    expect(plain.data.range).toBe("Leads!A1");
  });

  it("addresses columns past Z, grows the grid for writes past it, and refuses reads past it", async () => {
    const api = clientFor();
    const written = await api.spreadsheets.values.update({ spreadsheetId, range: "Leads!AA3", valueInputOption: "RAW", requestBody: { values: [["aa", "ab"]] } });
    expect(written.data.updatedRange).toBe("Leads!AA3:AB3");
    expect(standIn.sheetProperties("Leads").gridProperties.columnCount).toBe(28);
    const read = await api.spreadsheets.values.get({ spreadsheetId, range: "Leads!Z3:AB3" });
    expect(read.data.values).toEqual([["", "aa", "ab"]]);

    await api.spreadsheets.values.update({ spreadsheetId, range: "Leads!A1005", valueInputOption: "RAW", requestBody: { values: [["far"]] } });
    expect(standIn.sheetProperties("Leads").gridProperties.rowCount).toBe(1005);
    const pastGrid = await failureOf(api.spreadsheets.values.get({ spreadsheetId, range: "Leads!A1:AZ1" }));
    expect(googleErrorOf(pastGrid).message).toBe("Range ('Leads'!A1:AZ1) exceeds grid limits. Max rows: 1005, max columns: 28");
  });

  it("takes a bare sheet name as the whole sheet, a range without a sheet as the first sheet, and whole rows", async () => {
    const api = clientFor();
    standIn.setValues("Leads", "A1", [["id", "name"], ["1", "Ann"]]);
    expect((await api.spreadsheets.values.get({ spreadsheetId, range: "Leads" })).data).toMatchObject({ range: "Leads!A1:Z1000", values: [["id", "name"], ["1", "Ann"]] });
    expect((await api.spreadsheets.values.get({ spreadsheetId, range: "B1:B2" })).data).toMatchObject({ range: "Leads!B1:B2", values: [["name"], ["Ann"]] });
    expect((await api.spreadsheets.values.get({ spreadsheetId, range: "Leads!2:2" })).data).toMatchObject({ range: "Leads!A2:Z2", values: [["1", "Ann"]] });
    expect((await api.spreadsheets.values.get({ spreadsheetId, range: "leads!$A$1" })).data).toMatchObject({ range: "Leads!A1", values: [["id"]] });
  });

  it("refuses an unknown sheet or unreadable range with 400, and an unknown spreadsheet with 404", async () => {
    const api = clientFor();
    for (const range of ["Contacts!A1", "Leads!A1:B2:C3", "Leads!", "'Leads!A1"]) {
      const error = await failureOf(api.spreadsheets.values.get({ spreadsheetId, range }));
      expect(error.status).toBe(400);
      expect(googleErrorOf(error)).toEqual({ code: 400, status: "INVALID_ARGUMENT", message: `Unable to parse range: ${range}` });
    }
    const missing = await failureOf(api.spreadsheets.get({ spreadsheetId: "someone-elses" }));
    expect(googleErrorOf(missing)).toEqual({ code: 404, status: "NOT_FOUND", message: "Requested entity was not found." });
  });
});

describe("faults", () => {
  const expected: [InjectedStatus, string, string][] = [
    [403, "PERMISSION_DENIED", "The caller does not have permission"],
    [404, "NOT_FOUND", "Requested entity was not found."],
    [500, "INTERNAL", "Internal error encountered."],
    [503, "UNAVAILABLE", "The service is currently unavailable."],
  ];

  it.each(expected)("surfaces an injected %i as a GaxiosError with Google's %s body", async (status, googleStatus, message) => {
    const api = clientFor();
    standIn.failNext("values.append", { status });
    const error = await failureOf(api.spreadsheets.values.append({ spreadsheetId, range: "Leads!A:M", valueInputOption: "RAW", requestBody: { values: [["1"]] } }));
    expect(error.status).toBe(status);
    expect(googleErrorOf(error)).toEqual({ code: status, status: googleStatus, message });
    expect(standIn.sheet("Leads")).toEqual([]);
    await api.spreadsheets.values.append({ spreadsheetId, range: "Leads!A:M", valueInputOption: "RAW", requestBody: { values: [["1"]] } });
    expect(standIn.sheet("Leads")).toEqual([["1"]]);
  });

  it("answers an injected 429 in RESOURCE_EXHAUSTED's shape, for the api named only", async () => {
    const api = clientFor();
    standIn.failNext("values.batchUpdate", { status: 429, times: 2 });
    await api.spreadsheets.values.get({ spreadsheetId, range: "Leads!A1" });
    const error = await failureOf(api.spreadsheets.values.batchUpdate({ spreadsheetId, requestBody: { valueInputOption: "RAW", data: [{ range: "Leads!A1", values: [["x"]] }] } }));
    expect(error.status).toBe(429);
    const body = error.response?.data;
    expect(body).toMatchObject({
      error: { code: 429, status: "RESOURCE_EXHAUSTED", message: expect.stringContaining("'Write requests per minute per user'"), details: [{ reason: "RATE_LIMIT_EXCEEDED" }] },
    });
    expect((await failureOf(api.spreadsheets.values.batchUpdate({ spreadsheetId, requestBody: { valueInputOption: "RAW", data: [] } }))).status).toBe(429);
    expect(standIn.requests.map((r) => [r.api, r.status])).toEqual([
      ["values.get", 200],
      ["values.batchUpdate", 429],
      ["values.batchUpdate", 429],
    ]);
    expect(standIn.quotaViolations).toBe(0);
  });

  it("lets the client's own retry ride out a transient 503 on a read", async () => {
    const api = clientFor({ retry: true });
    standIn.setCell("Leads", "A1", "id");
    standIn.failNext("*", { status: 503, message: "The service is busy." });
    const read = await api.spreadsheets.values.get({ spreadsheetId, range: "Leads!A1" });
    expect(read.data.values).toEqual([["id"]]);
    expect(standIn.requests.map((r) => r.status)).toEqual([503, 200]);
  });

  it("makes a client with a short timeout give up on a hung call, which still lands afterwards", async () => {
    const api = clientFor({ timeout: 100 });
    standIn.hangNext("values.append", 400);
    const error = await failureOf(api.spreadsheets.values.append({ spreadsheetId, range: "Leads!A:B", valueInputOption: "RAW", requestBody: { values: [["1", "Ann"]] } }));
    expect(error.response).toBeUndefined();
    expect(standIn.requests[0]?.status).toBe(0);
    await expect.poll(() => standIn.requests[0]?.status, { timeout: 2_000 }).toBe(200);
    expect(standIn.sheet("Leads")).toEqual([["1", "Ann"]]);
  });

  it("counts quota violations against the simulated clock and lets writes through once the minute has passed", async () => {
    const api = clientFor();
    standIn.quota({ writesPerMinute: 3 });
    const write = (n: number): Promise<unknown> => api.spreadsheets.values.update({ spreadsheetId, range: `Leads!A${n}`, valueInputOption: "RAW", requestBody: { values: [[String(n)]] } });
    for (const n of [1, 2, 3]) {
      await write(n);
      clock += 10_000;
    }
    expect((await failureOf(write(4))).status).toBe(429);
    await api.spreadsheets.values.get({ spreadsheetId, range: "Leads!A:A" });
    expect(standIn.quotaViolations).toBe(1);

    clock += 30_001;
    await write(4);
    expect(standIn.quotaViolations).toBe(1);
    expect(standIn.sheet("Leads")).toEqual([["1"], ["2"], ["3"], ["4"]]);
    expect(standIn.count("values.update")).toBe(5);

    standIn.reset();
    expect([standIn.requests.length, standIn.quotaViolations, standIn.sheet("Leads")]).toEqual([0, 0, []]);
  });
});

describe("auth, kept on this machine", () => {
  it("sends the preset bearer token on every call and never asks for a token", async () => {
    const api = clientFor();
    await api.spreadsheets.get({ spreadsheetId });
    await api.spreadsheets.values.update({ spreadsheetId, range: "Leads!A1", valueInputOption: "RAW", requestBody: { values: [["id"]] } });
    expect(standIn.requests.every((r) => r.authorized)).toBe(true);
    expect(standIn.count("token")).toBe(0);
    expect(outgoing).toHaveLength(2);
    expect(outgoing.every((url) => url.startsWith(standIn.rootUrl))).toBe(true);
  });

  it("refreshes through the stand-in's token endpoint when the client holds only a refresh token", async () => {
    const auth = keepLocal(new OAuth2Client({ clientId: "client", clientSecret: "secret", endpoints: { oauth2TokenUrl: standIn.tokenUrl } }));
    auth.setCredentials({ refresh_token: "refresh" });
    const api = clientFor({ auth });
    await api.spreadsheets.get({ spreadsheetId });
    await api.spreadsheets.values.get({ spreadsheetId, range: "Leads!A1" });
    expect(standIn.requests.map((r) => [r.api, r.authorized])).toEqual([
      ["token", false],
      ["spreadsheets.get", true],
      ["values.get", true],
    ]);
    expect(auth.credentials.access_token).toBe("stand-in-access-token-1");
  });

  it("answers a call without a token with 401 UNAUTHENTICATED", async () => {
    const api = sheets({ version: "v4", rootUrl: standIn.rootUrl, retry: false });
    const error = await failureOf(api.spreadsheets.get({ spreadsheetId }));
    expect(error.status).toBe(401);
    expect(googleErrorOf(error).status).toBe("UNAUTHENTICATED");
    expect(standIn.requests[0]?.authorized).toBe(false);
  });
});
