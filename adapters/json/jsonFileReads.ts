/**
 * Reading the JSON store's files at start-up, and what a damaged one means. The event log is the
 * truth: damage to what is rebuilt from it (leads.json, actors.jsonl) is repaired with a warning;
 * damage to the log itself, or to sessions.json (which no log rebuilds), is refused by name.
 */
import { closeSync, existsSync, ftruncateSync, openSync, readFileSync } from "node:fs";
import { Low } from "lowdb";
import type { Logger } from "../../actors/log.port.ts";
import type { StoredEvent } from "../../actors/store.port.ts";
import { replaceFile } from "./atomicFile.ts";
import type { ActorRecord, ActorsLine, Checkpoint, LogLine } from "./jsonLogFormat.ts";

/** A store file is damaged in a way the store must not guess about; the message names the file and what to do. */
export class JsonStoreDamagedError extends Error {
  override readonly name = "JsonStoreDamagedError";
}

/** A last line without its newline: an append that never finished, cut off at open. */
export interface TornTail {
  /** Where the cut line began, in bytes. */
  readonly offset: number;
  readonly droppedBytes: number;
  /** The batch number the line began with, when it got that far; no other part of it is repeated. */
  readonly batch: number | null;
}

/** A line in the middle of a file that is not what the file holds, skipped. */
export interface SkippedLine {
  readonly line: number;
  readonly offset: number;
  readonly bytes: number;
}

export interface JsonLines<T> {
  readonly lines: T[];
  /** Bytes of whole lines: the file's size once a torn tail is cut. */
  readonly size: number;
  readonly torn: TornTail | null;
  readonly skipped: SkippedLine[];
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** An optional part of a log line: absent, or an object whose named fields are arrays. */
const partOf = (value: unknown, fields: readonly string[]): boolean => value === undefined || (isObject(value) && fields.every((field) => Array.isArray(value[field])));

/** A log line as `events.jsonl` holds it: a batch number, events and messages, and timers, effects, attempts, orders, actors and catalog changes in their shapes when present. */
export const isLogLine = (value: unknown): boolean =>
  isObject(value) &&
  typeof value["b"] === "number" &&
  Array.isArray(value["e"]) &&
  Array.isArray(value["m"]) &&
  partOf(value["t"], ["s", "c"]) &&
  partOf(value["f"], ["q", "d"]) &&
  (value["r"] === undefined || (Array.isArray(value["r"]) && value["r"].every((attempt) => Array.isArray(attempt) && attempt.length === 5))) &&
  ["o", "x", "y", "u", "k", "s"].every((part) => value[part] === undefined || Array.isArray(value[part]));

/** A lead record as `leads.json` and `actors.jsonl` hold it. */
export function isActorRecord(value: unknown): boolean {
  if (!isObject(value) || !isObject(value["lead"])) return false;
  return Number.isSafeInteger(value["lead"]["userId"]) && typeof value["snapshot"] === "string" && typeof value["lastSeq"] === "number";
}

/** A journal line of `actors.jsonl`. */
export const isActorsLine = (value: unknown): boolean => isObject(value) && typeof value["b"] === "number" && Array.isArray(value["a"]) && value["a"].every(isActorRecord);

function tornTailOf(bytes: Buffer, offset: number): TornTail {
  const batch = /^\{"b":(\d+)/.exec(bytes.toString("latin1", offset, Math.min(bytes.length, offset + 24)))?.[1];
  return { offset, droppedBytes: bytes.length - offset, batch: batch === undefined ? null : Number(batch) };
}

/**
 * Reads a JSON Lines file and cuts off a torn last line (an append that never finished; the store
 * undoes a failed append while it runs, so only a crash or outside damage leaves one). A bad line
 * in the middle is refused with its file and number, or, with `skipBad`, skipped and reported.
 */
export function readJsonLines<T>(path: string, isLine: (value: unknown) => boolean, skipBad = false): JsonLines<T> {
  if (!existsSync(path)) return { lines: [], size: 0, torn: null, skipped: [] };
  const bytes = readFileSync(path);
  const lines: T[] = [];
  const skipped: SkippedLine[] = [];
  let start = 0;
  let number = 0;
  while (start < bytes.length) {
    const end = bytes.indexOf(0x0a, start);
    if (end === -1) break;
    number += 1;
    let parsed: unknown;
    try {
      parsed = JSON.parse(bytes.toString("utf8", start, end));
    } catch {
      parsed = undefined;
    }
    if (isLine(parsed)) lines.push(parsed as T);
    else if (skipBad) skipped.push({ line: number, offset: start, bytes: end + 1 - start });
    else throw new JsonStoreDamagedError(`${path}: line ${number} is not valid JSON; the store will not guess what it held. Restore the file from a backup.`);
    start = end + 1;
  }
  if (start === bytes.length) return { lines, size: start, torn: null, skipped };
  const fd = openSync(path, "r+");
  try {
    ftruncateSync(fd, start);
  } finally {
    closeSync(fd);
  }
  return { lines, size: start, torn: tornTailOf(bytes, start), skipped };
}

/** `leads.json`, or why it cannot be read; it is rebuilt from the log either way. */
export function readCheckpoint(path: string): { readonly data: Checkpoint | null; readonly damage: string | null } {
  if (!existsSync(path)) return { data: null, damage: null };
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    return { data: null, damage: error instanceof Error ? error.message.slice(0, 120) : "not JSON" };
  }
  if (!isObject(parsed) || parsed["format"] !== 1 || typeof parsed["throughBatch"] !== "number" || !Array.isArray(parsed["actors"])) {
    return { data: null, damage: "not a leads checkpoint" };
  }
  if (!parsed["actors"].every(isActorRecord)) return { data: null, damage: "a lead record is malformed" };
  return { data: parsed as unknown as Checkpoint, damage: null };
}

/** Reads `sessions.json`. It is only ever replaced whole, and no log rebuilds it: damage is refused by name. */
export function readSessions(path: string): Map<string, string> {
  if (!existsSync(path)) return new Map();
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch {
    parsed = undefined;
  }
  const sessions = isObject(parsed) ? parsed["sessions"] : undefined;
  if (!isObject(sessions) || !Object.values(sessions).every((value) => typeof value === "string")) {
    throw new JsonStoreDamagedError(
      `${path} is not valid sessions data; the store will not guess what it held. Restore it from a backup, or delete it: the customers lose their carts and open flows, the CRM keeps everything else.`,
    );
  }
  return new Map(Object.entries(sessions as Record<string, string>));
}

/** `leads.json` as a lowdb database on an adapter that replaces the file durably (temporary file, fsync, rename). */
export function checkpointDb(path: string, data: Checkpoint): Low<Checkpoint> {
  return new Low<Checkpoint>({ read: async () => data, write: (next) => replaceFile(path, JSON.stringify(next)) }, data);
}

/** Reads `leads.json`; a damaged one is warned about and read as empty: the store folds what the journal holds over it at once, and `recover()` rebuilds the rest from the log. */
export function readLeads(path: string, log: Logger): { readonly checkpoint: Checkpoint; readonly damaged: boolean } {
  const { data, damage } = readCheckpoint(path);
  if (damage !== null) log.warn("json_store_leads_damaged", { file: path, reason: damage, repair: "the leads are rebuilt from events.jsonl" });
  return { checkpoint: data ?? { format: 1, throughBatch: 0, actors: [] }, damaged: damage !== null };
}

/** Reads `events.jsonl`, cutting a torn last line with a warning that says what was dropped (never what it said). */
export function readLog(path: string, log: Logger) {
  const read = readJsonLines<LogLine>(path, isLogLine);
  if (read.torn) {
    log.warn("json_store_torn_line_cut", {
      file: path,
      offset: read.torn.offset,
      droppedBytes: read.torn.droppedBytes,
      batch: read.torn.batch,
      repair: "an append that never finished was cut off; leads ahead of the log are rebuilt from it",
    });
  }
  return read;
}

/** Reads `actors.jsonl`, a cache of the log: a torn or bad line is skipped with a warning, its leads rebuilt from the log. */
export function readJournal(path: string, log: Logger) {
  const read = readJsonLines<ActorsLine>(path, isActorsLine, true);
  if (read.torn) log.warn("json_store_torn_line_cut", { file: path, offset: read.torn.offset, droppedBytes: read.torn.droppedBytes, batch: read.torn.batch, repair: "the leads it held are rebuilt from events.jsonl" });
  for (const bad of read.skipped) log.warn("json_store_line_skipped", { file: path, line: bad.line, offset: bad.offset, bytes: bad.bytes, repair: "the leads it held are rebuilt from events.jsonl" });
  return read;
}

/** The log is the truth: without it, leads that show customers would be trusted over nothing. */
export function refuseMissingLog(paths: { readonly events: string; readonly leads: string; readonly actors: string }, fromLeads: number, fromJournal: number, customers: number): never {
  const holders = [fromLeads > 0 ? paths.leads : null, fromJournal > 0 ? paths.actors : null].filter((path) => path !== null).join(" and ");
  throw new JsonStoreDamagedError(
    `${paths.events} ${existsSync(paths.events) ? "holds no events" : "is missing"}, but ${holders} ${holders.includes(" and ") ? "hold" : "holds"} ${customers} customer${customers === 1 ? "" : "s"}: ` +
      "the event log is the truth, and the store will not start without it. Restore events.jsonl from a backup, or move the folder away to start empty.",
  );
}

/** Customers whose lead record is ahead of their log (a cut or lost log line): only the log may say what they did. */
export function aheadOfLog(actors: ReadonlyMap<number, ActorRecord>, eventsByUser: ReadonlyMap<number, readonly StoredEvent[]>): number[] {
  const ahead: number[] = [];
  for (const [userId, record] of actors) if (record.lastSeq > (eventsByUser.get(userId)?.at(-1)?.seq ?? 0)) ahead.push(userId);
  return ahead;
}
