import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { LogFields, Logger } from "../../actors/log.port.ts";
import { aTimer, anEffect } from "../storeContractQueues.ts";
import { openJsonStore } from "./jsonStore.ts";

function recordingLogger(): Logger & { readonly lines: Array<{ event: string; fields: LogFields }> } {
  const lines: Array<{ event: string; fields: LogFields }> = [];
  const at = (event: string, fields: LogFields = {}) => void lines.push({ event, fields });
  return { lines, info: at, warn: at, error: at };
}

describe("json store files: timers, effects and attempts in events.jsonl", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  /** A store folder whose log holds a unit with a timer and an effect, and an attempt line. */
  async function seeded(): Promise<string> {
    const dir = mkdtempSync(join(tmpdir(), "crm-json-queues-"));
    dirs.push(dir);
    const store = await openJsonStore({ dir });
    await store.transact((tx) => {
      tx.setTimer(aTimer("customer:1", "remind", 5_000));
      tx.queueEffect(anEffect("e1", "customer:1", 1_000));
    });
    await store.recordEffectAttempt("e1", { attempts: 1, nextAt: 2_000, status: "pending", lastError: "502" });
    await store.close();
    return dir;
  }

  it("writes a unit's timers and effects in its own line, and an attempt in a line of its own", async () => {
    const dir = await seeded();
    const lines = readFileSync(join(dir, "events.jsonl"), "utf8").trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ t: { s: [aTimer("customer:1", "remind", 5_000)], c: [] }, f: { q: [anEffect("e1", "customer:1", 1_000)], d: [] } });
    expect(lines[1]).toEqual({ b: 2, e: [], m: [], r: [["e1", 1, 2_000, "pending", "502"]] });
  });

  it("cuts a torn last line that armed a timer, completed an effect and recorded an attempt: none of it comes back, with a warning naming the file", async () => {
    const dir = await seeded();
    const path = join(dir, "events.jsonl");
    const torn = JSON.stringify({ b: 3, e: [], m: [], t: { s: [aTimer("customer:2", "remind", 1)], c: [["customer:1", "remind"]] }, f: { q: [], d: ["e1"] } });
    appendFileSync(path, torn.slice(0, torn.length - 7));
    const log = recordingLogger();
    const store = await openJsonStore({ dir, log });
    expect(log.lines.filter((line) => line.event === "json_store_torn_line_cut").map((line) => [line.fields["file"], line.fields["batch"]])).toEqual([[path, 3]]);
    expect(store.dueTimers(Number.MAX_SAFE_INTEGER, 10).map((timer) => timer.key)).toEqual(["t:customer:1:1:remind"]);
    expect(store.effectsOf("customer:1")).toMatchObject([{ key: "e1", attempts: 1, nextAt: 2_000 }]);
    await store.transact((tx) => tx.setTimer(aTimer("customer:3", "remind", 7)));
    await store.close();
    expect(readFileSync(path, "utf8").split("\n").filter(Boolean).every((line) => typeof JSON.parse(line) === "object")).toBe(true);
    const again = await openJsonStore({ dir });
    expect(again.timersCount()).toBe(2);
    await again.close();
  });

  it("refuses to open over a line in the middle whose timers, effects or attempts are not in their shape, naming the file and line", async () => {
    for (const [part, bad] of [
      ["t", { s: "not a list", c: [] }],
      ["f", { q: [] }],
      ["r", [["e1", 1]]],
    ] as const) {
      const dir = await seeded();
      const path = join(dir, "events.jsonl");
      const lines = readFileSync(path, "utf8").split("\n");
      lines[0] = JSON.stringify({ ...(JSON.parse(lines[0] ?? "{}") as object), [part]: bad });
      writeFileSync(path, lines.join("\n"));
      await expect(openJsonStore({ dir }), part).rejects.toThrow(`${path}: line 1 is not valid JSON; the store will not guess what it held`);
    }
  });
});
