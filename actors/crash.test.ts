import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { openJsonStore } from "../adapters/json/jsonStore.ts";
import { openSqliteStore } from "../adapters/sqlite/sqliteStore.ts";
import { createCustomerRuntime } from "./customerRuntime.ts";
import { createCustomerStepper, customerActor, replayCustomer } from "./customerStepper.ts";
import type { CrmStore } from "./store.port.ts";

const worker = fileURLToPath(new URL("./fixtures/dispatchUnderLoad.ts", import.meta.url));

/**
 * Runs the worker under load, then SIGKILLs it once it has acknowledged `acks` events, or after
 * `forMs` if it has acknowledged at least a tenth of that by then, so that a slow shared disk does
 * not hang the test. A worker that acknowledges nothing for `stallMs` fails the test with its
 * stderr. Returns the acknowledgement lines it printed.
 */
function dispatchThenKill(kind: "sqlite" | "json", path: string, acks: number, forMs = 8_000, stallMs = 45_000): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [worker, kind, path], { stdio: ["ignore", "pipe", "pipe"] });
    const acked: string[] = [];
    let buffer = "";
    let stderr = "";
    let killedAt: number | null = null;
    let stalledAt: number | null = null;
    const kill = () => {
      killedAt ??= acked.length;
      child.kill("SIGKILL");
    };
    const startedAt = Date.now();
    let seen = 0;
    let progressAt = startedAt;
    const deadline = setInterval(() => {
      const now = Date.now();
      if (acked.length !== seen) progressAt = now;
      seen = acked.length;
      if (now - startedAt >= forMs && acked.length >= acks / 10) kill();
      else if (now - progressAt >= stallMs) {
        stalledAt = acked.length;
        child.kill("SIGKILL");
      }
    }, 500);
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split("\n");
      buffer = lines.pop() ?? "";
      for (const line of lines) if (line.startsWith("crash:")) acked.push(line);
      if (acked.length >= acks) kill();
    });
    child.on("exit", (code, signal) => {
      clearInterval(deadline);
      if (stalledAt !== null) reject(new Error(`the worker made no progress for ${stallMs} ms after ${stalledAt} acknowledgements: ${stderr}`));
      else if (signal === "SIGKILL" && killedAt !== null) resolve(acked);
      else reject(new Error(`the worker ended by itself (code ${code}, signal ${signal}) after ${acked.length} acknowledgements: ${stderr}`));
    });
  });
}

async function expectDurable(store: CrmStore, acked: readonly string[]): Promise<void> {
  // The worker never completes a mirror item, so, before any recovery, exactly the customers with a
  // stored event are queued: the outbox lost no item with its change, and invented none without one.
  const queued = (await store.pendingMirror("lead", 1_000)).map((item) => Number(item.ref)).sort((a, b) => a - b);
  const logged = Array.from({ length: 97 }, (_, i) => i + 1).filter((userId) => store.loadEvents(userId).length > 0);
  expect(queued).toEqual(logged);
  const runtime = createCustomerRuntime({ store });
  await runtime.recover();
  const stored = new Set<string>();
  for (let userId = 1; userId <= 97; userId++) for (const event of store.loadEvents(userId)) stored.add(event.key);
  const committed = acked.filter((line) => !line.endsWith(" refused"));
  const refused = acked.filter((line) => line.endsWith(" refused")).map((line) => line.split(" ")[0] ?? "");
  expect(committed.filter((key) => !stored.has(key))).toEqual([]);
  expect(refused.filter((key) => stored.has(key))).toEqual([]);
  expect(stored.size).toBeGreaterThanOrEqual(committed.length);
  const stepper = createCustomerStepper();
  const byKey = (a: { key: string }, b: { key: string }) => a.key.localeCompare(b.key);
  for (let userId = 1; userId <= 97; userId++) {
    const log = store.loadEvents(userId);
    if (log.length === 0) continue;
    const actor = store.loadActor(userId);
    const fromLog = replayCustomer(stepper, userId, log);
    expect(actor?.lastSeq, `customer ${userId}`).toBe(log.at(-1)?.seq);
    expect(JSON.parse(actor?.snapshot ?? "null"), `customer ${userId}`).toMatchObject({ value: fromLog.snapshot.value, context: fromLog.snapshot.context });
    // Timers and effects committed with their events: the stored timers are exactly those the log arms,
    // and every order in the log queued its owners' notice (nothing delivers them in the worker).
    expect([...store.timersOf(customerActor(userId))].sort(byKey), `customer ${userId}`).toEqual([...fromLog.timers].sort(byKey));
    const notices = log.filter((row) => row.type === "order_created").map((row) => `e:${customerActor(userId)}:${row.seq}:0`);
    expect(store.effectsOf(customerActor(userId)).map((effect) => effect.key), `customer ${userId}`).toEqual(notices);
  }
  await runtime.close();
}

describe("crash: SIGKILL under load", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("loses no acknowledged event in SQLite, and every snapshot equals its replayed log", { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "crm-crash-"));
    dirs.push(dir);
    const path = join(dir, "crm.sqlite");
    const acked = await dispatchThenKill("sqlite", path, 20_000);
    expect(acked.length).toBeGreaterThanOrEqual(2_000);
    const store = openSqliteStore({ path });
    await expectDurable(store, acked);
    await store.close();
  });

  it("loses no acknowledged event in the JSON store, and recovers every snapshot from the log", { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "crm-crash-json-"));
    dirs.push(dir);
    const acked = await dispatchThenKill("json", dir, 5_000);
    expect(acked.length).toBeGreaterThanOrEqual(500);
    const store = await openJsonStore({ dir });
    await expectDurable(store, acked);
    await store.close();
  });
});
