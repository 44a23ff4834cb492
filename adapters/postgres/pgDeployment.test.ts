import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { defaultCampaignSettings, loadCampaignSettings } from "../../actors/campaignSettings.ts";
import { aCategory } from "../storeContractCatalog.ts";
import { until } from "../testing/npmStart.ts";
import { openPostgresStore } from "./pgStore.ts";
import { freshDatabase } from "./testing/freshDatabase.ts";

/**
 * The processes of one PostgreSQL deployment, two stores on one database standing for two
 * processes: the leader's lock and its hand-over, the catalog and the campaign settings heard
 * across them, broadcast timers left to the leader, and a process's wake-ups around another's claims.
 */

type PgStore = Awaited<ReturnType<typeof openPostgresStore>>;
const opened: PgStore[] = [];
afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
});

async function open(url: string, options: { owner?: string; leaseMs?: number } = {}): Promise<PgStore> {
  const store = await openPostgresStore({ url, leaderRetryMs: 50, ...options });
  opened.push(store);
  return store;
}

const timer = (actor: string, dueAt: number) => ({ actor, sendId: "wake", dueAt, event: JSON.stringify({ type: "wake" }), key: `t:${actor}:1:wake` });

describe("PostgreSQL: one deployment, several processes", () => {
  it("elects one leader; when it closes (or dies), another process takes the lock", async () => {
    const url = await freshDatabase("leader");
    const [a, b] = [await open(url), await open(url)];
    const led: string[] = [];
    a.deployment.contend(() => led.push("a"));
    await until(() => led.length === 1, "a to lead");
    b.deployment.contend(() => led.push("b"));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(led).toEqual(["a"]);
    expect([a.deployment.leading(), b.deployment.leading()]).toEqual([true, false]);
    await a.close();
    await until(() => led.length === 2, "b to take over");
    expect(led).toEqual(["a", "b"]);
    expect(b.deployment.leading()).toBe(true);
  });

  it("tells a process of another's catalog change once it commits, and of none that rolled back", async () => {
    const url = await freshDatabase("catalog_news");
    const [a, b] = [await open(url), await open(url)];
    const before = b.catalogVersion();
    await a.transact((tx) => tx.applyCatalogEdit({ by: { kind: "seed", file: "catalog.json" }, at: 1, change: { type: "category_saved", category: aCategory("tea") } }));
    await until(() => b.catalogVersion() !== before, "b to hear of the edit", 5_000);
    expect(b.catalogRows().categories.map((category) => category.id)).toEqual(["tea"]);
    const heard = b.catalogVersion();
    await expect(
      a.transact((tx) => {
        tx.applyCatalogEdit({ by: { kind: "seed", file: "catalog.json" }, at: 2, change: { type: "category_saved", category: aCategory("coffee") } });
        throw new Error("the unit fails after the edit");
      }),
    ).rejects.toThrow("the unit fails");
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(b.catalogVersion()).toBe(heard);
  });

  it("gives another process the owner's campaign settings once saved", async () => {
    const url = await freshDatabase("campaign_news");
    const [a, b] = [await open(url), await open(url)];
    const defaults = defaultCampaignSettings({ cartReminderMinutes: 120, winBackDays: 14 });
    const [inA, inB] = [await loadCampaignSettings(a, defaults, a.deployment), await loadCampaignSettings(b, defaults, b.deployment)];
    await inA.save({ ...defaults, cartReminderMinutes: 45 });
    await until(() => inB.current().cartReminderMinutes === 45, "b to read the new settings", 5_000);
    expect(inB.current()).toEqual(inA.current());
  });

  it("leaves broadcasts' timers to the leader once processes contend, and fires them all when none does", async () => {
    const url = await freshDatabase("broadcast_timers");
    const alone = await open(url, { owner: "alone" });
    const now = Date.now();
    await alone.transact((tx) => {
      tx.setTimer(timer("broadcast:b1", now - 1_000));
      tx.setTimer(timer("customer:7", now - 1_000));
    });
    // Nobody contends (a test, a tool): every timer is this store's to fire.
    expect(alone.nextTimerDue()).toBe(now - 1_000);
    await alone.close();
    opened.splice(0);
    const [leader, follower] = [await open(url, { owner: "leader" }), await open(url, { owner: "follower" })];
    leader.deployment.contend(() => undefined);
    await until(() => leader.deployment.leading(), "the leader");
    follower.deployment.contend(() => undefined);
    expect(follower.dueTimers(now, 10).map((row) => row.actor)).toEqual(["customer:7"]);
    expect(leader.dueTimers(now, 10).map((row) => row.actor)).toEqual(["broadcast:b1"]);
  });

  it("wakes for a row another live process holds at the next look, not at once, and takes it when that process is gone", async () => {
    const url = await freshDatabase("claims");
    const now = Date.now();
    const [a, b] = [await open(url, { owner: "a", leaseMs: 60_000 }), await open(url, { owner: "b", leaseMs: 60_000 })];
    await a.transact((tx) => tx.setTimer(timer("customer:9", now - 5_000)));
    await a.transact((tx) => tx.queueEffect({ key: "e1", actor: "customer:9", type: "sendText", params: "{}", createdAt: now - 5_000 }));
    expect(a.dueTimers(now, 10)).toHaveLength(1);
    expect(a.dueEffects(now, 10)).toHaveLength(1);
    // a holds both for a minute: b would otherwise wake at once, find nothing to claim, and spin;
    // it looks again in 5 s, in case a dies holding them.
    for (const next of [b.nextTimerDue(), b.nextEffectDue()]) {
      expect(next).toBeGreaterThanOrEqual(now + 4_000);
      expect(next).toBeLessThanOrEqual(Date.now() + 5_000);
    }
    expect(a.nextTimerDue()).toBe(now - 5_000);
    expect(b.dueTimers(Date.now(), 10)).toEqual([]);
    // a is gone (its connections closed, as a SIGKILL closes them): its claims are b's at once, the lease notwithstanding.
    await a.close();
    opened.splice(opened.indexOf(a), 1);
    expect(b.nextTimerDue()).toBe(now - 5_000);
    expect(b.nextEffectDue()).toBe(now - 5_000);
    expect(b.dueTimers(Date.now(), 10).map((row) => row.actor)).toEqual(["customer:9"]);
    expect(b.dueEffects(Date.now(), 10).map((row) => row.key)).toEqual(["e1"]);
  });

  it("refuses a process name that its connection could not carry whole, which would make it look dead to the others", async () => {
    const url = await freshDatabase("owner_name");
    await expect(openPostgresStore({ url, owner: "x".repeat(55) })).rejects.toThrow("a process's name in claims must be at most 54 characters, not 55");
    await expect(openPostgresStore({ url, owner: "host name" })).rejects.toThrow('a process\'s name in claims must be printable ASCII without spaces, not "host name"');
    const longest = await open(url, { owner: "y".repeat(54) });
    await longest.transact((tx) => tx.setTimer(timer("customer:3", Date.now() - 1_000)));
    expect(longest.dueTimers(Date.now(), 10)).toHaveLength(1);
    const other = await open(url, { owner: "z" });
    expect(other.dueTimers(Date.now(), 10)).toEqual([]);
  });

  it("resolves `lost` with a reason when the deployment's connection is cut, so npm start can stop", async () => {
    const url = await freshDatabase("lost");
    const store = await open(url);
    store.deployment.contend(() => undefined);
    await until(() => store.deployment.leading(), "the lock");
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const { rows } = await admin.query("SELECT pg_terminate_backend(pid) AS cut FROM pg_stat_activity WHERE application_name LIKE 'shop-crm %' AND datname = current_database()");
      expect(rows).toEqual([{ cut: true }]);
    } finally {
      await admin.end();
    }
    await expect(store.deployment.lost).resolves.toMatch(/connection to PostgreSQL that elects the leader ended/);
  });
});

