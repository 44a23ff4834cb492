import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Api } from "grammy";
import { afterEach, describe, expect, it } from "vitest";
import { openSqliteStore } from "../adapters/sqlite/sqliteStore.ts";
import { shopBroadcastDelivery } from "../adapters/telegram/shop/shopBroadcastDelivery.ts";
import { startBotApiStandIn } from "../adapters/telegram/testing/botApiStandIn.ts";
import { simulatedPacer } from "./broadcastDelivery.port.ts";
import { broadcastCustomersOf } from "./broadcastCustomers.ts";
import { createBroadcasts } from "./broadcasts.ts";
import { createCustomerActors } from "./customerActors.ts";
import { plainMessage, shopToken, t0 } from "./fixtures/broadcastWorld.ts";
import { customerHandlers } from "./fixtures/orderWorld.ts";

describe("broadcasts in the composition", () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  it("the one timer scheduler fires a scheduled broadcast's start, and a restart mid-broadcast goes on where it was", { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "crm-broadcast-actors-"));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const standIn = await startBotApiStandIn();
    cleanup.push(() => standIn.close());
    const pacer = simulatedPacer(t0);
    const clock = { now: () => pacer.now() };
    const open = () => {
      const store = openSqliteStore({ path: join(dir, "crm.sqlite"), clock });
      const actors = createCustomerActors({
        store,
        clock,
        handlers: customerHandlers(),
        broadcasts: ({ runtime, armed }) =>
          createBroadcasts({ store, delivery: shopBroadcastDelivery(new Api(shopToken, { apiRoot: standIn.apiRoot })), customers: broadcastCustomersOf(runtime), consentVersion: "1", pacer, onTimerArmed: armed }),
      });
      return { store, actors };
    };
    const first = open();
    for (let userId = 1; userId <= 40; userId++) await first.actors.runtime.dispatch(userId, { type: "start", language: "en", key: `s${userId}` });
    await first.actors.start();
    const broadcasts = first.actors.broadcasts;
    if (!broadcasts) throw new Error("no broadcasts");
    const started = await broadcasts.start({ key: "o:1:bc", by: 7, segment: {}, message: plainMessage, at: t0 + 3_600_000 });
    const id = started.kind === "applied" ? started.progress.id : "";
    expect(first.store.timersOf(`broadcast:${id}`)).toMatchObject([{ dueAt: t0 + 3_600_000 }]);
    pacer.advance(3_600_000);
    await first.actors.timers.fireDue(pacer.now());
    for (let i = 0; i < 2_000 && standIn.callsTo("sendMessage", shopToken).length < 10; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    await first.actors.stop();
    await first.store.close();
    const sentBefore = standIn.callsTo("sendMessage", shopToken).length;
    expect(sentBefore).toBeGreaterThanOrEqual(10);
    expect(sentBefore).toBeLessThan(40);

    const second = open();
    cleanup.push(async () => {
      await second.actors.stop();
      await second.store.close();
    });
    await second.actors.start();
    for (let i = 0; i < 4_000 && (await second.actors.broadcasts?.progress(id))?.status !== "finished"; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await second.actors.broadcasts?.report(id)).toMatchObject({ status: "finished", sent: 40, inFlightAtCrashes: 0 });
    for (let userId = 1; userId <= 40; userId++) expect(standIn.messages(userId, shopToken)).toHaveLength(1);
  });
});
