import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { atRandom, byCustomer } from "./p12Procs.ts";
import { shopMix, type Planned } from "./shopMix.ts";

const planned = shopMix({ events: 3_000, customers: 50, seed: 7 });
const keys = (slice: readonly Planned[]): string[] => slice.map((item) => item.input.key ?? "");

describe("P12_procs' split of the plan", () => {
  it("gives each customer's events to one process, in the plan's order, and every event to exactly one", () => {
    const slices = byCustomer(planned, 3);
    expect(slices).toHaveLength(3);
    for (const [index, slice] of slices.entries()) {
      expect(slice.length).toBeGreaterThan(0);
      expect(slice.every((item) => item.userId % 3 === index)).toBe(true);
      const wanted = planned.filter((item) => item.userId % 3 === index);
      expect(keys(slice)).toEqual(keys(wanted));
    }
    expect(slices.flat().map((item) => item.input.key).sort()).toEqual(keys(planned).sort());
  });

  it("at random, spreads customers over processes, keeping every event once and each slice in the plan's order", () => {
    const slices = atRandom(planned, 3, 15);
    expect(slices.flat().map((item) => item.input.key).sort()).toEqual(keys(planned).sort());
    const order = new Map(planned.map((item, index) => [item.input.key, index]));
    for (const slice of slices) {
      const positions = slice.map((item) => order.get(item.input.key) ?? -1);
      expect(positions).toEqual([...positions].sort((a, b) => a - b));
    }
    const spread = new Set(slices.flatMap((slice, index) => slice.filter((item) => item.userId === 1).map(() => index)));
    expect(spread.size).toBeGreaterThan(1);
  });
});

describe("P12_procs' child process", () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  const child = (planFile: string) =>
    spawnSync(process.execPath, [join(import.meta.dirname, "p12ProcsChild.ts"), "postgres://nobody@127.0.0.1:1/none", planFile, "10"], { encoding: "utf8", input: "" });

  it("exits 1 with one line on stderr, and never says ready, when its plan file is missing", () => {
    dir = mkdtempSync(join(tmpdir(), "p12-procs-test-"));
    const run = child(join(dir, "missing.json"));
    expect(run.status).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toMatch(/^p12ProcsChild: .*missing\.json/);
  });

  it("exits 1 with one line on stderr when its plan is not JSON", () => {
    dir = mkdtempSync(join(tmpdir(), "p12-procs-test-"));
    const file = join(dir, "plan.json");
    writeFileSync(file, "not json");
    const run = child(file);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toMatch(/^p12ProcsChild: /);
  });
});
