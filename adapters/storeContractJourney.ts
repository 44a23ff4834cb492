import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { CrmStore } from "../actors/store.port.ts";
import { manualClock, type OpenStore } from "./storeContract.ts";

const t0 = Date.parse("2026-03-02T07:00:00Z");

/** The journey's keyset pages (actors/journey.port.ts) against each store: the same log, the same pages. */
export function journeyContract(name: string, openStore: OpenStore): void {
  describe(`store contract: ${name}: journey pages`, () => {
    const dirs: string[] = [];
    const open: CrmStore[] = [];
    afterEach(async () => {
      for (const store of open.splice(0)) await store.close();
      for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    });

    async function storeWithTwoCustomers(): Promise<CrmStore> {
      const dir = mkdtempSync(join(tmpdir(), `crm-journey-${name}-`));
      dirs.push(dir);
      const store = await openStore(dir, { clock: manualClock(t0) });
      open.push(store);
      await store.transact((tx) => {
        for (let i = 0; i < 7; i++) {
          tx.appendEvent({ userId: 1, type: "catalog_view", payload: "{}", at: t0 + i, key: `a:${i}` });
          tx.appendEvent({ userId: 2, type: "catalog_view", payload: "{}", at: t0 + i, key: `b:${i}` });
        }
      });
      return store;
    }

    it("walks one customer's log by seq in both directions, oldest first on every page, never another customer's events", async () => {
      const store = await storeWithTwoCustomers();
      const all = await store.events(1);
      const seqs = all.map((event) => event.seq);
      expect(seqs).toHaveLength(7);
      const newest = await store.eventsBySeq(1, { before: Number.MAX_SAFE_INTEGER }, 3);
      expect(newest.map((event) => event.seq)).toEqual(seqs.slice(4));
      const older = await store.eventsBySeq(1, { before: seqs[4] ?? 0 }, 3);
      expect(older.map((event) => event.seq)).toEqual(seqs.slice(1, 4));
      const oldest = await store.eventsBySeq(1, { before: seqs[1] ?? 0 }, 3);
      expect(oldest.map((event) => event.seq)).toEqual(seqs.slice(0, 1));
      expect(await store.eventsBySeq(1, { before: seqs[0] ?? 0 }, 3)).toEqual([]);
      const newer = await store.eventsBySeq(1, { after: seqs[1] ?? 0 }, 3);
      expect(newer.map((event) => event.seq)).toEqual(seqs.slice(2, 5));
      expect(await store.eventsBySeq(1, { after: seqs[6] ?? 0 }, 3)).toEqual([]);
      expect(newer.every((event) => event.userId === 1 && event.type === "catalog_view")).toBe(true);
    });

    it("answers nothing for an unknown customer, a cursor off either end, or a limit of zero", async () => {
      const store = await storeWithTwoCustomers();
      expect(await store.eventsBySeq(99, { before: Number.MAX_SAFE_INTEGER }, 5)).toEqual([]);
      expect(await store.eventsBySeq(1, { before: 0 }, 5)).toEqual([]);
      expect(await store.eventsBySeq(1, { after: Number.MAX_SAFE_INTEGER }, 5)).toEqual([]);
      expect(await store.eventsBySeq(1, { after: 0 }, 0)).toEqual([]);
      expect((await store.eventsBySeq(1, { after: -5 }, 100)).map((event) => event.seq)).toEqual((await store.events(1)).map((event) => event.seq));
    });
  });
}
