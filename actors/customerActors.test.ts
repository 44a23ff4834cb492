import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openSqliteStore } from "../adapters/sqlite/sqliteStore.ts";
import { customerEffects, customerMachine } from "../machines/customer.machine.ts";
import type { CustomerEffectParams } from "../machines/customer.types.ts";
import { createCustomerActors } from "./customerActors.ts";
import { MissingEffectHandlerError } from "./effectWorker.ts";
import type { EffectHandlers, EffectOutcome } from "./effects.port.ts";
import type { CrmStore } from "./store.port.ts";

const handlersWith = (overrides: Partial<Record<keyof CustomerEffectParams, () => Promise<EffectOutcome>>>): EffectHandlers<CustomerEffectParams> =>
  Object.fromEntries(customerEffects.map((type) => [type, overrides[type] ?? (async () => ({ outcome: "done" }))])) as unknown as EffectHandlers<CustomerEffectParams>;

async function until(check: () => Promise<boolean> | boolean, ms = 5_000): Promise<void> {
  for (let waited = 0; !(await check()) && waited < ms; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe("customer actors: the runtime, its timers and its effects, started together", () => {
  const dirs: string[] = [];
  const stores: CrmStore[] = [];
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  function openStore(): { dir: string; store: CrmStore } {
    const dir = mkdtempSync(join(tmpdir(), "crm-actors-"));
    dirs.push(dir);
    const store = openSqliteStore({ path: join(dir, "crm.sqlite") });
    stores.push(store);
    return { dir, store };
  }

  it("reminds of a cart on a real clock: the timer fires, the reminder is sent and comes back as reminder_sent", { timeout: 10_000 }, async () => {
    const { store } = openStore();
    const sent: string[] = [];
    const actors = createCustomerActors({
      store,
      machine: customerMachine.provide({ delays: { cartReminder: 30 } }),
      handlers: handlersWith({ sendCartReminder: async () => (sent.push("reminder"), { outcome: "done", reply: { type: "reminder_sent" } }) }),
    });
    await actors.start();
    await actors.runtime.dispatch(1, { type: "consent_given", version: "v1", key: "a" });
    await actors.runtime.dispatch(1, { type: "add_to_cart", productId: "tea", qty: 1, key: "b" });
    await until(async () => (await store.lead(1))?.remindersSent === 1);
    await actors.stop();
    expect(sent).toEqual(["reminder"]);
    expect(await store.lead(1)).toMatchObject({ remindersSent: 1 });
    expect(store.effectsCount()).toEqual({ pending: 0, failed: 0 });
  });

  it("fires at start what fell due while it was stopped, and delivers what was left pending", { timeout: 10_000 }, async () => {
    const { store } = openStore();
    const machine = customerMachine.provide({ delays: { cartReminder: 20 } });
    const notified: string[] = [];
    const handlers = handlersWith({ notifyOwnersOfOrder: async () => (notified.push("order"), { outcome: "done" }) });
    const first = createCustomerActors({ store, machine, handlers });
    await first.runtime.dispatch(1, { type: "consent_given", version: "v1", key: "a" });
    await first.runtime.dispatch(1, { type: "add_to_cart", productId: "tea", qty: 1, key: "b" });
    await first.runtime.dispatch(2, { type: "order_created", orderId: "SO-2", total: 1, currency: "RUB", key: "c" });
    await first.stop();
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(store.effectsOf("customer:1")).toEqual([]);
    const second = createCustomerActors({ store, machine, handlers });
    await second.start();
    await until(() => notified.length === 1 && store.effectsOf("customer:1").length === 0 && store.timersOf("customer:1").length === 1);
    await second.stop();
    expect(notified).toEqual(["order"]);
    expect((await store.events(1)).map((event) => event.type)).toContain("xstate.after.cartReminder.customer.cart.filled.shopping.waiting");
  });

  it("refuses to start without a handler for an effect the machine uses", () => {
    const { store } = openStore();
    const { notifyOwnersOfOrder: _missing, ...handlers } = handlersWith({});
    expect(() => createCustomerActors({ store, handlers: handlers as EffectHandlers<CustomerEffectParams> })).toThrow(MissingEffectHandlerError);
  });
});
