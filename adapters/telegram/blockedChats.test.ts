import { run } from "@grammyjs/runner";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { until } from "../testing/npmStart.ts";
import { ownerButtons } from "./owner/ownerButtons.ts";
import { ownerBotInfo, ownerToken, shopBotInfo, shopToken, startShopHarness, type ShopHarness } from "./shop/testing/shopHarness.ts";
import { captureOutput } from "./testing/capturedOutput.ts";
import * as updates from "./testing/telegramUpdates.ts";

let shop: ShopHarness;
let output: ReturnType<typeof captureOutput> | undefined;
beforeEach(async () => {
  shop = await startShopHarness({ owner: { ownerIds: [100] } });
});
afterEach(async () => {
  output?.restore();
  output = undefined;
  await shop.close();
});

const linesOf = (updateId: number) => shop.logLines.filter((line) => line.fields["updateId"] === updateId);
const sendsTo = (chatId: number, token: string) => shop.standIn.calls.filter((call) => call.token === token && call.method === "sendMessage" && Number(call.payload["chat_id"]) === chatId);

describe("a stranger who blocked the owner bot", () => {
  it("gives one structured line per update through the runner, and nothing unstructured: the kicked update is ignored, a refusal's 403 is one line", async () => {
    const stranger = shop.ownerChat(666, { first_name: "Мэллори" });
    await stranger.command("start");
    expect(stranger.messages()).toHaveLength(1);
    shop.standIn.block(666, ownerToken);
    output = captureOutput();
    const runner = run(shop.owner.bot);
    const kicked = shop.standIn.pushUpdate(updates.botBlocked(stranger.from, ownerBotInfo), { token: ownerToken });
    const late = shop.standIn.pushUpdate(updates.command(stranger.from, "crm"), { token: ownerToken });
    await until(() => linesOf(late.update_id).some((line) => line.event === "update"), "the late message handled");
    await runner.stop();
    const unstructured = output.lines();
    output.restore();
    output = undefined;

    expect(unstructured).toEqual([]);
    expect(linesOf(kicked.update_id).map((line) => [line.event, line.fields["outcome"]])).toEqual([["update", "ok"]]);
    const late403 = linesOf(late.update_id).filter((line) => line.event !== "update");
    expect(late403.map((line) => line.event)).toEqual(["owner_refused"]);
    expect(late403[0]?.fields).toMatchObject({ userId: 666, blocked: true });
    expect(shop.logLines.filter((line) => line.event === "update_failed")).toEqual([]);
    // The kicked update got no answer at all; the refusal was tried once and never followed by "something went wrong".
    expect(sendsTo(666, ownerToken).map((call) => call.ok)).toEqual([true, false]);
  });

  it("ignores my_chat_member updates from an owner too", async () => {
    const olga = shop.ownerChat(100);
    await olga.deliver(updates.botBlocked(olga.from, ownerBotInfo));
    await olga.deliver(updates.botUnblocked(olga.from, ownerBotInfo));
    expect(olga.messages()).toEqual([]);
    expect(await shop.store.readSession("owner:100")).toBeUndefined();
  });
});

describe("a customer who blocked the shop bot", () => {
  it("is recorded as blocked once from the kicked update, also on redelivery, shown on the card, and cleared when they come back", async () => {
    const anna = shop.customer(501, { first_name: "Анна" });
    await anna.start();
    await anna.pressData("s1.add.eth-yirgacheffe");
    shop.clock.advance(60_000);
    shop.standIn.block(501, shopToken);
    const sentBefore = sendsTo(501, shopToken).length;
    const kicked = updates.botBlocked(anna.from, shopBotInfo);
    await anna.deliver(kicked);
    await anna.deliver(kicked);

    expect((await shop.store.events(501, { types: ["blocked"] })).map((event) => event.key)).toEqual([`shop:${kicked.update_id}:blocked`]);
    expect(await anna.lead()).toMatchObject({ stage: "cart", blockedAt: shop.clock.now() });
    expect(shop.logLines.filter((line) => line.event === "customer_blocked")).toHaveLength(1);
    expect(sendsTo(501, shopToken)).toHaveLength(sentBefore);

    const olga = shop.ownerChat(100);
    await olga.command("start");
    await olga.pressData(ownerButtons.encode("card", 501));
    expect(olga.screen().text).toContain("🚫 Заблокировал(а) бота 23.11.2026");

    shop.clock.advance(60_000);
    await anna.deliver(updates.botUnblocked(anna.from, shopBotInfo));
    expect((await shop.store.events(501, { types: ["unblocked"] })).length).toBe(1);
    expect(await anna.lead()).toMatchObject({ stage: "cart", blockedAt: null, lastSeenAt: shop.clock.now() });
    await olga.pressData(ownerButtons.encode("card", 501));
    expect(olga.screen().text).not.toContain("🚫");
  });

  it("is recorded as blocked once when a reply meets a 403, never retried, with no 'something went wrong' attempt", async () => {
    const boris = shop.customer(502, { first_name: "Борис" });
    await boris.start();
    shop.standIn.block(502, shopToken);
    const sentBefore = sendsTo(502, shopToken).length;
    const late = updates.privateText(boris.from, "чай");
    output = captureOutput();
    await boris.deliver(late);
    await boris.deliver(late);
    const unstructured = output.lines();
    output.restore();
    output = undefined;

    expect(unstructured).toEqual([]);
    expect((await shop.store.events(502, { types: ["blocked"] })).length).toBe(1);
    expect((await boris.lead())?.blockedAt).not.toBeNull();
    expect(linesOf(late.update_id).filter((line) => line.event !== "update").map((line) => line.event)).toEqual(["customer_blocked"]);
    const attempts = sendsTo(502, shopToken).slice(sentBefore);
    expect(attempts.map((call) => call.ok)).toEqual([false, false]);
    expect(attempts.some((call) => String(call.payload["text"]).includes("Что-то пошло не так"))).toBe(false);
  });

  it("records nothing for someone the shop never knew", async () => {
    const ghost = updates.user(909, { first_name: "Призрак" });
    await shop.deliver(updates.botBlocked(ghost, shopBotInfo));
    await shop.runtime.settled();
    expect(await shop.store.lead(909)).toBeNull();
  });
});
