import { afterEach, describe, expect, it } from "vitest";
import { startBroadcastHarness, type BroadcastHarness } from "./testing/broadcastHarness.ts";
import { annasCoffee, buttonStarting, placeOrder } from "./testing/crmScenario.ts";
import { current as currentMessage } from "./testing/orderScenario.ts";
import { ownerButtons } from "./ownerButtons.ts";
import { ownerToken, shopToken } from "./testing/ownerHarness.ts";


let h: BroadcastHarness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

async function open(count = 3) {
  h = await startBroadcastHarness();
  const ids = await h.customers(601, count);
  const owner = h.harness.ownerChat(100);
  return { h, ids, owner };
}

/** 📣 → ✍️, then the message. */
async function compose(owner: ReturnType<BroadcastHarness["harness"]["ownerChat"]>) {
  await owner.command("start");
  await owner.press("📣 Рассылки");
  await owner.press("✍️ Новая рассылка");
}

const bold = { type: "bold" as const, offset: 0, length: 6 };

describe("composing a broadcast", () => {
  it("previews the message as customers get it (text, entities, URL button, Unsubscribe) with the count, sends it once, and reports", async () => {
    const { h, ids, owner } = await open(3);
    await compose(owner);
    expect(owner.screen().text).toContain("Новая рассылка");
    await owner.deliver(h.formatted(owner, "Скидки до пятницы!", [bold]));
    expect(owner.screen().text).toContain("Добавить под сообщением кнопку?");
    await owner.press("🔗 Ссылка");
    await owner.send("Наш сайт https://shop.example/sale");
    expect(owner.screen().buttons).toContain("👥 Все подписчики (3)");
    await owner.press("👥 Все подписчики (3)");

    const messages = owner.messages();
    const preview = messages.at(-2);
    expect(preview?.text).toBe("Скидки до пятницы!");
    expect(preview?.entities).toEqual([bold]);
    expect(h.harness.standIn.buttonsOf(preview).map((button) => [button.text, button.url ?? null])).toEqual([
      ["Наш сайт", "https://shop.example/sale"],
      ["🔕 Отписаться", null],
    ]);
    expect(owner.screen().text).toContain("получателей: 3");

    await owner.press("🚀 Отправить сейчас");
    const id = h.engine && (await h.engine.list(1))[0]?.id;
    if (!id) throw new Error("no broadcast started");
    const done = await h.until(id, (progress) => progress.status === "finished");
    expect(done).toMatchObject({ total: 3, sent: 3, left: 0 });
    for (const userId of ids) {
      const got = h.got(userId).at(-1);
      expect(got?.text).toBe("Скидки до пятницы!");
      expect(got?.entities).toEqual([bold]);
      expect(h.harness.standIn.buttonsOf(got).map((button) => button.text)).toEqual(["Наш сайт", "🔕 Отписаться"]);
    }
    const report = owner.messages().at(-1)?.text ?? "";
    expect(report).toContain("завершена");
    expect(report).toContain("Доставлено: 3 из 3");
    expect(report).toContain("Заказов за 72 ч после рассылки: 0");
  });
});

/** Composes up to ✅: the message given as an update, no button, everyone. */
async function upToConfirm(h: BroadcastHarness, owner: ReturnType<BroadcastHarness["harness"]["ownerChat"]>, text = "Новинки недели") {
  await compose(owner);
  await owner.deliver(h.formatted(owner, text, []));
  await owner.press("Без кнопки");
  await owner.press(buttonStarting(owner, "👥 Все подписчики"));
}

const startedId = async (h: BroadcastHarness): Promise<string> => {
  const id = (await h.engine.list(1))[0]?.id;
  if (!id) throw new Error("no broadcast started");
  return id;
};

describe("a product's button", () => {
  it("lists the products customers see and puts the chosen one under the message", async () => {
    const { h, ids, owner } = await open(1);
    const at = h.harness.clock.now();
    await h.harness.store.transact((tx) => {
      tx.applyCatalogEdit({ by: { kind: "owner", id: 100 }, at, change: { type: "category_saved", category: { id: "tea", title: "Чай", position: 0 } } });
      tx.applyCatalogEdit({ by: { kind: "owner", id: 100 }, at, change: { type: "product_saved", product: { id: "sencha", categoryId: "tea", title: "Сенча", description: "", price: 590, currency: "RUB", hidden: false, position: 0 } } });
      tx.applyCatalogEdit({ by: { kind: "owner", id: 100 }, at, change: { type: "product_saved", product: { id: "old", categoryId: "tea", title: "Снят с продажи", description: "", price: 1, currency: "RUB", hidden: true, position: 1 } } });
    });
    await compose(owner);
    await owner.deliver(h.formatted(owner, "Сенча снова в наличии", []));
    await owner.press("🛍 Товар");
    expect(owner.screen().buttons).toEqual(["Сенча", "◀️ Назад", "✖️ Отмена"]);
    await owner.pressData(ownerButtons.encode("bcprod", "old"));
    expect(owner.toast()).toBe("Этого уже нет в каталоге.");
    await owner.press("Сенча");
    await owner.press(buttonStarting(owner, "👥 Все подписчики"));
    await owner.press("🚀 Отправить сейчас");
    await h.until(await startedId(h), (progress) => progress.status === "finished");
    const got = h.got(ids[0] ?? 0).at(-1);
    expect(h.harness.standIn.buttonsOf(got).map((button) => button.text)).toEqual(["🛍 Сенча", "🔕 Отписаться"]);
  });
});

describe("a photo broadcast", () => {
  it("previews the photo with its caption and entities, and the shop bot uploads it once and sends it by its own file id", async () => {
    const { h, ids, owner } = await open(2);
    await compose(owner);
    const bytes = new Uint8Array(2_048).fill(7);
    await owner.deliver(h.photo(owner, bytes, "Новый улун", [{ type: "italic", offset: 6, length: 4 }]));
    await owner.press("🛍 Товар");
    expect(owner.screen().text).toContain("В каталоге нет товаров");
    await owner.press("◀️ Назад");
    await owner.press("📂 Каталог");
    await owner.press(buttonStarting(owner, "👥 Все подписчики"));
    const preview = owner.messages().at(-2);
    expect(preview?.caption).toBe("Новый улун");
    expect(preview?.caption_entities).toEqual([{ type: "italic", offset: 6, length: 4 }]);
    expect(preview?.sent.files.map((file) => file.size)).toEqual([2_048]);
    expect(h.harness.standIn.buttonsOf(preview).map((button) => button.text)).toEqual(["🛍 Открыть каталог", "🔕 Отписаться"]);

    await owner.press("🚀 Отправить сейчас");
    await h.until(await startedId(h), (progress) => progress.status === "finished");
    const uploads = h.harness.standIn.callsTo("sendPhoto", shopToken).filter((call) => call.files.length > 0);
    expect(uploads.map((call) => [call.payload.chat_id, call.files[0]?.size])).toEqual([[100, 2_048]]);
    const fileIds = ids.map((userId) => h.got(userId).at(-1)?.photo?.at(-1)?.file_id);
    expect(new Set(fileIds).size).toBe(1);
    expect(h.got(ids[0] ?? 0).at(-1)?.caption).toBe("Новый улун");
  });
});

describe("a broadcast set for later", () => {
  it("takes a typed time in TIME_ZONE, and the quick 'in 1 h', each as one scheduled broadcast", async () => {
    const { h, owner } = await open(2);
    await upToConfirm(h, owner);
    await owner.send("2026-12-01 10:00");
    const scheduled = await h.engine.list(5);
    expect(scheduled).toHaveLength(1);
    expect(scheduled[0]).toMatchObject({ status: "scheduled", startAt: Date.parse("2026-12-01T07:00:00Z"), sent: 0 });
    expect(owner.screen().text).toContain("запланирована");
    expect(owner.screen().text).toContain("Начнётся 01.12.2026, 10:00");

    await upToConfirm(h, owner, "Через час");
    await owner.press("🕐 Через 1 ч");
    const both = await h.engine.list(5);
    expect(both.map((progress) => progress.startAt).sort()).toEqual([h.harness.clock.now() + 3_600_000, Date.parse("2026-12-01T07:00:00Z")].sort());
  });
});

describe("bad input while composing", () => {
  /** Nothing reached a customer and no broadcast exists. */
  async function nothingSent(h: BroadcastHarness, ids: readonly number[]): Promise<void> {
    expect(await h.engine.list(5)).toEqual([]);
    for (const userId of ids) expect(h.got(userId)).toEqual([]);
  }

  it("refuses an empty message, a photo without a caption, a sticker, and text or a caption over Telegram's limits", async () => {
    const { h, ids, owner } = await open(1);
    await compose(owner);
    await owner.deliver(h.photo(owner, new Uint8Array(64).fill(1), ""));
    expect(owner.screen().text).toContain("Сообщение пустое");
    await owner.sticker();
    expect(owner.screen().text).toContain("стикеры, голосовые и файлы не рассылаются");
    await owner.deliver(h.formatted(owner, "я".repeat(4097), []));
    expect(owner.screen().text).toMatch(/Слишком длинно: 4\s?097 символов, а Telegram принимает до 4\s?096/);
    await owner.deliver(h.photo(owner, new Uint8Array(64).fill(1), "я".repeat(1025)));
    expect(owner.screen().text).toMatch(/Слишком длинно: 1\s?025 символов, а Telegram принимает до 1\s?024/);
    expect(owner.screen().text).toContain("Новая рассылка");
    await nothingSent(h, ids);
  });

  it("refuses entities Telegram would refuse, saying where, before any preview", async () => {
    const { h, ids, owner } = await open(1);
    await compose(owner);
    const text = "Привет, мир! Скидки";
    // An entity past the end never gets past the bot's door (update_dropped); an empty one does.
    await owner.deliver(h.formatted(owner, text, [{ type: "bold", offset: 15, length: 0 }]));
    expect(owner.screen().text).toContain("Форматирование «bold» с позиции 16 не попадает в текст");
    await owner.deliver(h.formatted(owner, text, [{ type: "bold", offset: 0, length: 6 }, { type: "italic", offset: 3, length: 6 }]));
    expect(owner.screen().text).toContain("Форматирование «italic» на позиции 4 («вет, м») пересекается с «bold» с позиции 1");
    await owner.deliver(h.formatted(owner, text, [{ type: "text_link", offset: 8, length: 3, url: "javascript:alert(1)" }]));
    expect(owner.screen().text).toContain("Ссылка на позиции 9 («мир») ведёт на недопустимый адрес");
    await owner.deliver(h.formatted(owner, `🎉🎉 ${text}`, [{ type: "code", offset: 0, length: 10 }, { type: "spoiler", offset: 5, length: 2 }]));
    expect(owner.screen().text).toContain("на позиции 4");
    expect(h.harness.standIn.callsTo("sendMessage", ownerToken).some((call) => call.payload.text === text)).toBe(false);
    await nothingSent(h, ids);
  });

  it("refuses a URL button without a usable link or a label, and a time it cannot read, in the past or too far ahead", async () => {
    const { h, ids, owner } = await open(1);
    await compose(owner);
    await owner.deliver(h.formatted(owner, "Акция", []));
    await owner.press("🔗 Ссылка");
    await owner.send("Сайт javascript:alert(1)");
    expect(owner.screen().text).toContain("Нужна ссылка https://… в конце");
    await owner.send("https://shop.example");
    expect(owner.screen().text).toContain("Нужен текст кнопки перед ссылкой");
    await owner.send("Сайт https://shop.example");
    await owner.press(buttonStarting(owner, "👥 Все подписчики"));
    for (const [typed, why] of [
      ["завтра утром", "Не понял время"],
      ["2026-02-30 10:00", "Не понял время"],
      ["2026-11-01 10:00", "Это время уже прошло"],
      ["2027-06-01 10:00", "не дальше чем на 90 дней"],
    ] as const) {
      await owner.send(typed);
      expect(owner.screen().text).toContain(why);
    }
    await nothingSent(h, ids);
  });

  it("cannot send to an audience of 0 recipients: a segment that matches no one, and everyone once all unsubscribed", async () => {
    const { h, ids, owner } = await open(2);
    await h.harness.store.saveSegment({ name: "VIP", filter: { tags: { any: ["vip"] } }, by: 100, at: h.harness.clock.now() });
    await compose(owner);
    await owner.deliver(h.formatted(owner, "Только для VIP", []));
    await owner.press("Без кнопки");
    expect(owner.screen().buttons).toContain("👥 VIP (0)");
    await owner.press("👥 VIP (0)");
    expect(owner.screen().text).toContain("В этой аудитории 0 получателей");
    expect(owner.screen().buttons).not.toContain("🚀 Отправить сейчас");
    for (const userId of ids) await h.harness.dispatch(userId, { type: "unsubscribed", key: `bt:${userId}:unsub` });
    await owner.press(buttonStarting(owner, "👥 Все подписчики"));
    expect(owner.screen().text).toContain("В этой аудитории 0 получателей");
    await nothingSent(h, ids);
  });
});

describe("one broadcast per composition", () => {
  it("starts one broadcast when ✅ is pressed twice at once, and says the second press is out of date", async () => {
    const { h, ids, owner } = await open(2);
    await upToConfirm(h, owner);
    const confirm = owner.last();
    await Promise.all([owner.pressOn(confirm, "🚀 Отправить сейчас"), owner.pressOn(confirm, "🚀 Отправить сейчас")]);
    const started = await h.engine.list(5);
    expect(started).toHaveLength(1);
    await h.until(started[0]?.id ?? "", (progress) => progress.status === "finished");
    for (const userId of ids) expect(h.got(userId)).toHaveLength(1);
    expect(h.harness.standIn.callbackAnswers.filter((answer) => answer.token === ownerToken).map((answer) => answer.text)).toContain("Эта кнопка устарела: рассылка уже отправлена или отменена.");
  });
});

describe("watching a broadcast", () => {
  it("pauses, resumes and cancels from the live message (cancel asks first), then reports what was not sent", async () => {
    const { h, ids, owner } = await open(6);
    await upToConfirm(h, owner);
    h.pacer.hold();
    await owner.press("🚀 Отправить сейчас");
    const id = await startedId(h);
    const live = owner.last();
    expect(live?.text).toContain("идёт");
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

  it("edits the live message at most every few seconds while the counts move, and at once when the status changes", async () => {
    const { h, owner } = await open(3);
    await upToConfirm(h, owner);
    h.pacer.hold();
    await owner.press("🚀 Отправить сейчас");
    const id = await startedId(h);
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
    await upToConfirm(h, owner);
    h.harness.standIn.failNext("sendMessage", { error_code: 400, description: "Bad Request: chat not found" }, 1);
    await owner.press("🚀 Отправить сейчас");
    const id = await startedId(h);
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

  it("skips a customer who unsubscribed before their turn, and the report says so", async () => {
    const { h, ids, owner } = await open(3);
    await upToConfirm(h, owner);
    h.pacer.hold();
    await owner.press("🚀 Отправить сейчас");
    const id = await startedId(h);
    const last = ids.at(-1) ?? 0;
    await h.harness.dispatch(last, { type: "unsubscribed", key: `bt:${last}:unsub` });
    h.pacer.release();
    const done = await h.until(id, (progress) => progress.status === "finished");
    expect(done).toMatchObject({ skipped: 1, sent: 2 });
    expect(h.got(last)).toEqual([]);
    expect(owner.last()?.text).toContain("Пропущены: 1");
  });
});

describe("in English", () => {
  it("speaks English to an English-speaking owner, from the prompt to the report", async () => {
    h = await startBroadcastHarness();
    await h.customers(701, 1, "en");
    const emma = h.harness.ownerChat(100, { first_name: "Emma", language_code: "en" });
    await emma.command("start");
    await emma.press("📣 Broadcasts");
    expect(emma.screen().text).toContain("No broadcasts yet.");
    await emma.press("✍️ New broadcast");
    await emma.send("   ");
    expect(emma.screen().text).toContain("The message is empty");
    await emma.deliver(h.formatted(emma, "New arrivals", []));
    await emma.press("No button");
    await emma.press(buttonStarting(emma, "👥 All subscribers"));
    expect(emma.screen().text).toContain("recipients: 1");
    expect(h.harness.standIn.buttonsOf(emma.messages().at(-2)).map((button) => button.text)).toEqual(["🔕 Unsubscribe"]);
    await emma.send("tomorrow");
    expect(emma.screen().text).toContain("I could not read the time");
    await emma.press("🚀 Send now");
    const done = await h.until(await startedId(h), (progress) => progress.status === "finished");
    expect(done.sent).toBe(1);
    expect(emma.last()?.text).toContain("Delivered: 1 of 1");
    expect(emma.last()?.text).toContain("Orders within 72 h of the broadcast: 0");
  });
});
