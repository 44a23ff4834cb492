import { afterEach, describe, expect, it } from "vitest";
import { formatted, startBroadcastHarness, type BroadcastHarness } from "./testing/broadcastHarness.ts";
import type { OwnerChat } from "./testing/ownerHarness.ts";
import { annasCoffee, buttonStarting, placeOrder } from "./testing/crmScenario.ts";
import { current as currentMessage } from "./testing/orderScenario.ts";
import { ownerButtons } from "./ownerButtons.ts";
import * as updates from "../testing/telegramUpdates.ts";
import { ownerToken, shopToken } from "./testing/ownerHarness.ts";

let h: BroadcastHarness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

/** The harness with `count` customers, and the owner's chat. */
async function open(count = 3) {
  h = await startBroadcastHarness();
  const ids = await h.customers(601, count);
  const owner = h.harness.ownerChat(100);
  return { h, ids, owner };
}

/** 📣 → ✍️: the composition waits for the message. */
async function compose(owner: OwnerChat) {
  await owner.command("start");
  await owner.press("📣 Рассылки");
  await owner.press("✍️ Новая рассылка");
}

/** Composes up to ✅: the message, no button, everyone. */
async function upToConfirm(owner: OwnerChat, text = "Новинки недели") {
  await compose(owner);
  await owner.deliver(formatted(owner, text, []));
  await owner.press("Без кнопки");
  await owner.press(buttonStarting(owner, "👥 Все подписчики"));
}

describe("pausing, resuming, cancelling", () => {
  it("pauses, resumes and cancels from the live message (cancel asks first), then reports what was not sent", async () => {
    const { h, ids, owner } = await open(6);
    await upToConfirm(owner);
    h.pacer.hold();
    await owner.press("🚀 Отправить сейчас");
    const id = await h.startedId();
    const live = owner.last();
    expect(live?.text).toContain("идёт");
    expect(live?.text).toMatch(/▓*░+ \d+%/);
    expect(live?.text).toContain("Закончится около");
    expect(owner.screen().buttons).toEqual(["⏸ Пауза", "✖️ Отменить", "🔄 Обновить", "📣 Рассылки"]);

    await owner.press("⏸ Пауза");
    expect(owner.toast()).toBe("Рассылка на паузе");
    expect((await h.engine.progress(id))?.status).toBe("paused");
    expect(owner.screen().text).toContain("на паузе");
    await owner.press("▶️ Продолжить");
    expect((await h.engine.progress(id))?.status).toBe("sending");

    await owner.press("✖️ Отменить");
    expect(owner.screen().text).toContain("Отменить рассылку?");
    expect((await h.engine.progress(id))?.status).toBe("sending");
    await owner.press("✖️ Да, отменить");
    h.pacer.release();
    const cancelled = await h.until(id, (progress) => progress.status === "cancelled");
    expect(cancelled.left).toBeGreaterThan(0);
    const delivered = ids.filter((userId) => h.got(userId).length > 0).length;
    expect(delivered).toBe(cancelled.sent);
    expect(delivered).toBeLessThan(ids.length);
    expect(currentMessage(owner, live).text).toContain("отменена");
    expect(currentMessage(owner, live).text).toContain(`Не отправлено (отмена): ${cancelled.left}`);
  });

  it("refuses forged buttons: an unknown broadcast id, another's shape of id, and malformed data", async () => {
    const { h, owner } = await open(1);
    await owner.command("start");
    for (const action of ["bcpau", "bcres", "bccok", "bccan", "bco"] as const) {
      await owner.pressData(ownerButtons.encode(action, "BZZZZZZZZZZ"));
      expect(owner.toast()).toBe("Такой рассылки нет.");
    }
    await owner.pressData("o1.bcpau.B123/../x");
    expect(owner.toast()).toBe(h.harness.standIn.callbackAnswers.at(-1)?.text);
    expect(owner.screen().text).toContain("устарела");
    expect(h.harness.logLines.filter((line) => line.event === "broadcast_button_refused")).toHaveLength(5);
    expect(await h.engine.list(5)).toEqual([]);
  });
});

describe("the live message and the report", () => {
  it("refuses a stranger every broadcast button, a real broadcast's included, and shows them nothing of it", async () => {
    const { h, owner } = await open(2);
    await upToConfirm(owner, "Секретная распродажа");
    h.pacer.hold();
    await owner.press("🚀 Отправить сейчас");
    const id = await h.startedId();
    const stranger = h.harness.ownerChat(666, { first_name: "Мэллори" });
    const shown = owner.last();
    if (!shown) throw new Error("the owner saw nothing");
    await stranger.command("start");
    for (const data of [ownerButtons.encode("bcl"), ownerButtons.encode("bcnew"), ownerButtons.encode("bco", id), ownerButtons.encode("bcpau", id), ownerButtons.encode("bccok", id), ownerButtons.encode("bcgo", 0)]) {
      await stranger.deliver(updates.callback(stranger.from, data, shown));
      expect(stranger.toast()).toContain("Доступа у вас нет");
    }
    expect((await h.engine.progress(id))?.status).toBe("sending");
    expect(JSON.stringify(h.harness.standIn.calls.filter((call) => call.payload.chat_id === 666))).not.toContain("Секретная");
    h.pacer.release();
  });

  it("edits the live message at most every few seconds while the counts move, and at once when the status changes", async () => {
    const { h, owner } = await open(3);
    await upToConfirm(owner);
    h.pacer.hold();
    await owner.press("🚀 Отправить сейчас");
    const id = await h.startedId();
    const live = h.harness.owner.broadcastLive;
    if (!live) throw new Error("no live progress");
    const progress = await h.engine.progress(id);
    if (!progress) throw new Error("no progress");
    const editsOf = () => h.harness.standIn.callsTo("editMessageText", ownerToken).filter((call) => call.payload.message_id === owner.last()?.message_id).length;
    const before = editsOf();
    for (let sent = 1; sent <= 20; sent++) live.onProgress({ ...progress, sent, left: 100 - sent, total: 100 });
    await live.settled();
    expect(editsOf()).toBe(before);
    h.harness.clock.advance(3_000);
    live.onProgress({ ...progress, sent: 21, left: 79, total: 100 });
    live.onProgress({ ...progress, sent: 22, left: 78, total: 100 });
    await live.settled();
    expect(editsOf()).toBe(before + 1);
    expect(owner.last()?.text).toContain("Отправлено: 21");
    live.onProgress({ ...progress, status: "paused", sent: 23, left: 77, total: 100 });
    await live.settled();
    expect(editsOf()).toBe(before + 2);
    expect(owner.last()?.text).toContain("на паузе");
    h.pacer.release();
  });

  it("reports delivered, blocked, failed by reason, and the orders its recipients placed within 72 h; the list opens it", async () => {
    const { h, ids, owner } = await open(4);
    const boris = ids[1];
    h.harness.standIn.block(boris ?? 0, shopToken);
    await upToConfirm(owner);
    h.harness.standIn.failNext("sendMessage", { error_code: 400, description: "Bad Request: chat not found" }, 1);
    await owner.press("🚀 Отправить сейчас");
    const id = await h.startedId();
    const done = await h.until(id, (progress) => progress.status === "finished");
    expect(done).toMatchObject({ total: 4, sent: 2, blocked: 1, failed: 1 });
    const buyer = ids.find((userId) => h.got(userId).length > 0);
    expect(buyer).toBeDefined();
    h.harness.clock.advance(3_600_000);
    await placeOrder(h.harness, buyer ?? 0, { items: [annasCoffee], phone: "+79991234567", delivery: "Москва", key: "bt:buyer" });

    await owner.command("start");
    await owner.press("📣 Рассылки");
    expect(owner.screen().buttons.some((label) => label.startsWith("✅") && label.endsWith("2/4"))).toBe(true);
    await owner.press(buttonStarting(owner, "✅"));
    const report = owner.screen().text;
    expect(report).toContain("Доставлено: 2 из 4");
    expect(report).toContain("Заблокировали бота: 1");
    expect(report).toContain("Не доставлено: 1");
    expect(report).toContain("400: Bad Request: chat not found: 1");
    expect(report).toContain("Заказов за 72 ч после рассылки: 1");
    expect((await h.harness.lead(boris ?? 0))?.blockedAt).not.toBeNull();
  });

});

describe("skips, restarts and waits", () => {
  it("skips a customer who unsubscribed before their turn, and the report says so", async () => {
    const { h, ids, owner } = await open(3);
    await upToConfirm(owner);
    h.pacer.hold();
    await owner.press("🚀 Отправить сейчас");
    const id = await h.startedId();
    const last = ids.at(-1) ?? 0;
    await h.harness.dispatch(last, { type: "unsubscribed", key: `bt:${last}:unsub` });
    h.pacer.release();
    const done = await h.until(id, (progress) => progress.status === "finished");
    expect(done).toMatchObject({ skipped: 1, sent: 2 });
    expect(h.got(last)).toEqual([]);
    expect(owner.last()?.text).toContain("Пропущены: 1");
  });

  it("resumes a composition after a restart, and a broadcast opened from 📣 after a restart is live again", async () => {
    const { h, ids, owner } = await open(4);
    await upToConfirm(owner);
    const confirm = owner.last();
    await h.restart();
    h.pacer.hold();
    await owner.pressOn(confirm, "🚀 Отправить сейчас");
    const id = await h.startedId();
    await h.restart({ hold: true });
    await owner.command("start");
    await owner.press("📣 Рассылки");
    await owner.press(buttonStarting(owner, "📤"));
    const reopened = owner.last();
    expect(reopened?.text).toContain("идёт");
    h.pacer.release();
    await h.until(id, (progress) => progress.status === "finished");
    expect(currentMessage(owner, reopened).text).toContain("Доставлено: 4 из 4");
    for (const userId of ids) expect(h.got(userId)).toHaveLength(1);
  });

  it("shows that Telegram asked the whole broadcast to wait (a 429), and until when", async () => {
    const { h, owner } = await open(2);
    await upToConfirm(owner);
    h.pacer.hold();
    h.harness.standIn.failNext("sendMessage", { error_code: 429, description: "Too Many Requests: retry after 30", parameters: { retry_after: 30 } }, 1);
    await owner.press("🚀 Отправить сейчас");
    const id = await h.startedId();
    const waiting = await h.until(id, (progress) => progress.pausedUntil !== null);
    await owner.press("🔄 Обновить");
    expect(owner.screen().text).toContain("Telegram просит подождать: продолжим в");
    expect(waiting.pausedUntil).toBeGreaterThan(h.harness.clock.now());
    h.pacer.release();
    const done = await h.until(id, (progress) => progress.status === "finished");
    expect(done).toMatchObject({ sent: 2, failed: 0 });
  });
});
