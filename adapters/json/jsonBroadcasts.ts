/**
 * The JSON store's broadcasts and recipients: `broadcasts.jsonl` in the store's folder, append-only,
 * held in memory and rebuilt at open. A line is one durable write: a broadcast remembered
 * (`{"b":id,"c":createdAt}`) or forgotten (`{"f":id}`), or recipients' rows as written
 * (`{"r":id,"u":[[userId,state,attempts,reason,at],…]}`), later lines winning.
 */
import { join } from "node:path";
import { emptyCounts, recipientStates, type BroadcastStore, type RecipientRow, type RecipientState } from "../../actors/broadcastStore.port.ts";
import { openAppendOnly } from "./appendOnlyFile.ts";
import { readJsonLines } from "./jsonFileReads.ts";

type PackedRow = [userId: number, state: RecipientState, attempts: number, reason: string | null, at: number | null];

type BroadcastsLine = { readonly b: string; readonly c: number } | { readonly f: string } | { readonly r: string; readonly u: readonly PackedRow[] };

const states: ReadonlySet<string> = new Set(recipientStates);

function isLine(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  const line = value as Record<string, unknown>;
  if (typeof line["b"] === "string") return typeof line["c"] === "number";
  if (typeof line["f"] === "string") return true;
  return typeof line["r"] === "string" && Array.isArray(line["u"]);
}

interface Broadcast {
  readonly createdAt: number;
  readonly rows: Map<number, RecipientRow>;
}

/** Opens (or creates) `broadcasts.jsonl` in the JSON store's folder; a torn last line is cut. */
export async function openJsonBroadcasts(dir: string): Promise<BroadcastStore & { close(): Promise<void> }> {
  const path = join(dir, "broadcasts.jsonl");
  const read = readJsonLines<BroadcastsLine>(path, isLine, true);
  const broadcasts = new Map<string, Broadcast>();
  const apply = (line: BroadcastsLine): void => {
    if ("b" in line) {
      if (!broadcasts.has(line.b)) broadcasts.set(line.b, { createdAt: line.c, rows: new Map() });
    } else if ("f" in line) {
      broadcasts.delete(line.f);
    } else {
      const rows = broadcasts.get(line.r)?.rows;
      for (const packed of rows ? line.u : []) {
        const [userId, state, attempts, reason, at] = packed;
        if (Number.isSafeInteger(userId) && states.has(state)) rows?.set(userId, { userId, state, attempts, reason, at });
      }
    }
  };
  read.lines.forEach(apply);
  const file = await openAppendOnly(path, read.size);
  let chain: Promise<void> = Promise.resolve();

  /** Appends one line, in order after every earlier one, and applies it once it is on disk. */
  function write(line: BroadcastsLine): Promise<void> {
    const done = chain.then(async () => {
      await file.append(`${JSON.stringify(line)}\n`);
      apply(line);
    });
    chain = done.catch(() => undefined);
    return done;
  }

  const rowsOf = (id: string): Map<number, RecipientRow> => broadcasts.get(id)?.rows ?? new Map();

  return {
    registerBroadcast: (id, createdAt) => (broadcasts.has(id) ? Promise.resolve() : write({ b: id, c: createdAt })),
    broadcastIds: (limit) =>
      [...broadcasts.entries()]
        .reverse()
        .sort(([, x], [, y]) => y.createdAt - x.createdAt)
        .slice(0, Math.max(0, Math.floor(limit)))
        .map(([id]) => id),
    forgetBroadcast: (id) => write({ f: id }),
    addRecipients(id, userIds) {
      const rows = rowsOf(id);
      const fresh = userIds.filter((userId) => !rows.has(userId)).map((userId): PackedRow => [userId, "pending", 0, null, null]);
      return fresh.length === 0 ? Promise.resolve() : write({ r: id, u: fresh });
    },
    lastRecipient: (id) => [...rowsOf(id).keys()].reduce((max, userId) => Math.max(max, userId), 0),
    recipients(id, wanted, afterUserId, limit) {
      const want = new Set(wanted);
      return [...rowsOf(id).values()]
        .filter((row) => row.userId > afterUserId && want.has(row.state))
        .sort((a, b) => a.userId - b.userId)
        .slice(0, limit);
    },
    recordRecipients: (id, rows) => (rows.length === 0 ? Promise.resolve() : write({ r: id, u: rows.map((row): PackedRow => [row.userId, row.state, row.attempts, row.reason, row.at]) })),
    recipientCounts(id) {
      const counts = emptyCounts();
      for (const row of rowsOf(id).values()) {
        counts.total += 1;
        counts.byState[row.state] += 1;
        if (row.state === "failed") counts.reasons[row.reason ?? "unknown"] = (counts.reasons[row.reason ?? "unknown"] ?? 0) + 1;
      }
      return counts;
    },
    close: async () => {
      await chain;
      await file.close();
    },
  };
}
