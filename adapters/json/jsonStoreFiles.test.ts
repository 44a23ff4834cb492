import { appendFileSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createCustomerRuntime } from "../../actors/customerRuntime.ts";
import { manualClock, personalTraces, seedPersonalData, tracesInFiles } from "../storeContract.ts";
import { openJsonStore } from "./jsonStore.ts";

describe("json store files", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  async function seeded(): Promise<string> {
    const dir = mkdtempSync(join(tmpdir(), "crm-json-files-"));
    dirs.push(dir);
    const store = await openJsonStore({ dir, checkpointEvery: 3 });
    const runtime = createCustomerRuntime({ store, clock: manualClock(1_000) });
    for (let user = 1; user <= 4; user++) await runtime.dispatch(user, { type: "add_to_cart", productId: "p", qty: 1, key: `a${user}` });
    await runtime.close();
    await store.close();
    return dir;
  }

  it("cuts off a torn last line, which was never acknowledged, and keeps everything before it", async () => {
    const dir = await seeded();
    appendFileSync(join(dir, "events.jsonl"), '{"b":99,"e":[{"seq":99,"userId":1,"ty');
    const store = await openJsonStore({ dir });
    expect((await store.events(1)).map((event) => event.key)).toEqual(["a1"]);
    expect(await store.stage(4)).toBe("cart");
    expect(readFileSync(join(dir, "events.jsonl"), "utf8").endsWith("\n")).toBe(true);
    await store.close();
  });

  it("refuses to open over a corrupt line in the middle of the log, naming the file and line", async () => {
    const dir = await seeded();
    const path = join(dir, "events.jsonl");
    const lines = readFileSync(path, "utf8").split("\n");
    lines[1] = "{garbage";
    writeFileSync(path, lines.join("\n"));
    await expect(openJsonStore({ dir })).rejects.toThrow(/events\.jsonl: line 2 is not valid JSON/);
  });

  it("folds the actors journal into leads.json, and appends the event log without rewriting it", async () => {
    const dir = await seeded();
    const checkpoint = JSON.parse(readFileSync(join(dir, "leads.json"), "utf8")) as { actors: unknown[] };
    expect(checkpoint.actors).toHaveLength(4);
    expect(readFileSync(join(dir, "actors.jsonl"), "utf8")).toBe("");
    const before = readFileSync(join(dir, "events.jsonl"), "utf8");
    const store = await openJsonStore({ dir });
    const runtime = createCustomerRuntime({ store });
    await runtime.dispatch(5, { type: "start", key: "s5" });
    await runtime.close();
    await store.close();
    const after = readFileSync(join(dir, "events.jsonl"), "utf8");
    expect(after.startsWith(before)).toBe(true);
    expect(after.length).toBeGreaterThan(before.length);
  });

  it("reads leads written before names and erasure existed as having neither", async () => {
    const dir = await seeded();
    const path = join(dir, "leads.json");
    const checkpoint = JSON.parse(readFileSync(path, "utf8")) as { actors: Array<{ lead: Record<string, unknown> }> };
    for (const { lead } of checkpoint.actors) {
      delete lead["name"];
      delete lead["erasedAt"];
    }
    writeFileSync(path, JSON.stringify(checkpoint));
    const store = await openJsonStore({ dir });
    expect(await store.lead(1)).toMatchObject({ stage: "cart", name: null, erasedAt: null });
    await store.close();
  });

  it("ignores and removes a temporary file left by a crash before its rename", async () => {
    const dir = await seeded();
    writeFileSync(join(dir, ".events.jsonl.tmp"), '{"b":1,"e":[],"m":[]}\n{"b":2,"e":[{"seq":1');
    writeFileSync(join(dir, ".leads.json.tmp"), '{"format":1,"throughBatch":9,"act');
    const store = await openJsonStore({ dir });
    expect((await store.events(1)).map((event) => event.key)).toEqual(["a1"]);
    expect(await store.stage(4)).toBe("cart");
    expect(existsSync(join(dir, ".events.jsonl.tmp"))).toBe(false);
    expect(existsSync(join(dir, ".leads.json.tmp"))).toBe(false);
    await store.close();
  });

  it("rebuilds the mirror's outbox from the log: a torn line queues nothing, a lead whose journal record was lost stays queued", async () => {
    const dir = await seeded();
    const first = await openJsonStore({ dir });
    expect((await first.pendingMirror("lead", 10)).map((item) => item.ref)).toEqual(["1", "2", "3", "4"]);
    await first.completeMirror(await first.pendingMirror("lead", 2));
    await first.close();
    for (const name of ["leads.json", "actors.jsonl"]) copyFileSync(join(dir, name), join(dir, `${name}.before`));

    const later = Date.now() + 3_600_000;
    const second = await openJsonStore({ dir, clock: manualClock(later) });
    expect((await second.pendingMirror("lead", 10)).map((item) => item.ref)).toEqual(["3", "4"]);
    const runtime = createCustomerRuntime({ store: second, clock: manualClock(2_000) });
    await runtime.dispatch(5, { type: "start", key: "s5" });
    await runtime.close();
    await second.close();
    // As if the process died after the unit's log line, before its lead record reached the journal,
    for (const name of ["leads.json", "actors.jsonl"]) copyFileSync(join(dir, `${name}.before`), join(dir, name));
    for (const name of ["leads.json", "actors.jsonl"]) rmSync(join(dir, `${name}.before`));
    // and as if a later unit was torn mid-line, never acknowledged.
    appendFileSync(join(dir, "events.jsonl"), '{"b":99,"e":[],"m":[],"q":{"at":8000,"lead":["9"],"order":[');

    const store = await openJsonStore({ dir, clock: manualClock(9_000) });
    expect(store.staleActors()).toEqual([5]);
    expect(await store.pendingMirror("lead", 10)).toEqual([
      { kind: "lead", ref: "3", version: 1, queuedAt: expect.any(Number) },
      { kind: "lead", ref: "4", version: 1, queuedAt: expect.any(Number) },
      { kind: "lead", ref: "5", version: 1, queuedAt: later },
    ]);
    const recovering = createCustomerRuntime({ store });
    expect(await recovering.recover()).toBe(1);
    expect((await store.pendingMirror("lead", 10)).at(-1)).toEqual({ kind: "lead", ref: "5", version: 2, queuedAt: later });
    expect(await store.pendingMirrorCount()).toEqual({ leads: 3, orders: 0 });
    await recovering.close();
    await store.close();
  });

  it("after a crash between the erasing log and the checkpoint, drops the old lead at once and recovers it from the log", async () => {
    const dir = mkdtempSync(join(tmpdir(), "crm-json-files-"));
    dirs.push(dir);
    const first = await openJsonStore({ dir });
    const runtime = createCustomerRuntime({ store: first, clock: manualClock(1_000) });
    await seedPersonalData(runtime, first);
    await runtime.close();
    await first.close();
    for (const name of ["leads.json", "actors.jsonl"]) copyFileSync(join(dir, name), join(dir, `${name}.before`));

    const second = await openJsonStore({ dir });
    const forgetting = createCustomerRuntime({ store: second, clock: manualClock(2_000) });
    await second.transact((tx) => tx.erasePersonalData(7));
    await forgetting.dispatch(7, { type: "data_erased", key: "7:forget" });
    await forgetting.close();
    await second.close();
    // As if the process died right after the log's rename, before the checkpoint was folded.
    for (const name of ["leads.json", "actors.jsonl"]) copyFileSync(join(dir, `${name}.before`), join(dir, name));
    for (const name of ["leads.json", "actors.jsonl"]) rmSync(join(dir, `${name}.before`));
    expect(tracesInFiles(dir, personalTraces)).not.toEqual([]);

    const store = await openJsonStore({ dir });
    expect(tracesInFiles(dir, personalTraces)).toEqual([]);
    expect(store.staleActors()).toEqual([7]);
    const recovering = createCustomerRuntime({ store });
    expect(await recovering.recover()).toBe(1);
    expect(await store.lead(7)).toMatchObject({ stage: "customer", ordersCount: 1, username: null, name: null, phone: null, erasedAt: 2_000 });
    expect((await store.dailyStats("1970-01-01", "UTC")).stageMoves).toEqual({ new: 1, engaged: 1, checkout: 1, customer: 1 });
    await recovering.close();
    await store.close();
    expect(tracesInFiles(dir, personalTraces)).toEqual([]);
  });
});
