import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openJsonStore } from "../adapters/json/jsonStore.ts";
import { openSqliteStore } from "../adapters/sqlite/sqliteStore.ts";
import { manualClock } from "../adapters/storeContract.ts";
import { customerEffects } from "../machines/customer.machine.ts";
import type { CustomerEffectParams } from "../machines/customer.types.ts";
import { campaignSettingsKey, defaultCampaignSettings, loadCampaignSettings, type CampaignSettingsSource } from "./campaignSettings.ts";
import { createCustomerActors } from "./customerActors.ts";
import { provideCustomerSettings } from "./customerSettings.ts";
import type { EffectHandlers, EffectOutcome } from "./effects.port.ts";
import type { CrmStore } from "./store.port.ts";

const minute = 60_000;
const day = 24 * 60 * minute;
/** 10:00 in Moscow. */
const t0 = Date.parse("2026-03-02T07:00:00Z");
const winBackTimer = "xstate.after.winBack.customer.activity.dormant.waiting";
const settings = {
  cartReminderMinutes: 120,
  dormantDays: 30,
  timeZone: "Europe/Moscow",
  quietHours: { from: 22, to: 9 },
  consentVersion: "v1",
  consultant: { maxQuestions: 20, windowMs: 3_600_000, timeoutMs: 60_000 },
} as const;
const defaults = defaultCampaignSettings({ cartReminderMinutes: 120, winBackDays: 14 });

const stores: Record<string, (dir: string, clock: { now(): number }) => Promise<CrmStore>> = {
  sqlite: async (dir, clock) => openSqliteStore({ path: join(dir, "crm.sqlite"), clock }),
  json: (dir, clock) => openJsonStore({ dir, clock }),
};

describe.each(Object.keys(stores))("campaigns on the runtime, %s store", (kind) => {
  const dirs: string[] = [];
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  const sent: Array<{ type: string; userId: number }> = [];
  const handlers = Object.fromEntries(
    customerEffects.map((type) => [
      type,
      async ({ actor }: { actor: string }): Promise<EffectOutcome> => {
        sent.push({ type, userId: Number(actor.split(":")[1]) });
        return type === "sendWinBack" ? { outcome: "done", reply: { type: "winback_sent" } } : { outcome: "done" };
      },
    ]),
  ) as unknown as EffectHandlers<CustomerEffectParams>;

  /** One boot: the store in `dir`, the owner's settings read from it, and the actors with the shop's settings. */
  async function boot(dir: string, clock: ReturnType<typeof manualClock>) {
    const store = await stores[kind]!(dir, clock);
    const campaigns = await loadCampaignSettings(store, defaults);
    const actors = createCustomerActors({ store, clock, machine: provideCustomerSettings(settings, campaigns as CampaignSettingsSource), handlers });
    let open = true;
    const close = async (): Promise<void> => {
      if (!open) return;
      open = false;
      await actors.stop();
      await store.close();
    };
    closers.push(close);
    const at = async (when: number): Promise<void> => {
      clock.set(when);
      await actors.timers.fireDue(when);
      await actors.runtime.settled();
      await actors.effects.drain();
      await actors.runtime.settled();
    };
    return { store, campaigns, actors, close, at };
  }

  it("arms the win-back when a customer turns dormant, keeps it across a restart, sends it once with the owner's saved settings, and never to the unsubscribed", async () => {
    sent.length = 0;
    const dir = mkdtempSync(join(tmpdir(), `crm-campaigns-${kind}-`));
    dirs.push(dir);
    const clock = manualClock(t0);
    const first = await boot(dir, clock);
    await first.campaigns.save({ ...defaults, winBack: { ...defaults.winBack, enabled: true, text: "Мы скучаем", days: 10 } });
    for (const userId of [1, 2]) {
      await first.actors.runtime.dispatch(userId, { type: "start", key: `${userId}a` });
      await first.actors.runtime.dispatch(userId, { type: "consent_given", version: "v1", key: `${userId}b` });
    }
    await first.actors.runtime.dispatch(2, { type: "unsubscribed", key: "2c" });
    await first.at(t0 + 30 * day);
    expect(first.store.timersOf("customer:1")).toMatchObject([{ sendId: winBackTimer, dueAt: t0 + 40 * day }]);
    expect(await first.store.lead(2)).toMatchObject({ unsubscribedAt: t0, dormantSince: t0 + 30 * day });
    await first.close();

    const second = await boot(dir, clock);
    expect(JSON.parse((await second.store.readSession(campaignSettingsKey)) ?? "{}")).toMatchObject({ winBack: { enabled: true, text: "Мы скучаем", days: 10 } });
    expect(second.store.timersOf("customer:1")).toMatchObject([{ sendId: winBackTimer, dueAt: t0 + 40 * day }]);
    await second.at(t0 + 40 * day - 1);
    expect(sent).toEqual([]);
    await second.at(t0 + 40 * day);
    await second.at(t0 + 90 * day);
    expect(sent).toEqual([{ type: "sendWinBack", userId: 1 }]);
    expect((await second.store.events(1, { types: ["winback_sent"] })).map((event) => event.at)).toEqual([t0 + 40 * day]);
    expect(await second.store.events(2, { types: ["winback_sent"] })).toEqual([]);
    expect(second.store.timersOf("customer:2").map((timer) => timer.sendId)).toEqual([]);
    await second.close();

    const third = await boot(dir, clock);
    expect(await third.store.lead(2)).toMatchObject({ unsubscribedAt: t0 });
    await third.actors.runtime.dispatch(2, { type: "subscribed", key: "2d" });
    expect(await third.store.lead(2)).toMatchObject({ unsubscribedAt: null });
  });
});
