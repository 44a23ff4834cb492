import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createCustomerRuntime, replayLog } from "../../actors/customerRuntime.ts";
import { stageOf } from "../../actors/customerSnapshot.ts";
import type { LogFields, Logger } from "../../actors/log.port.ts";
import { manualClock } from "../storeContract.ts";
import { openJsonStore } from "./jsonStore.ts";

/** A logger that keeps what it was told, for asserting on the warnings. */
function recordingLogger(): Logger & { readonly lines: Array<{ level: string; event: string; fields: LogFields }> } {
  const lines: Array<{ level: string; event: string; fields: LogFields }> = [];
  const at = (level: string) => (event: string, fields: LogFields = {}) => void lines.push({ level, event, fields });
  return { lines, info: at("info"), warn: at("warn"), error: at("error") };
}

const secretName = "Zinaida Secretnaya";

describe("json store: damaged files", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  /** Customer 1 browses; customer 2 orders, and that order is the log's last line. Closed cleanly (leads.json folded). */
  async function withAnOrderLast(): Promise<string> {
    const dir = mkdtempSync(join(tmpdir(), "crm-json-damage-"));
    dirs.push(dir);
    const store = await openJsonStore({ dir });
    const runtime = createCustomerRuntime({ store, clock: manualClock(1_000) });
    await runtime.dispatch(1, { type: "start", source: "ads", username: null, name: null, key: "1:start" });
    await runtime.dispatch(2, { type: "start", source: null, username: "zina", name: secretName, key: "2:start" });
    await runtime.dispatch(2, { type: "add_to_cart", productId: "tea-1", qty: 1, key: "2:add" });
    await runtime.dispatch(2, { type: "checkout_started", key: "2:checkout" });
    await runtime.dispatch(2, { type: "contact_shared", phone: "+79990001122", key: "2:contact" });
    await runtime.dispatch(2, { type: "delivery_given", text: "Secret street 1", key: "2:delivery" });
    await runtime.dispatch(2, { type: "order_created", orderId: "SO-2A", items: [{ productId: "tea-1", title: "Tea", price: 990, qty: 1 }], total: 990, currency: "RUB", key: "2:order" });
    expect(await store.lead(2)).toMatchObject({ ordersCount: 1 });
    await runtime.close();
    await store.close();
    return dir;
  }

  it("warns naming events.jsonl and what it drops when its last line is cut in half, and rebuilds the lead from the log", async () => {
    const dir = await withAnOrderLast();
    const path = join(dir, "events.jsonl");
    const text = readFileSync(path);
    const lastStart = text.subarray(0, text.length - 1).lastIndexOf(0x0a) + 1;
    const cutAt = lastStart + Math.floor((text.length - lastStart) / 2);
    truncateSync(path, cutAt);

    const log = recordingLogger();
    const store = await openJsonStore({ dir, log });
    const torn = log.lines.find((line) => line.level === "warn" && line.fields["file"] === path);
    expect(torn).toBeDefined();
    expect(torn?.fields).toMatchObject({ offset: lastStart, droppedBytes: cutAt - lastStart });
    expect(JSON.stringify(log.lines)).not.toMatch(/Zinaida|zina|7999|Secret street/);
    expect(log.lines.some((line) => line.level === "warn" && line.fields["customers"] === 1)).toBe(true);
    expect(readFileSync(path).length).toBe(lastStart);

    const runtime = createCustomerRuntime({ store });
    await runtime.recover();
    expect(await store.lead(2)).toMatchObject({ ordersCount: 0, stage: "checkout" });
    expect(await store.order("SO-2A")).toBeNull();
    const replayed = replayLog(2, store.loadEvents(2));
    expect(await store.lead(2)).toMatchObject({ stage: stageOf(replayed), ordersCount: replayed.context.ordersCount });
    // A new event after the repair gets a sequence number the dropped line never had.
    await runtime.dispatch(2, { type: "catalog_view", key: "2:again" });
    await runtime.close();
    await store.close();

    const reopened = await openJsonStore({ dir });
    expect(reopened.staleActors()).toEqual([]);
    expect(await reopened.lead(2)).toMatchObject({ ordersCount: 0 });
    expect((await reopened.events(2)).map((event) => event.key)).toEqual(["2:start", "2:add", "2:checkout", "2:contact", "2:delivery", "2:again"]);
    await reopened.close();
  });

  it("drops a lead that only the cut line knew about, rather than keep a customer with no log", async () => {
    const dir = await withAnOrderLast();
    const store = await openJsonStore({ dir });
    const runtime = createCustomerRuntime({ store, clock: manualClock(5_000) });
    await runtime.dispatch(3, { type: "start", source: null, username: null, name: null, key: "3:start" });
    await runtime.close();
    await store.close();
    const path = join(dir, "events.jsonl");
    const text = readFileSync(path);
    truncateSync(path, text.subarray(0, text.length - 1).lastIndexOf(0x0a) + 5);

    const log = recordingLogger();
    const reopened = await openJsonStore({ dir, log });
    expect(await reopened.lead(3)).toBeNull();
    expect((await reopened.funnel()).total).toBe(2);
    expect(log.lines.filter((line) => line.level === "warn").length).toBeGreaterThanOrEqual(2);
    await reopened.close();
  });

  it("refuses to start over a deleted events.jsonl while the leads show customers, saying the log is the truth", async () => {
    const dir = await withAnOrderLast();
    rmSync(join(dir, "events.jsonl"));
    const opening = openJsonStore({ dir });
    await expect(opening).rejects.toMatchObject({ name: "JsonStoreDamagedError" });
    await expect(opening).rejects.toThrow(/events\.jsonl.*(missing|no events).*leads\.json.*2 customers.*backup.*move the folder/s);
    expect(existsSync(join(dir, "events.jsonl"))).toBe(false);
    // The refusal released the store: a second attempt gets the same answer, not "in use".
    await expect(openJsonStore({ dir })).rejects.toMatchObject({ name: "JsonStoreDamagedError" });
  });

  it("refuses an emptied events.jsonl too, also when only the actors journal holds the customers", async () => {
    const dir = await withAnOrderLast();
    writeFileSync(join(dir, "events.jsonl"), "");
    await expect(openJsonStore({ dir })).rejects.toMatchObject({ name: "JsonStoreDamagedError" });
    // As if the process died before its fold: the leads live only in actors.jsonl.
    const checkpoint = JSON.parse(readFileSync(join(dir, "leads.json"), "utf8")) as { actors: unknown[] };
    writeFileSync(join(dir, "actors.jsonl"), `${JSON.stringify({ b: 1, a: checkpoint.actors })}\n`);
    rmSync(join(dir, "leads.json"));
    await expect(openJsonStore({ dir })).rejects.toThrow(/events\.jsonl.*actors\.jsonl.*2 customers/s);
  });

  it("rebuilds from the log, with a warning naming the file, when leads.json is not valid JSON", async () => {
    const dir = await withAnOrderLast();
    const path = join(dir, "leads.json");
    const text = readFileSync(path, "utf8");
    writeFileSync(path, text.slice(0, 100));

    const log = recordingLogger();
    const store = await openJsonStore({ dir, log });
    const warning = log.lines.find((line) => line.level === "warn" && line.fields["file"] === path);
    expect(warning).toBeDefined();
    expect(JSON.stringify(log.lines)).not.toMatch(/Zinaida|zina|7999|Secret street/);
    expect([...store.staleActors()].sort()).toEqual([1, 2]);
    const runtime = createCustomerRuntime({ store });
    expect(await runtime.recover()).toBe(2);
    expect(await store.lead(2)).toMatchObject({ ordersCount: 1, stage: "customer", name: secretName });
    await runtime.close();
    await store.close();
    expect(() => JSON.parse(readFileSync(path, "utf8")) as unknown).not.toThrow();
  });

  it("rebuilds from the log when leads.json is valid JSON of the wrong shape", async () => {
    const dir = await withAnOrderLast();
    writeFileSync(join(dir, "leads.json"), JSON.stringify({ format: 1, throughBatch: 3, actors: [{ lead: null }] }));
    const log = recordingLogger();
    const store = await openJsonStore({ dir, log });
    expect(log.lines.some((line) => line.level === "warn" && line.fields["file"] === join(dir, "leads.json"))).toBe(true);
    expect([...store.staleActors()].sort()).toEqual([1, 2]);
    await store.close();
  });

  it("skips a corrupt line inside actors.jsonl with a warning; the leads it held are rebuilt from the log", async () => {
    const dir = mkdtempSync(join(tmpdir(), "crm-json-damage-"));
    dirs.push(dir);
    const store = await openJsonStore({ dir });
    const runtime = createCustomerRuntime({ store, clock: manualClock(1_000) });
    for (const user of [5, 6, 7]) await runtime.dispatch(user, { type: "start", source: null, username: null, name: null, key: `${user}:start` });
    await runtime.close();
    // Copy the journal as it is before close() folds it, then put it back damaged in its middle line.
    const journal = readFileSync(join(dir, "actors.jsonl"), "utf8").split("\n");
    await store.close();
    journal[1] = "{\"b\":2,\"a\":[{\"lead\":";
    writeFileSync(join(dir, "actors.jsonl"), journal.join("\n"));
    writeFileSync(join(dir, "leads.json"), JSON.stringify({ format: 1, throughBatch: 0, actors: [] }));

    const log = recordingLogger();
    const reopened = await openJsonStore({ dir, log });
    expect(log.lines.some((line) => line.level === "warn" && line.fields["file"] === join(dir, "actors.jsonl") && line.fields["line"] === 2)).toBe(true);
    expect(reopened.staleActors()).toEqual([6]);
    await reopened.close();
  });

  it("refuses a corrupt sessions.json by name, saying what deleting it would lose", async () => {
    const dir = await withAnOrderLast();
    const store = await openJsonStore({ dir });
    await store.writeSession("shop:2", JSON.stringify({ cart: [] }));
    await store.close();
    appendFileSync(join(dir, "sessions.json"), "garbage");
    const opening = openJsonStore({ dir });
    await expect(opening).rejects.toMatchObject({ name: "JsonStoreDamagedError" });
    await expect(opening).rejects.toThrow(/sessions\.json.*not valid.*backup.*delete it/s);
  });
});
