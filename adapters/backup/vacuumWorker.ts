/**
 * A worker thread that runs `VACUUM INTO` and `PRAGMA integrity_check`, which are single
 * synchronous calls: off the main thread, the main thread can draw progress from the copy's size
 * and can remove the unfinished copy at once on Ctrl-C.
 */
import { DatabaseSync } from "node:sqlite";
import { parentPort, workerData } from "node:worker_threads";
import type { VacuumReply, VacuumRequest } from "./vacuumProtocol.ts";

const reply = (message: VacuumReply): void => parentPort?.postMessage(message);
const request = workerData as VacuumRequest;

function codeOf(error: unknown): number | null {
  return error instanceof Error && "errcode" in error && typeof error.errcode === "number" ? error.errcode : null;
}

try {
  const source = new DatabaseSync(request.source, { readOnly: true, timeout: 5_000 });
  try {
    // VACUUM INTO reads one snapshot in one read transaction: in WAL mode the writer goes on meanwhile.
    source.prepare("VACUUM INTO ?").run(request.into);
  } finally {
    source.close();
  }
  reply({ type: "copied" });
  const copy = new DatabaseSync(request.into, { readOnly: true });
  try {
    const rows = copy.prepare("PRAGMA integrity_check(20)").all().map((row) => String(row["integrity_check"]));
    reply({ type: "checked", problems: rows.length === 1 && rows[0] === "ok" ? [] : rows });
  } finally {
    copy.close();
  }
} catch (error) {
  reply({ type: "failed", message: error instanceof Error ? error.message.split("\n")[0] ?? "" : String(error), code: codeOf(error) });
}
