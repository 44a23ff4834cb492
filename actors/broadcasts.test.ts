import { Api, InputFile } from "grammy";
import { afterEach, describe, expect, it } from "vitest";
import { openBroadcastWorld, plainMessage, shopToken, storeKinds, type BroadcastWorld, type BroadcastWorldOptions } from "./fixtures/broadcastWorld.ts";
import type { BroadcastCommandResult, BroadcastProgress } from "./broadcasts.port.ts";

const idOf = (result: BroadcastCommandResult): string => {
  if (result.kind !== "applied") throw new Error(`refused: ${result.reason}`);
  return result.progress.id;
};

describe.each(storeKinds)("%s: broadcasts through the stand-in", (kind) => {
  const worlds: BroadcastWorld[] = [];
  afterEach(async () => {
    for (const world of worlds.splice(0)) {
      await world.close().catch(() => undefined);
      world.remove();
    }
  });

  async function world(options: BroadcastWorldOptions = {}): Promise<BroadcastWorld> {
    const opened = await openBroadcastWorld({ kind, ...options });
    worlds.push(opened);
    await opened.engine.startUp();
    return opened;
  }

  const ended = (w: BroadcastWorld, id: string) => async () => ["finished", "cancelled"].includes((await w.engine.progress(id))?.status ?? "");

  it("messages every recipient once, within Telegram's limits, records it on each customer, and reports it", async () => {
    const w = await world({ customers: 60 });
    const id = idOf(await w.engine.start({ key: "o:1:bc", by: 7, segment: {}, message: plainMessage }));
    await w.until(ended(w, id));
    const report = await w.engine.report(id);
    expect(report).toMatchObject({ status: "finished", total: 60, sent: 60, blocked: 0, failed: 0, skipped: 0, left: 0, failures: {}, inFlightAtCrashes: 0 });
    for (let userId = 1; userId <= 60; userId++) expect(w.received(userId)).toBe(1);
    expect(w.rateWatch.violations()).toEqual({ sends: 60, overall: 0, perChat: 0 });
    expect(await w.store.events(17, { types: ["broadcast_received"] })).toMatchObject([{ payload: { broadcastId: id } }]);
    const sent = w.standIn.lastMessage(17, shopToken);
    expect(sent?.text).toBe(plainMessage.text);
    expect(w.standIn.buttonsOf(sent).map((button) => button.text)).toEqual(["Open the catalog", "🔕 Unsubscribe"]);
  });

  it("sends a photo with its caption and entities, and a product or URL button above Unsubscribe in the customer's language", async () => {
    const w = await world({ customers: 2 });
    const uploaded = await new Api(shopToken, { apiRoot: w.standIn.apiRoot }).sendPhoto(1, new InputFile(Buffer.from("not really a jpeg"), "tea.jpg"));
    const photo = uploaded.photo.at(-1)?.file_id ?? "";
    await w.actors.runtime.dispatch(2, { type: "start", language: "ru", key: "ru:2" });
    const product = { ...plainMessage, photo, button: { kind: "product", productId: "tea", text: "Чай" } } as const;
    const first = idOf(await w.engine.start({ key: "o:1:photo", by: 7, segment: {}, message: product }));
    await w.until(ended(w, first));
    const [toAnna, toBoris] = w.standIn.callsTo("sendPhoto", shopToken).slice(1);
    expect(toAnna?.payload).toMatchObject({ chat_id: 1, photo, caption: plainMessage.text, caption_entities: plainMessage.entities });
    const buttons = (chat: number) => w.standIn.buttonsOf(w.standIn.lastMessage(chat, shopToken)).map((button) => [button.text, button.callback_data ?? button.url]);
    expect(buttons(1)).toEqual([["Чай", "s1.prod.tea"], ["🔕 Unsubscribe", "s1.unsub"]]);
    expect(toBoris?.payload).toMatchObject({ chat_id: 2 });
    expect(buttons(2)).toEqual([["Чай", "s1.prod.tea"], ["🔕 Отписаться", "s1.unsub"]]);
    const link = idOf(await w.engine.start({ key: "o:1:url", by: 7, segment: {}, message: { ...plainMessage, button: { kind: "url", url: "https://example.com/spring", text: "Read" } } }));
    await w.until(ended(w, link));
    expect(buttons(1)).toEqual([["Read", "https://example.com/spring"], ["🔕 Unsubscribe", "s1.unsub"]]);
  });

  it("a 429 pauses the whole broadcast for its retry_after, then every recipient is still messaged once", async () => {
    const w = await world({ customers: 12, engine: { concurrency: 1 } });
    w.standIn.failNext("sendMessage", { error_code: 429, description: "Too Many Requests: retry after 7", parameters: { retry_after: 7 } });
    const id = idOf(await w.engine.start({ key: "o:1:bc", by: 7, segment: {}, message: plainMessage }));
    await w.until(ended(w, id));
    const calls = w.standIn.callsTo("sendMessage", shopToken);
    expect(calls).toHaveLength(13);
    const [limited, next] = calls;
    expect((next?.at ?? 0) - (limited?.at ?? 0)).toBeGreaterThanOrEqual(7_000);
    expect(await w.engine.progress(id)).toMatchObject({ status: "finished", sent: 12 });
    expect((await w.store.actorEvents(`broadcast:${id}`)).map((event) => event.type)).toContain("rate_limited");
    for (let userId = 1; userId <= 12; userId++) expect(w.received(userId)).toBe(1);
  });

  it("a 403 blocked marks the customer blocked and moves on", async () => {
    const w = await world({ customers: 5 });
    w.standIn.block(3, shopToken);
    const id = idOf(await w.engine.start({ key: "o:1:bc", by: 7, segment: {}, message: plainMessage }));
    await w.until(ended(w, id));
    expect(await w.engine.progress(id)).toMatchObject({ sent: 4, blocked: 1 });
    expect((await w.store.lead(3))?.blockedAt).toEqual(expect.any(Number));
    expect(await w.store.events(3, { types: ["blocked"] })).toHaveLength(1);
  });

  it("retries other failures a bounded number of times, then counts them failed with their reason; a 400 fails at once", async () => {
    const w = await world({ customers: 1, engine: { concurrency: 1, maxAttempts: 3 } });
    w.standIn.failNext("sendMessage", { error_code: 502, description: "Bad Gateway" }, 2);
    const first = idOf(await w.engine.start({ key: "o:1:a", by: 7, segment: {}, message: plainMessage }));
    await w.until(ended(w, first));
    expect(await w.engine.report(first)).toMatchObject({ sent: 1, failed: 0 });
    w.standIn.failNext("sendMessage", { error_code: 502, description: "Bad Gateway" }, 3);
    const second = idOf(await w.engine.start({ key: "o:1:b", by: 7, segment: {}, message: plainMessage }));
    await w.until(ended(w, second));
    expect(await w.engine.report(second)).toMatchObject({ sent: 0, failed: 1, failures: { "502: Bad Gateway": 1 } });
    w.standIn.failNext("sendMessage", { error_code: 400, description: "Bad Request: chat not found" }, 1);
    const third = idOf(await w.engine.start({ key: "o:1:c", by: 7, segment: {}, message: plainMessage }));
    await w.until(ended(w, third));
    expect(await w.engine.report(third)).toMatchObject({ failed: 1, failures: { "400: Bad Request: chat not found": 1 } });
    expect(w.standIn.callsTo("sendMessage", shopToken)).toHaveLength(3 + 3 + 1);
    expect(w.received(1)).toBe(1);
  });

  it("pauses, resumes and cancels; a paused or cancelled broadcast sends nothing", async () => {
    const w = await world({ customers: 300 });
    const id = idOf(await w.engine.start({ key: "o:1:bc", by: 7, segment: {}, message: plainMessage }));
    await w.until(() => w.standIn.callsTo("sendMessage", shopToken).length >= 20);
    expect(await w.engine.pause(id, 7, "p1")).toMatchObject({ kind: "applied", progress: { status: "paused" } });
    const atPause = w.standIn.callsTo("sendMessage", shopToken).length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(w.standIn.callsTo("sendMessage", shopToken)).toHaveLength(atPause);
    expect(await w.engine.progress(id)).toMatchObject({ status: "paused", sent: atPause, left: 300 - atPause, eta: null });
    expect(await w.engine.resume(id, 7, "r1")).toMatchObject({ kind: "applied", progress: { status: "sending" } });
    await w.until(() => w.standIn.callsTo("sendMessage", shopToken).length >= atPause + 20);
    expect(await w.engine.cancel(id, 7, "c1")).toMatchObject({ kind: "applied", progress: { status: "cancelled" } });
    const atCancel = w.standIn.callsTo("sendMessage", shopToken).length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(w.standIn.callsTo("sendMessage", shopToken)).toHaveLength(atCancel);
    expect(await w.engine.report(id)).toMatchObject({ status: "cancelled", sent: atCancel, left: 300 - atCancel });
    expect(await w.engine.resume(id, 7, "r2")).toMatchObject({ kind: "refused", reason: "already_ended" });
    expect(await w.engine.pause(id, 7, "p2")).toMatchObject({ kind: "refused", reason: "already_ended" });
  });

  it("a double start is one broadcast, and only one sends at a time: a second is refused now, and a scheduled one waits its turn", async () => {
    const w = await world({ customers: 100 });
    const input = { key: "o:1:bc", by: 7, segment: {}, message: plainMessage };
    const [a, again] = await Promise.all([w.engine.start(input), w.engine.start(input)]);
    expect(idOf(again)).toBe(idOf(a));
    expect(await w.engine.start({ ...input, key: "o:1:other" })).toMatchObject({ kind: "refused", reason: "another_is_sending", progress: { id: idOf(a) } });
    w.pacer.advance(1);
    const later = idOf(await w.engine.start({ ...input, key: "o:1:later", at: w.pacer.now() + 1_000 }));
    expect(await w.engine.progress(later)).toMatchObject({ status: "scheduled" });
    w.pacer.advance(1_000);
    await w.fireDue();
    expect(await w.engine.progress(later)).toMatchObject({ status: "scheduled" });
    await w.until(ended(w, later));
    const list = await w.engine.list(10);
    expect(list.map((progress: BroadcastProgress) => [progress.id, progress.status, progress.sent])).toEqual([
      [later, "finished", 100],
      [idOf(a), "finished", 100],
    ]);
    for (const userId of [1, 50, 100]) expect(w.received(userId)).toBe(2);
    const sends = w.standIn.callsTo("sendMessage", shopToken).map((call) => call.payload["chat_id"]);
    expect(sends.slice(0, 100).every((chat, index) => chat === sends[index])).toBe(true);
    expect(w.rateWatch.violations()).toMatchObject({ overall: 0 });
  });

  it("a scheduled start survives a restart and starts when its timer fires", async () => {
    const first = await world({ customers: 3 });
    const id = idOf(await first.engine.start({ key: "o:1:bc", by: 7, segment: {}, message: plainMessage, at: first.pacer.now() + 3_600_000 }));
    expect(first.store.timersOf(`broadcast:${id}`)).toHaveLength(1);
    worlds.splice(0);
    await first.close(false);
    const second = await world({ dir: first.dir, standIn: first.standIn, start: first.pacer.now() + 3_600_000 });
    worlds.push(first);
    expect(await second.engine.progress(id)).toMatchObject({ status: "scheduled" });
    await second.fireDue();
    await second.until(ended(second, id));
    expect(await second.engine.progress(id)).toMatchObject({ status: "finished", sent: 3 });
    expect(second.store.timersOf(`broadcast:${id}`)).toEqual([]);
  });

  it("never holds the customers' commit queue: a customer's event commits while a broadcast's send hangs at Telegram", async () => {
    const w = await world({ customers: 3, engine: { concurrency: 1 } });
    w.standIn.hangNext("sendMessage", 1_500);
    const id = idOf(await w.engine.start({ key: "o:1:bc", by: 7, segment: {}, message: plainMessage }));
    await w.until(() => w.standIn.callsTo("sendMessage", shopToken).length === 1);
    const result = await w.actors.runtime.dispatch(2, { type: "catalog_view", key: "reply:2" });
    expect(result).toMatchObject({ duplicate: false });
    expect(w.standIn.callsTo("sendMessage", shopToken)).toHaveLength(1);
    expect(await w.engine.progress(id)).toMatchObject({ status: "sending", sent: 0 });
    await w.until(ended(w, id));
    expect(await w.engine.progress(id)).toMatchObject({ sent: 3 });
  });

  it("refuses an empty segment, forged or unknown ids, and a bad message, with nothing stored", async () => {
    const w = await world({ customers: 3 });
    expect(await w.engine.start({ key: "o:1:none", by: 7, segment: { stages: ["repeat"] }, message: plainMessage })).toEqual({ kind: "refused", reason: "no_recipients" });
    for (const forged of ["B0000000000", "b123", "order:SO-1", "B0000000000:x", ""]) {
      expect(await w.engine.pause(forged, 7, "k")).toEqual({ kind: "refused", reason: "unknown" });
      expect(await w.engine.cancel(forged, 7, "k")).toEqual({ kind: "refused", reason: "unknown" });
      expect(await w.engine.resume(forged, 7, "k")).toEqual({ kind: "refused", reason: "unknown" });
      expect(await w.engine.progress(forged)).toBeNull();
      expect(await w.engine.report(forged)).toBeNull();
    }
    await expect(w.engine.start({ key: "o:1:x", by: 7, segment: {}, message: { ...plainMessage, text: " " } })).rejects.toThrow(/empty/);
    await expect(w.engine.start({ key: "o:1:x", by: 7, segment: {}, message: { ...plainMessage, entities: [{ type: "bold", offset: 30, length: 50 }] } })).rejects.toThrow(/entity 1/);
    await expect(w.engine.start({ key: "t:1", by: 7, segment: {}, message: plainMessage })).rejects.toThrow(/key/);
    expect(await w.engine.list(10)).toEqual([]);
    expect(w.standIn.callsTo("sendMessage", shopToken)).toEqual([]);
  });

  it("skips at their turn customers who unsubscribed or blocked after the segment was read, and counts orders placed within 72 h", async () => {
    const w = await world({ customers: 4 });
    await w.actors.runtime.dispatch(2, { type: "unsubscribed", key: "u2" });
    await w.actors.runtime.dispatch(3, { type: "blocked", key: "b3" });
    const id = idOf(await w.engine.start({ key: "o:1:bc", by: 7, segment: {}, message: plainMessage }));
    await w.until(ended(w, id));
    expect(await w.engine.progress(id)).toMatchObject({ sent: 2, skipped: 2 });
    expect([1, 2, 3, 4].map(w.received)).toEqual([1, 0, 0, 1]);
    w.pacer.advance(3_600_000);
    await w.actors.runtime.dispatch(4, { type: "order_created", orderId: "SO-4", total: 1500, currency: "RUB", key: "o4" });
    w.pacer.advance(80 * 3_600_000);
    await w.actors.runtime.dispatch(1, { type: "order_created", orderId: "SO-1", total: 900, currency: "RUB", key: "o1" });
    expect(await w.engine.report(id)).toMatchObject({ orders: 1, revenue: 1500 });
  });
});
