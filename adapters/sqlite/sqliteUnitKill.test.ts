import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { partialUnits, runThenKill } from "../testing/killedUnits.ts";
import { openSqliteStore } from "./sqliteStore.ts";

describe("sqlite store: SIGKILL in the middle of units that arm timers and queue effects", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("keeps each unit whole or not at all, its timers, effects and attempts with its event, over 6 kills", { timeout: 180_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "crm-unit-kill-"));
    dirs.push(dir);
    const path = join(dir, "crm.sqlite");
    let next = 0;
    for (let round = 0; round < 6; round++) {
      const acked = await runThenKill("sqlite", path, next, 50 + Math.floor(Math.random() * 400));
      const store = openSqliteStore({ path });
      const { last, problems } = partialUnits(store, acked);
      await store.close();
      expect(problems, `round ${round}, killed after unit ${acked.at(-1)}`).toEqual([]);
      expect(last).toBeGreaterThanOrEqual(acked.at(-1) ?? 0);
      next = last + 1;
    }
  });
});
