import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { openJsonStore } from "../adapters/json/jsonStore.ts";
import { openSqliteStore } from "../adapters/sqlite/sqliteStore.ts";
import { startBotApiStandIn, type BotApiStandIn } from "../adapters/telegram/testing/botApiStandIn.ts";
import { shopToken } from "./fixtures/broadcastWorld.ts";
import type { BroadcastReport } from "./broadcasts.port.ts";

const worker = fileURLToPath(new URL("./fixtures/broadcastUnderKill.ts", import.meta.url));
const customers = 20_000;
const kills = 5;

interface Run {
  readonly killed: boolean;
  readonly report: BroadcastReport | null;
}

/**
 * Runs the worker; with `killAt`, SIGKILLs it as the stand-in receives that many sends in all (the
 * moment a send arrives, so sends are in flight), else waits for it to finish the broadcast.
 */
function runWorker(kind: string, dir: string, standIn: { apiRoot: string; armKill(at: number | null, kill: () => void): void }, killAt: number | null, startAt: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [worker, kind, dir, standIn.apiRoot, String(customers), String(startAt)], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let killed = false;
    standIn.armKill(killAt, () => {
      killed = true;
      child.kill("SIGKILL");
    });
    const guard = setTimeout(() => child.kill("SIGKILL"), 170_000);
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("exit", (code, signal) => {
      clearTimeout(guard);
      standIn.armKill(null, () => {});
      const done = stdout.split("\n").find((line) => line.startsWith("done "));
      if (killed && signal === "SIGKILL") resolve({ killed: true, report: null });
      else if (code === 0 && done) resolve({ killed: false, report: JSON.parse(done.slice(5)) as BroadcastReport });
      else reject(new Error(`the worker ended by itself (code ${code}, signal ${signal}): ${stderr.slice(0, 2_000)}`));
    });
  });
}

describe.each(["sqlite", "json"] as const)("%s: a broadcast under SIGKILL", (kind) => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0)) await step();
  });

  it(`messages each of ${customers.toLocaleString("en")} recipients after ${kills} SIGKILLs: none skipped, duplicates no more than the sends in flight at the kills`, { timeout: 600_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), `crm-broadcast-crash-${kind}-`));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    let sends = 0;
    let trigger: { at: number; kill: () => void } | null = null;
    const standIn: BotApiStandIn = await startBotApiStandIn({
      rateWatch: {
        record: (call) => {
          if (call.method !== "sendMessage") return;
          sends += 1;
          if (trigger && sends >= trigger.at) {
            trigger.kill();
            trigger = null;
          }
        },
      },
    });
    cleanup.push(() => standIn.close());
    const control = { apiRoot: standIn.apiRoot, armKill: (at: number | null, kill: () => void) => (trigger = at === null ? null : { at, kill }) };
    const killPoints = [1_500, 5_000, 8_500, 12_000, 15_500];
    let startAt = Date.parse("2026-03-01T09:00:00Z");
    for (const at of killPoints) {
      const run = await runWorker(kind, dir, control, at, startAt);
      expect(run.killed).toBe(true);
      startAt += 3_600_000;
    }
    const last = await runWorker(kind, dir, control, null, startAt);
    const report = last.report;
    // Messages Telegram accepted, by chat: a send whose sender was killed while it was answered still counts.
    const counts = new Map<number, number>();
    for (const call of standIn.callsTo("sendMessage", shopToken)) {
      if (!call.ok) continue;
      const chat = Number(call.payload["chat_id"]);
      counts.set(chat, (counts.get(chat) ?? 0) + 1);
    }
    const everyone = Array.from({ length: customers }, (_, i) => i + 1);
    const skipped = everyone.filter((userId) => (counts.get(userId) ?? 0) === 0);
    const duplicates = everyone.reduce((sum, userId) => sum + Math.max(0, (counts.get(userId) ?? 0) - 1), 0);
    expect(standIn.messages(7_777, shopToken)).toHaveLength(counts.get(7_777) ?? -1);
    const store = kind === "json" ? await openJsonStore({ dir: join(dir, "json") }) : openSqliteStore({ path: join(dir, "crm.sqlite") });
    const recoveries = (await store.actorEvents(`broadcast:${report?.id ?? ""}`)).filter((event) => event.type === "recovered").map((event) => Number(event.payload["inFlight"]));
    const journeys = (await store.events(7_777, { types: ["broadcast_received"] })).length;
    await store.close();
    console.log(`${kind}: ${kills} kills at ${killPoints.join(", ")} sends; in flight at each: ${recoveries.join(", ")}; duplicates ${duplicates}; skipped ${skipped.length}; sends ${sends}`);
    expect(report).toMatchObject({ status: "finished", total: customers, sent: customers, left: 0, failed: 0 });
    expect(skipped).toEqual([]);
    expect(recoveries.length).toBeLessThanOrEqual(kills);
    expect(duplicates).toBeLessThanOrEqual(report?.inFlightAtCrashes ?? 0);
    expect(report?.inFlightAtCrashes).toBe(recoveries.reduce((sum, n) => sum + n, 0));
    expect(journeys).toBe(1);
    expect(counts.size).toBe(customers);
  });
});
