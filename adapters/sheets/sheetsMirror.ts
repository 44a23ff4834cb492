import type { sheets_v4 } from "@googleapis/sheets";
import { Cause, Clock, Duration, Effect, Exit, Fiber, Option, Schedule } from "effect";
import { describeError, silentLogger, type Logger } from "../../actors/log.port.ts";
import type { CrmQueries, MirrorItem, MirrorOutbox } from "../../actors/store.port.ts";
import { classifySheetsError, isTransient, type SheetsError } from "./sheetsErrors.ts";
import { lastColumn, leadColumns, leadRow, orderColumns, orderRow } from "./sheetRows.ts";

export interface SheetsMirrorOptions {
  readonly sheets: sheets_v4.Sheets;
  readonly spreadsheetId: string;
  readonly outbox: MirrorOutbox;
  readonly store: Pick<CrmQueries, "lead" | "order">;
  /** Google's default is 60 write requests a minute per user; every request counts against it here. */
  readonly requestsPerMinute?: number;
  /** How many outbox items one drain takes. */
  readonly batchSize?: number;
  /** The most rows one append carries. */
  readonly appendRows?: number;
  readonly requestTimeoutMs?: number;
  /** How often the row index is rebuilt from column A, catching rows moved by hand. */
  readonly reindexEveryMs?: number;
  /** The pause between drains when the outbox is empty. */
  readonly pollMs?: number;
  /** The longest wait between retries of a failing request. */
  readonly maxBackoffMs?: number;
  /** Told once, in plain words, when the mirror stops for good (a wrong sheet, a revoked share). */
  readonly onStopped?: (reason: string) => Promise<void>;
  /** Effect's clock by default; benchmarks pass a simulated one. */
  readonly clock?: Clock.Clock;
  readonly log?: Logger;
}

/** One mirrored sheet: its title, header, and how an outbox item becomes a row. */
interface Table {
  readonly title: string;
  readonly kind: MirrorItem["kind"];
  readonly header: readonly string[];
  /** The row for an item, or null when its lead or order no longer exists. */
  readonly row: (ref: string) => Promise<string[] | null>;
  /** Row number (1-based, the header is row 1) by the item's key in column A. */
  readonly index: Map<string, number>;
}

export interface DrainReport {
  readonly leads: number;
  readonly orders: number;
}

/** How `start`ed mirror ended: stopped by `stop()`, or stopped by a fault retrying cannot fix. */
export type MirrorState = { readonly state: "idle" | "running" } | { readonly state: "stopped"; readonly reason: string };

const quote = (title: string): string => `'${title.replace(/'/g, "''")}'`;

/** "'Leads'!A5:M7" → 5: the first row an append or update touched. */
function firstRowOf(range: string | null | undefined): number | null {
  const match = /![A-Z]+(\d+)/.exec(range ?? "");
  return match?.[1] ? Number(match[1]) : null;
}

/**
 * The Sheets mirror: drains the store's outbox into the "Leads" and "Orders" sheets.
 *
 * - Many changes to one lead are one outbox item, so one row write. Known rows are rewritten in one
 *   `values.batchUpdate`; new leads go in one `values.append`.
 * - Each lead's row is found through an index of column A, rebuilt at start, every `reindexEveryMs`,
 *   and after any append whose outcome is unknown, so rows moved by hand are found again and an
 *   append is never repeated into a duplicate row.
 * - Requests stay within `requestsPerMinute`. A 429, a 5xx or a timeout is retried with jittered
 *   exponential backoff (Effect `Schedule`); items leave the outbox only once their row is written.
 * - A 403 or 404 stops the mirror with a clear reason; the outbox stays intact, so fixing the
 *   configuration and restarting resumes the sync where it stopped.
 */
export function createSheetsMirror(options: SheetsMirrorOptions) {
  const { sheets, spreadsheetId, outbox, store } = options;
  const log = options.log ?? silentLogger;
  const perMinute = options.requestsPerMinute ?? 60;
  const batchSize = options.batchSize ?? 2_000;
  const appendRows = options.appendRows ?? 2_000;
  const timeout = options.requestTimeoutMs ?? 20_000;
  const reindexEvery = options.reindexEveryMs ?? 15 * 60_000;
  const pollMs = options.pollMs ?? 5_000;
  const maxBackoff = options.maxBackoffMs ?? 5 * 60_000;

  const tables: readonly Table[] = [
    {
      title: "Leads",
      kind: "lead",
      header: leadColumns,
      row: async (ref) => {
        const lead = await store.lead(Number(ref));
        return lead ? leadRow(lead) : null;
      },
      index: new Map(),
    },
    {
      title: "Orders",
      kind: "order",
      header: orderColumns,
      row: async (ref) => {
        const order = await store.order(ref);
        return order ? orderRow(order) : null;
      },
      index: new Map(),
    },
  ];

  let ready = false;
  const sheetIds = new Map<string, number>();
  let indexedAt = Number.NEGATIVE_INFINITY;
  let indexStale = true;
  /** When recent requests went out, for the per-minute budget. */
  const sent: number[] = [];
  let requests = 0;

  /** Waits, on the clock in use, until one more request fits in the last minute's budget. */
  const takeQuota = Effect.gen(function* () {
    const clock = yield* Clock.Clock;
    for (;;) {
      const now = clock.currentTimeMillisUnsafe();
      while (sent.length > 0 && (sent[0] ?? 0) <= now - 60_000) sent.shift();
      if (sent.length < perMinute) {
        sent.push(now);
        return;
      }
      yield* Effect.sleep(Duration.millis((sent[0] ?? now) + 60_000 - now));
    }
  });

  const backoff = Schedule.exponential("1 second", 2).pipe(
    Schedule.jittered,
    Schedule.modifyDelay(({ duration }) => Effect.succeed(Duration.millis(Math.min(Duration.toMillis(duration), maxBackoff)))),
  );

  /** One request, within the budget and the timeout, its failure as a tagged error. */
  function request<A>(operation: string, run: (options: { signal: AbortSignal; timeout: number }) => Promise<{ data: A }>) {
    return Effect.gen(function* () {
      yield* takeQuota;
      requests += 1;
      const response = yield* Effect.tryPromise({ try: (signal) => run({ signal, timeout }), catch: (error) => classifySheetsError(operation, error) });
      return response.data;
    });
  }

  /** The same, retried while the failure is transient: safe only for requests that can be repeated. */
  function idempotent<A>(operation: string, run: (options: { signal: AbortSignal; timeout: number }) => Promise<{ data: A }>) {
    return request(operation, run).pipe(
      Effect.tapError((error) => Effect.sync(() => log.warn("sheets_retry", { operation, error: error._tag, message: error.message }))),
      Effect.retry({ schedule: backoff, while: isTransient }),
    );
  }

  /**
   * Creates missing sheets and headers; a new, empty "Leads" sheet, or a sheet with rows under an
   * older header, queues every lead and order.
   */
  const ensureSheets = Effect.gen(function* () {
    const spreadsheet = yield* idempotent("spreadsheets.get", (o) => sheets.spreadsheets.get({ spreadsheetId, fields: "sheets.properties(sheetId,title)" }, o));
    for (const sheet of spreadsheet.sheets ?? []) {
      if (sheet.properties?.title && typeof sheet.properties.sheetId === "number") sheetIds.set(sheet.properties.title, sheet.properties.sheetId);
    }
    const missing = tables.filter((table) => !sheetIds.has(table.title));
    if (missing.length > 0) {
      const added = yield* idempotent("spreadsheets.batchUpdate", (o) =>
        sheets.spreadsheets.batchUpdate({ spreadsheetId, requestBody: { requests: missing.map((table) => ({ addSheet: { properties: { title: table.title } } })) } }, o),
      );
      for (const reply of added.replies ?? []) {
        const properties = reply.addSheet?.properties;
        if (properties?.title && typeof properties.sheetId === "number") sheetIds.set(properties.title, properties.sheetId);
      }
    }
    const heads = yield* idempotent("values.batchGet", (o) =>
      sheets.spreadsheets.values.batchGet({ spreadsheetId, ranges: tables.map((table) => `${quote(table.title)}!A1:${lastColumn(table.header.length)}2`) }, o),
    );
    const headless = tables.filter((table, index) => {
      const first = heads.valueRanges?.[index]?.values?.[0] ?? [];
      return first.join("\u0000") !== table.header.join("\u0000");
    });
    if (headless.length > 0) {
      yield* idempotent("values.batchUpdate", (o) =>
        sheets.spreadsheets.values.batchUpdate(
          { spreadsheetId, requestBody: { valueInputOption: "RAW", data: headless.map((table) => ({ range: `${quote(table.title)}!A1:${lastColumn(table.header.length)}1`, values: [[...table.header]] })) } },
          o,
        ),
      );
    }
    const leadsEmpty = (heads.valueRanges?.[0]?.values?.length ?? 0) < 2;
    // A sheet with rows under an older header (the "Orders" sheet before `status` and `paid_at`): every row is written again in the new columns.
    const outdated = headless.some((table) => {
      const rows = heads.valueRanges?.[tables.indexOf(table)]?.values ?? [];
      return (rows[0]?.length ?? 0) > 0 && rows.length >= 2;
    });
    if (leadsEmpty || outdated) {
      const queued = yield* Effect.promise(() => outbox.enqueueAllForMirror());
      if (queued > 0) log.info(leadsEmpty ? "sheets_initial_sync" : "sheets_columns_changed", { queued });
    }
    ready = true;
  });

  /**
   * Reads column A of every table: where each lead's and order's row is now. A key found twice (an
   * append that landed after the client gave up on it, or a row copied by hand) keeps its first row;
   * the later copies are deleted, so the sheet holds exactly one row per lead and per order.
   */
  const reindex = Effect.gen(function* () {
    for (;;) {
      const columns = yield* idempotent("values.batchGet", (o) =>
        sheets.spreadsheets.values.batchGet({ spreadsheetId, ranges: tables.map((table) => `${quote(table.title)}!A:A`), majorDimension: "COLUMNS" }, o),
      );
      const duplicates: { readonly sheetId: number; readonly row: number }[] = [];
      tables.forEach((table, index) => {
        table.index.clear();
        const cells = columns.valueRanges?.[index]?.values?.[0] ?? [];
        cells.forEach((cell, at) => {
          const key = String(cell ?? "");
          if (at === 0 || key === "") return;
          if (!table.index.has(key)) table.index.set(key, at + 1);
          else duplicates.push({ sheetId: sheetIds.get(table.title) ?? 0, row: at + 1 });
        });
      });
      if (duplicates.length === 0) break;
      log.warn("sheets_duplicates_removed", { rows: duplicates.length });
      const requests = duplicates
        .sort((a, b) => b.row - a.row)
        .map(({ sheetId, row }) => ({ deleteDimension: { range: { sheetId, dimension: "ROWS", startIndex: row - 1, endIndex: row } } }));
      yield* idempotent("spreadsheets.batchUpdate", (o) => sheets.spreadsheets.batchUpdate({ spreadsheetId, requestBody: { requests } }, o));
    }
    indexedAt = (yield* Clock.Clock).currentTimeMillisUnsafe();
    indexStale = false;
  });

  /** One batch of one table: rewrite known rows, append new ones, then mark the items done. */
  function drainTable(table: Table) {
    return Effect.gen(function* () {
      if (indexStale) yield* reindex;
      const items = yield* Effect.promise(() => outbox.pendingMirror(table.kind, batchSize));
      if (items.length === 0) return 0;
      const rows = yield* Effect.promise(() => Promise.all(items.map(async (item) => ({ item, row: await table.row(item.ref) }))));
      const width = lastColumn(table.header.length);
      const updates = rows.filter(({ item, row }) => row !== null && table.index.has(item.ref));
      const appends = rows.filter(({ item, row }) => row !== null && !table.index.has(item.ref));
      if (updates.length > 0) {
        yield* idempotent("values.batchUpdate", (o) =>
          sheets.spreadsheets.values.batchUpdate(
            {
              spreadsheetId,
              requestBody: {
                valueInputOption: "RAW",
                data: updates.map(({ item, row }) => {
                  const at = table.index.get(item.ref) ?? 0;
                  return { range: `${quote(table.title)}!A${at}:${width}${at}`, values: [row ?? []] };
                }),
              },
            },
            o,
          ),
        );
      }
      for (let start = 0; start < appends.length; start += appendRows) {
        const chunk = appends.slice(start, start + appendRows);
        // An append is not repeated blindly: if its outcome is unknown, the index is rebuilt from
        // column A first, and only the rows still missing are appended.
        const appended = yield* request("values.append", (o) =>
          sheets.spreadsheets.values.append(
            { spreadsheetId, range: `${quote(table.title)}!A:${width}`, valueInputOption: "RAW", insertDataOption: "INSERT_ROWS", requestBody: { values: chunk.map(({ row }) => row ?? []) } },
            o,
          ),
        ).pipe(Effect.tapError(() => Effect.sync(() => (indexStale = true))));
        const first = firstRowOf(appended.updates?.updatedRange);
        if (first === null) indexStale = true;
        else chunk.forEach(({ item }, offset) => table.index.set(item.ref, first + offset));
      }
      yield* Effect.promise(() => outbox.completeMirror(items));
      return items.length;
    });
  }

  /**
   * One table's batch, retried with backoff while the failure is transient. A failed append marks
   * the index stale, so the retry re-reads column A before appending what is still missing.
   */
  const drainTableRetrying = (table: Table) =>
    drainTable(table).pipe(
      Effect.tapError((error) => Effect.sync(() => log.warn("sheets_retry", { operation: error.operation, error: error._tag, message: error.message }))),
      Effect.retry({ schedule: backoff, while: isTransient }),
    );

  /** Everything pending, table by table, until the outbox is empty. */
  const drainAll = Effect.gen(function* () {
    if (!ready) yield* ensureSheets;
    const counts = { lead: 0, order: 0 };
    for (;;) {
      const now = (yield* Clock.Clock).currentTimeMillisUnsafe();
      if (now - indexedAt >= reindexEvery) indexStale = true;
      let moved = 0;
      for (const table of tables) {
        const done = yield* drainTableRetrying(table);
        counts[table.kind] += done;
        moved += done;
      }
      if (moved === 0) return { leads: counts.lead, orders: counts.order } satisfies DrainReport;
    }
  });

  const withClock = <A, E>(effect: Effect.Effect<A, E>): Effect.Effect<A, E> => (options.clock ? Effect.provideService(effect, Clock.Clock, options.clock) : effect);

  let fiber: Fiber.Fiber<void, SheetsError> | undefined;
  let status: MirrorState = { state: "idle" };

  function reasonOf(error: SheetsError): string {
    switch (error._tag) {
      case "SheetsForbidden":
        return `Google Sheets refused access to the spreadsheet (${error.message}). Share it with the service account as an editor, then restart; nothing is lost, the sync resumes.`;
      case "SheetsNotFound":
        return `Google Sheets has no spreadsheet with the configured id (${error.message}). Check GOOGLE_SHEETS_ID, then restart; nothing is lost, the sync resumes.`;
      default:
        return `Google Sheets refused a request (${error.message}). The mirror stopped; nothing is lost.`;
    }
  }

  const loop = Effect.gen(function* () {
    for (;;) {
      yield* drainAll;
      yield* Effect.sleep(Duration.millis(pollMs));
    }
  });

  return {
    /** Runs the mirror in the background until `stop()`, or until a fault retrying cannot fix. */
    start(): void {
      if (fiber) return;
      status = { state: "running" };
      fiber = Effect.runFork(withClock(loop));
      fiber.addObserver((exit) => {
        fiber = undefined;
        if (Exit.isFailure(exit)) {
          if (Cause.hasInterruptsOnly(exit.cause)) return;
          const error = Option.getOrUndefined(Cause.findErrorOption(exit.cause));
          const reason = error ? reasonOf(error) : "The Sheets mirror stopped unexpectedly; nothing is lost.";
          status = { state: "stopped", reason };
          log.error("sheets_mirror_stopped", { reason, ...(error ? { error: error._tag } : {}) });
          void options.onStopped?.(reason).catch((notifyError: unknown) => log.error("sheets_stop_notice_failed", describeError(notifyError)));
        }
      });
    },

    /** Stops the background loop (an interrupted append is found again by the next start's reindex). */
    async stop(): Promise<void> {
      const running = fiber;
      fiber = undefined;
      if (running) await Effect.runPromise(Fiber.interrupt(running));
      if (status.state === "running") status = { state: "idle" };
    },

    /** One full drain now; rejects with the tagged error when a fault retrying cannot fix stops it. */
    drainNow(): Promise<DrainReport> {
      return Effect.runPromise(withClock(drainAll));
    },

    get state(): MirrorState {
      return status;
    },

    /** Requests sent so far (P5 counts them at the stand-in too). */
    get requestCount(): number {
      return requests;
    },
  };
}

export type SheetsMirror = ReturnType<typeof createSheetsMirror>;
