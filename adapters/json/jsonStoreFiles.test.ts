import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createCustomerRuntime } from "../../actors/customerRuntime.ts";
import { manualClock } from "../storeContract.ts";
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
});
