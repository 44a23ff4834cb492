import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createCustomerRuntime, type CustomerRuntime } from "../../actors/customerRuntime.ts";
import type { CustomerMachine } from "../../actors/customerSnapshot.ts";
import type { CrmStore } from "../../actors/store.port.ts";
import { DatabaseSync } from "node:sqlite";
import { migrations } from "../sqlite/sqliteSchema.ts";
import { openSqliteStore } from "../sqlite/sqliteStore.ts";
import { manualClock } from "../storeContract.ts";
import { RebuildRefused } from "./rebuildErrors.ts";
import { rebuildSqlite } from "./sqliteRebuild.ts";
import { shadowPathOf } from "../sqlite/sqliteRebuildMeta.ts";
import { newMachine, oldMachine, shopTraffic } from "./testing/funnelVariant.ts";
import { funnelViews } from "./testing/storeViews.ts";

const t0 = Date.parse("2026-03-02T07:00:00Z");
const oldVersion = 1;
const newVersion = 2;
const customers = 40;
const traffic = shopTraffic(customers);
const userIds = [...new Set(traffic.map(({ userId }) => userId))];

describe("npm run rebuild on SQLite: history replayed through the current machine", () => {
  const dirs: string[] = [];
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  function newPath(): string {
    const dir = mkdtempSync(join(tmpdir(), "crm-rebuild-"));
    dirs.push(dir);
    return join(dir, "crm.sqlite");
  }

  /** A store with a runtime of `machine` over it, as `npm start` of that code would hold it. */
  function live(path: string, machine: CustomerMachine, machineVersion: number): { store: CrmStore; runtime: CustomerRuntime; close: () => Promise<void> } {
    const clock = manualClock(t0);
    const store = openSqliteStore({ path, clock, machineVersion });
    const runtime = createCustomerRuntime({ store, clock, machine, machineVersion });
    let open = true;
    const close = async (): Promise<void> => {
      if (!open) return;
      open = false;
      await runtime.close();
      await store.close();
    };
    closers.push(close);
    return { store, runtime, close };
  }

  async function feed(path: string, machine: CustomerMachine, machineVersion: number, events = traffic): Promise<void> {
    const { runtime, close } = live(path, machine, machineVersion);
    for (const { userId, event } of events) await runtime.dispatch(userId, event);
    await close();
  }

  async function viewsOf(path: string, machine: CustomerMachine, machineVersion: number) {
    const { store, close } = live(path, machine, machineVersion);
    const views = await funnelViews(store, userIds, t0 - 86_400_000, 4);
    await close();
    return views;
  }

  it("after a change of the funnel, gives the counters, stage moves, reports, time in stage and timers of a fresh replay", async () => {
    const rebuilt = newPath();
    const fresh = newPath();
    await feed(rebuilt, oldMachine(), oldVersion);
    await feed(fresh, newMachine(), newVersion);
    const before = await viewsOf(rebuilt, oldMachine(), oldVersion);
    const expected = await viewsOf(fresh, newMachine(), newVersion);
    // The two definitions disagree, or the test would prove nothing.
    expect(before.funnel).not.toEqual(expected.funnel);
    expect(before.stageTimes).not.toEqual(expected.stageTimes);
    expect(before.timers).not.toEqual(expected.timers);
    expect(expected.timers.flat().length).toBeGreaterThan(0);

    const progress: number[] = [];
    const result = await rebuildSqlite({ path: rebuilt, machine: newMachine(), machineVersion: newVersion, batchSize: 7, progress: (done) => progress.push(done) });

    expect(result).toMatchObject({ customers, events: traffic.length, differing: customers, switched: customers, actedMeanwhile: 0 });
    expect(progress.at(-1)).toBe(customers);
    expect(progress.length).toBeGreaterThan(customers / 7);
    expect(await viewsOf(rebuilt, newMachine(), newVersion)).toEqual(expected);
    expect(existsSync(shadowPathOf(rebuilt))).toBe(false);
    // The same switched in transactions of 3 customers gives the same.
    const chunked = newPath();
    await feed(chunked, oldMachine(), oldVersion);
    const committed: number[] = [];
    const reader = new DatabaseSync(chunked, { readOnly: true });
    const seen = (): number => Number(reader.prepare("SELECT count(*) AS n FROM crm_leads WHERE machine_version = ?").get(newVersion)?.["n"]);
    await rebuildSqlite({ path: chunked, machine: newMachine(), machineVersion: newVersion, switchBatch: 3, hooks: { duringSwitch: () => void committed.push(seen()) } });
    reader.close();
    // Another connection sees the switch a transaction of 3 at a time.
    expect(committed.slice(0, 7)).toEqual([0, 0, 0, 3, 3, 3, 6]);
    expect(await viewsOf(chunked, newMachine(), newVersion)).toEqual(expected);
    // Run again: nothing differs any more.
    expect(await rebuildSqlite({ path: rebuilt, machine: newMachine(), machineVersion: newVersion })).toMatchObject({ differing: 0, switched: 0 });
  });

  it("leaves a customer who acts during the rebuild as the live process wrote them, loses nothing, and keeps the funnel exact for one it held in memory", async () => {
    const rebuilt = newPath();
    const fresh = newPath();
    await feed(rebuilt, oldMachine(), oldVersion);
    const [acting, held] = [userIds[0] ?? 0, userIds[2] ?? 0];
    const during = { userId: acting, event: { type: "product_view" as const, productId: "tea", key: "during", at: t0 + 3 * 86_400_000 } };
    const after = { userId: held, event: { type: "add_to_cart" as const, productId: "tea", qty: 1, key: "after", at: t0 + 3 * 86_400_000 + 1 } };
    await feed(fresh, newMachine(), newVersion, [...traffic, during, after]);

    // `npm start` of the new code serves on the same file; it has read `held` (an owner opened the card) without writing it.
    const server = live(rebuilt, newMachine(), newVersion);
    await server.runtime.snapshotOf(held);
    let servedDuring = 0;
    const result = await rebuildSqlite({
      path: rebuilt,
      machine: newMachine(),
      machineVersion: newVersion,
      batchSize: 5,
      hooks: {
        afterBatch: async () => {
          if (servedDuring++ === 2) await server.runtime.dispatch(during.userId, during.event);
        },
      },
    });
    expect(result).toMatchObject({ actedMeanwhile: 1, switched: customers - 1 });
    // The held customer's next event is saved by the live process, whose memory of their stage predates the switch.
    await server.runtime.dispatch(after.userId, after.event);
    await server.close();

    const got = await viewsOf(rebuilt, newMachine(), newVersion);
    expect(got).toEqual(await viewsOf(fresh, newMachine(), newVersion));
    expect(got.funnel.total).toBe(customers);
  });

  it("deletes a shadow file a crashed rebuild left, with the lead rows in it, when the store opens", async () => {
    const path = newPath();
    await feed(path, oldMachine(), oldVersion);
    writeFileSync(shadowPathOf(path), "a crashed rebuild's copy: Анна +79990000000");
    writeFileSync(`${shadowPathOf(path)}-journal`, "Анна");
    const { close } = live(path, oldMachine(), oldVersion);
    expect(existsSync(shadowPathOf(path))).toBe(false);
    expect(existsSync(`${shadowPathOf(path)}-journal`)).toBe(false);
    await close();
  });

  it("refuses, in one line, a live process of another machine version, a missing file and a store of an older schema", async () => {
    const path = newPath();
    await feed(path, oldMachine(), oldVersion);
    const server = live(path, oldMachine(), oldVersion);
    await expect(rebuildSqlite({ path, machine: newMachine(), machineVersion: newVersion })).rejects.toThrow(
      new RebuildRefused(`the running Shop CRM (it holds ${path}.lock) runs customer machine version 1, this rebuild 2: restart npm start with this code first, then rebuild`),
    );
    await server.close();
    expect(await viewsOf(path, oldMachine(), oldVersion)).toEqual(await viewsOf(path, oldMachine(), oldVersion));

    const missing = join(newPath(), "nope.sqlite");
    await expect(rebuildSqlite({ path: missing, machine: newMachine(), machineVersion: newVersion })).rejects.toThrow(
      new RebuildRefused(`DATABASE_PATH: ${missing} does not exist; there is nothing to rebuild`),
    );
    expect(existsSync(missing)).toBe(false);

    const db = new DatabaseSync(path);
    db.exec(`PRAGMA user_version = ${migrations.length - 1}`);
    db.close();
    await expect(rebuildSqlite({ path, machine: newMachine(), machineVersion: newVersion })).rejects.toThrow(
      new RebuildRefused(`DATABASE_PATH: ${path} has schema version ${migrations.length - 1}, this code ${migrations.length}: start npm start once with this code (it migrates the store), then rebuild`),
    );
  });

  it("refuses at the switch when a process of another version started during the replay, and changes nothing", async () => {
    const path = newPath();
    await feed(path, oldMachine(), oldVersion);
    const before = await viewsOf(path, oldMachine(), oldVersion);
    let server: { close: () => Promise<void> } | null = null;
    await expect(
      rebuildSqlite({ path, machine: newMachine(), machineVersion: newVersion, hooks: { beforeSwitch: () => void (server = live(path, oldMachine(), oldVersion)) } }),
    ).rejects.toThrow(RebuildRefused);
    await (server as { close: () => Promise<void> } | null)?.close();
    expect(await viewsOf(path, oldMachine(), oldVersion)).toEqual(before);
    expect(existsSync(shadowPathOf(path))).toBe(false);
  });
});
