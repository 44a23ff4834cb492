/**
 * Write failures injected at the file layer: every FileHandle's write, writeFile, datasync and
 * truncate go through a small disk model with a byte budget, which answers as a full disk does (a
 * short write, then ENOSPC). These run everywhere; adapters/fullDisk.test.ts does the same on a
 * real full tmpfs where the machine allows a mount.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createCustomerRuntime, type CustomerRuntime } from "../../actors/customerRuntime.ts";
import type { LogFields, Logger } from "../../actors/log.port.ts";
import type { CrmStore } from "../../actors/store.port.ts";
import { manualClock, personalTraces, seedPersonalData, tracesInFiles } from "../storeContract.ts";
import { aTimer, anEffect } from "../storeContractQueues.ts";
import { openJsonStore } from "./jsonStore.ts";
import { injectDiskModel, type DiskModel } from "./testing/diskModel.ts";

function recordingLogger(): Logger & { readonly lines: Array<{ level: string; event: string; fields: LogFields }> } {
  const lines: Array<{ level: string; event: string; fields: LogFields }> = [];
  const at = (level: string) => (event: string, fields: LogFields = {}) => void lines.push({ level, event, fields });
  return { lines, info: at("info"), warn: at("warn"), error: at("error") };
}

/** Dispatches `start` for each user at once (one group commit), and sorts the keys into acknowledged and refused. */
async function startAll(runtime: CustomerRuntime, users: readonly number[], tag: string): Promise<{ acked: string[]; refused: string[] }> {
  const keys = users.map((user) => `${tag}:${user}`);
  const outcomes = await Promise.allSettled(users.map((user, i) => runtime.dispatch(user, { type: "start", source: tag, username: null, name: null, key: keys[i] ?? "" })));
  return {
    acked: keys.filter((_, i) => outcomes[i]?.status === "fulfilled"),
    refused: keys.filter((_, i) => outcomes[i]?.status === "rejected"),
  };
}

/** Every key in the log, after a fresh open; also checks the log parses whole and every lead equals its log. */
async function keysAfterReopen(dir: string): Promise<Set<string>> {
  const store = await openJsonStore({ dir });
  const runtime = createCustomerRuntime({ store });
  await runtime.recover();
  const keys = new Set<string>();
  for (let user = 1; user <= 40; user++) for (const event of store.loadEvents(user)) keys.add(event.key);
  for (let user = 1; user <= 40; user++) {
    const last = store.loadEvents(user).at(-1);
    if (last) expect(store.loadActor(user)?.lastSeq).toBe(last.seq);
  }
  await runtime.close();
  await store.close();
  return keys;
}

describe("json store: write failures injected at the file layer (always runs)", () => {
  const dirs: string[] = [];
  let disk: DiskModel | undefined;
  let open_: CrmStore | undefined;
  afterEach(async () => {
    disk?.restore();
    disk = undefined;
    await open_?.close().catch(() => undefined);
    open_ = undefined;
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  async function setup(log?: Logger) {
    const dir = mkdtempSync(join(tmpdir(), "crm-json-fault-"));
    dirs.push(dir);
    disk = await injectDiskModel(dir);
    const store = await openJsonStore({ dir, ...(log ? { log } : {}) });
    open_ = store;
    const runtime = createCustomerRuntime({ store, clock: manualClock(1_000) });
    return { dir, store, runtime, disk };
  }

  it("injected short write, then ENOSPC: the unit fails, the line is cut back, and a restart holds every acknowledged event and no refused one", async () => {
    const { dir, store, runtime, disk } = await setup();
    const before = await startAll(runtime, [1, 2, 3], "before");
    expect(before.refused).toEqual([]);
    disk.free = 60; // part of the next line fits, as on a disk that just filled up
    const during = await startAll(runtime, [4, 5, 6, 7], "during");
    expect(during.acked).toEqual([]);
    const text = readFileSync(join(dir, "events.jsonl"), "utf8");
    expect(text.endsWith("\n")).toBe(true);
    expect(text.split("\n").filter(Boolean).every((line) => typeof JSON.parse(line) === "object")).toBe(true);

    disk.free = Number.POSITIVE_INFINITY; // space is back: the running store carries on
    const after = await startAll(runtime, [4, 8, 9], "after");
    expect(after.refused).toEqual([]);
    await runtime.close();
    await store.close();
    open_ = undefined;

    const keys = await keysAfterReopen(dir);
    expect([...before.acked, ...after.acked].filter((key) => !keys.has(key))).toEqual([]);
    expect(during.refused.filter((key) => keys.has(key))).toEqual([]);
  });

  it("injected fdatasync failure: the line is cut back and the unit fails, so a refused event never comes back at restart", async () => {
    const { dir, store, runtime, disk } = await setup();
    await startAll(runtime, [1], "before");
    disk.datasyncFailures = 1;
    const during = await startAll(runtime, [2], "during");
    expect(during.refused).toEqual(["during:2"]);
    expect(await store.lead(2)).toBeNull();
    const after = await startAll(runtime, [3], "after");
    expect(after.acked).toEqual(["after:3"]);
    await runtime.close();
    await store.close();
    open_ = undefined;
    const keys = await keysAfterReopen(dir);
    expect(keys.has("during:2")).toBe(false);
    expect(keys.has("before:1") && keys.has("after:3")).toBe(true);
  });

  it("injected failure of the actors journal after the log line: the unit's log line is taken back with it", async () => {
    const { dir, store, runtime, disk } = await setup();
    await startAll(runtime, [1], "before");
    const logBefore = readFileSync(join(dir, "events.jsonl"), "utf8");
    const journalBefore = readFileSync(join(dir, "actors.jsonl"), "utf8");
    disk.free = 400; // the log line (~170 bytes) fits, the lead record with its snapshot does not
    const during = await startAll(runtime, [2], "during");
    expect(during.refused).toEqual(["during:2"]);
    expect(readFileSync(join(dir, "events.jsonl"), "utf8")).toBe(logBefore);
    expect(readFileSync(join(dir, "actors.jsonl"), "utf8")).toBe(journalBefore);
    expect(store.loadEvents(2)).toEqual([]);
    disk.free = Number.POSITIVE_INFINITY;
    expect((await startAll(runtime, [2], "after")).acked).toEqual(["after:2"]);
    await runtime.close();
    await store.close();
    open_ = undefined;
    const keys = await keysAfterReopen(dir);
    expect(keys.has("during:2")).toBe(false);
    expect(keys.has("after:2")).toBe(true);
  });

  it("injected failure to cut a torn line back: every later write is refused until a restart, which cuts the line with a warning", async () => {
    const { dir, store, runtime, disk } = await setup();
    const before = await startAll(runtime, [1, 2], "before");
    await store.writeSession("shop:1", "{}");
    disk.free = 60;
    disk.failTruncate = true;
    const torn = runtime.dispatch(3, { type: "start", source: null, username: null, name: null, key: "torn:3" });
    await expect(torn).rejects.toThrow(/events\.jsonl.*cutting it back failed too.*refuses every write until it is restarted/s);
    disk.free = Number.POSITIVE_INFINITY;
    disk.failTruncate = false;
    // Space is back, but the file ends in a fragment: nothing may be acknowledged after it.
    const refusedLater = await startAll(runtime, [4, 5], "later");
    expect(refusedLater.acked).toEqual([]);
    await expect(store.writeSession("shop:1", '{"cart":[]}')).rejects.toMatchObject({ name: "JsonStoreWriteError" });
    await expect(store.enqueueAllForMirror()).rejects.toMatchObject({ name: "JsonStoreWriteError" });
    expect(await store.readSession("shop:1")).toBe("{}");
    await runtime.close();
    await store.close();
    open_ = undefined;

    const log = recordingLogger();
    const reopened = await openJsonStore({ dir, log });
    expect(log.lines.some((line) => line.event === "json_store_torn_line_cut" && line.fields["file"] === join(dir, "events.jsonl"))).toBe(true);
    await reopened.close();
    const keys = await keysAfterReopen(dir);
    expect(before.acked.filter((key) => !keys.has(key))).toEqual([]);
    expect([...refusedLater.refused, "torn:3"].filter((key) => keys.has(key))).toEqual([]);
  });

  it("injected ENOSPC on a session save: the old sessions.json stays, no temporary file is left, and memory keeps the old value", async () => {
    const { dir, store, disk } = await setup();
    await store.writeSession("shop:7", '{"cart":["tea"]}');
    disk.free = 10;
    await expect(store.writeSession("shop:7", '{"cart":["tea","coffee"]}')).rejects.toThrow(/ENOSPC/);
    await expect(store.deleteSession("shop:7")).rejects.toThrow(/ENOSPC/);
    expect(existsSync(join(dir, ".sessions.json.tmp"))).toBe(false);
    expect(JSON.parse(readFileSync(join(dir, "sessions.json"), "utf8"))).toEqual({ format: 1, sessions: { "shop:7": '{"cart":["tea"]}' } });
    expect(await store.readSession("shop:7")).toBe('{"cart":["tea"]}');
    disk.free = Number.POSITIVE_INFINITY;
    await store.writeSession("shop:8", "{}");
    expect(await store.readSession("shop:7")).toBe('{"cart":["tea"]}');
  });

  it("keeps a later change of a session whose earlier save failed, and saves it with its own write", async () => {
    const { dir, store, disk } = await setup();
    await store.writeSession("shop:7", "v1");
    let release = (): void => undefined;
    disk.hold = new Promise<void>((resolve) => (release = resolve));
    disk.writeFailures = 1;
    const failing = store.writeSession("shop:7", "v2");
    await new Promise((resolve) => setImmediate(resolve)); // its rewrite has read the sessions and waits on the disk
    const later = store.writeSession("shop:7", "v3");
    disk.hold = null;
    release();
    await expect(failing).rejects.toThrow(/ENOSPC/);
    await later;
    expect(await store.readSession("shop:7")).toBe("v3");
    expect(JSON.parse(readFileSync(join(dir, "sessions.json"), "utf8"))).toMatchObject({ sessions: { "shop:7": "v3" } });
  });

  it("injected ENOSPC on the leads.json fold: a warning, no temporary file, the unit still acknowledged, and nothing lost at restart", async () => {
    const dir = mkdtempSync(join(tmpdir(), "crm-json-fault-"));
    dirs.push(dir);
    disk = await injectDiskModel(dir);
    const log = recordingLogger();
    const store = await openJsonStore({ dir, checkpointEvery: 2, log });
    open_ = store;
    const runtime = createCustomerRuntime({ store, clock: manualClock(1_000) });
    await startAll(runtime, [1], "a");
    disk.free = 2_000; // the unit's two appends fit (about 1.6 KB); the whole leads.json (about 2.4 KB) does not
    const folding = await startAll(runtime, [2], "b");
    expect(folding.acked).toEqual(["b:2"]);
    expect(log.lines.some((line) => line.event === "json_store_fold_failed" && line.fields["file"] === join(dir, "leads.json"))).toBe(true);
    expect(existsSync(join(dir, ".leads.json.tmp"))).toBe(false);
    disk.free = Number.POSITIVE_INFINITY;
    await runtime.close();
    await store.close();
    open_ = undefined;
    const keys = await keysAfterReopen(dir);
    expect(keys.has("a:1") && keys.has("b:2")).toBe(true);
  });

  it("injected ENOSPC on leads.json right after an erasure: the erasure reports failure, and the next write finishes it", async () => {
    const { dir, store, runtime, disk } = await setup();
    await seedPersonalData(runtime, store);
    disk.writesBeforeFailure = 1; // the log's rewrite goes through; the fold of leads.json after it does not
    disk.writeFailures = 1;
    await expect(runtime.forget(7, "7:forget")).rejects.toThrow(/leads\.json could not be rewritten after an erasure/);
    expect(existsSync(join(dir, ".leads.json.tmp"))).toBe(false);
    // Until then only the folded files still hold the old lead record; the log is already erased.
    const left = tracesInFiles(dir, personalTraces);
    expect(left).not.toEqual([]);
    expect(left.filter((trace) => !trace.startsWith("leads.json") && !trace.startsWith("actors.jsonl"))).toEqual([]);
    await startAll(runtime, [8], "next");
    expect(tracesInFiles(dir, personalTraces)).toEqual([]);
    expect((await runtime.forget(7, "7:forget")).duplicate).toBe(true);
    expect(await store.lead(7)).toMatchObject({ erasedAt: expect.any(Number), phone: null });
  });
});

describe("json store: write failures of timers, effects and effect attempts", () => {
  const dirs: string[] = [];
  let disk: DiskModel | undefined;
  let open_: CrmStore | undefined;
  afterEach(async () => {
    disk?.restore();
    disk = undefined;
    await open_?.close().catch(() => undefined);
    open_ = undefined;
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  /** A store with one armed timer and one queued effect of customer 1, on a disk that can fill up. */
  async function armed(log?: Logger) {
    const dir = mkdtempSync(join(tmpdir(), "crm-json-queue-fault-"));
    dirs.push(dir);
    disk = await injectDiskModel(dir);
    const store = await openJsonStore({ dir, ...(log ? { log } : {}) });
    open_ = store;
    await store.transact((tx) => {
      tx.setTimer(aTimer("customer:1", "remind", 5_000));
      tx.queueEffect(anEffect("e1", "customer:1", 1_000));
    });
    return { dir, store, disk };
  }

  /** Closes the store and opens it again with the disk restored; returns what it holds. */
  async function afterRestart(dir: string, store: CrmStore, log?: Logger) {
    disk?.restore();
    await store.close();
    open_ = await openJsonStore({ dir, ...(log ? { log } : {}) });
    const text = readFileSync(join(dir, "events.jsonl"), "utf8");
    expect(text.split("\n").filter(Boolean).every((line) => typeof JSON.parse(line) === "object")).toBe(true);
    return { timers: open_.dueTimers(Number.MAX_SAFE_INTEGER, 100).map((timer) => timer.key), effects: open_.effectsOf("customer:1") };
  }

  it("injected short write, then ENOSPC, on a unit that arms timers and queues effects: none of it is kept, in memory, for the next unit, or at restart", async () => {
    const { dir, store, disk } = await armed();
    disk.free = 30;
    const failing = store.transact((tx) => {
      tx.setTimer(aTimer("customer:2", "remind", 1_000));
      tx.cancelTimer("customer:1", "remind");
      tx.queueEffect(anEffect("e2", "customer:2"));
      tx.completeEffect("e1");
    });
    const next = store.transact((tx) => ({ cancelled: tx.timerOf("customer:1", "remind")?.key ?? null }));
    await expect(failing).rejects.toThrow(/ENOSPC/);
    // It saw the failed unit's cancel, so it fails with it rather than be acknowledged on what never happened.
    await expect(next).rejects.toThrow(/a unit of work before this one failed/);
    disk.free = Number.POSITIVE_INFINITY;
    expect(store.timersCount()).toBe(1);
    expect(store.effectsCount()).toEqual({ pending: 1, failed: 0 });
    expect(await store.transact((tx) => [tx.timerOf("customer:1", "remind")?.key, tx.timerOf("customer:2", "remind")])).toEqual(["t:customer:1:1:remind", undefined]);
    const { timers, effects } = await afterRestart(dir, store);
    expect(timers).toEqual(["t:customer:1:1:remind"]);
    expect(effects.map((effect) => effect.key)).toEqual(["e1"]);
    expect(open_?.effectsOf("customer:2")).toEqual([]);
  });

  it("injected short write, then ENOSPC, on an effect attempt: it fails, its line is cut back, and memory and a restart keep the attempt before it", async () => {
    const { dir, store, disk } = await armed();
    await store.recordEffectAttempt("e1", { attempts: 1, nextAt: 2_000, status: "pending", lastError: "502" });
    disk.free = 12;
    await expect(store.recordEffectAttempt("e1", { attempts: 2, nextAt: 4_000, status: "pending", lastError: "503" })).rejects.toThrow(/ENOSPC/);
    expect(readFileSync(join(dir, "events.jsonl"), "utf8").endsWith("\n")).toBe(true);
    expect(store.effectsOf("customer:1")).toMatchObject([{ attempts: 1, nextAt: 2_000, lastError: "502" }]);
    disk.free = Number.POSITIVE_INFINITY;
    await store.recordEffectAttempt("e1", { attempts: 3, nextAt: 8_000, status: "failed", lastError: "gave up" });
    const { effects } = await afterRestart(dir, store);
    expect(effects).toMatchObject([{ key: "e1", attempts: 3, nextAt: 8_000, status: "failed", lastError: "gave up" }]);
  });

  it("injected failure to cut back a torn attempt line: every later unit, timers included, and attempt is refused until a restart, which cuts it with a warning", async () => {
    const { dir, store, disk } = await armed();
    disk.free = 12;
    disk.failTruncate = true;
    await expect(store.recordEffectAttempt("e1", { attempts: 1, nextAt: 2_000, status: "pending", lastError: null })).rejects.toThrow(
      /events\.jsonl.*cutting it back failed too.*refuses every write until it is restarted/s,
    );
    disk.free = Number.POSITIVE_INFINITY;
    disk.failTruncate = false;
    await expect(store.transact((tx) => tx.setTimer(aTimer("customer:3", "remind", 1_000)))).rejects.toMatchObject({ name: "JsonStoreWriteError" });
    await expect(store.recordEffectAttempt("e1", { attempts: 2, nextAt: 3_000, status: "pending", lastError: null })).rejects.toMatchObject({ name: "JsonStoreWriteError" });
    expect(store.timersCount()).toBe(1);
    expect(store.effectsOf("customer:1")).toMatchObject([{ attempts: 0 }]);
    const log = recordingLogger();
    const { timers, effects } = await afterRestart(dir, store, log);
    expect(log.lines.some((line) => line.event === "json_store_torn_line_cut" && line.fields["file"] === join(dir, "events.jsonl"))).toBe(true);
    expect(timers).toEqual(["t:customer:1:1:remind"]);
    expect(effects).toMatchObject([{ key: "e1", attempts: 0, nextAt: 1_000, status: "pending" }]);
  });
});
