import { afterEach, describe, expect, it } from "vitest";
import { formatted, startBroadcastHarness, type BroadcastHarness } from "./testing/broadcastHarness.ts";
import type { OwnerChat } from "./testing/ownerHarness.ts";
import { buttonStarting } from "./testing/crmScenario.ts";
import { ownerButtons } from "./ownerButtons.ts";
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

describe("a segment from the builder", () => {
  it("takes the segment the builder hands over with ✉️, counts it without the unsubscribed, and sends to it", async () => {
    const { h, ids, owner } = await open(3);
    const [first, second, third] = ids;
    await h.harness.dispatch(third ?? 0, { type: "unsubscribed", key: "bt:unsub" });
    await owner.command("crm");
    await owner.press("🎯 Сегменты");
    await owner.press("➕ Новый сегмент");
    await owner.press("✉️ Рассылка");
    expect(owner.screen().text).toContain("Новая рассылка");
    await owner.deliver(formatted(owner, "Для сегмента", []));
    await owner.press("Без кнопки");
    expect(owner.screen().text).toContain("Аудитория: Новый сегмент, получателей: 2");
    await owner.press("🚀 Отправить сейчас");
    await h.until(await h.startedId(), (progress) => progress.status === "finished");
    expect([first, second, third].map((userId) => h?.got(userId ?? 0).length)).toEqual([1, 1, 0]);
  });
});

describe("when a broadcast cannot start", () => {
  it("says another broadcast is sending, and then takes the same composition for later as a broadcast of its own", async () => {
    const { h, owner } = await open(2);
    await upToConfirm(owner, "Первая");
    h.pacer.hold();
    await owner.press("🚀 Отправить сейчас");
    const first = await h.startedId();
    await upToConfirm(owner, "Вторая");
    await owner.press("🚀 Отправить сейчас");
    expect(owner.screen().text).toContain("Сейчас идёт другая рассылка");
    await owner.press("🕐 Через 1 ч");
    const all = await h.engine.list(5);
    expect(all.map((progress) => progress.status).sort()).toEqual(["scheduled", "sending"]);
    expect(all.find((progress) => progress.id !== first)?.startAt).toBe(h.harness.clock.now() + 3_600_000);
    h.pacer.release();
  });

  it("asks for the message again when its photo cannot be fetched for the preview (over 10 MB), with no ✅ offered", async () => {
    const { h, ids, owner } = await open(1);
    await compose(owner);
    await owner.deliver(h.photo(owner, new Uint8Array(64).fill(5), "Огромное фото", [], 11 * 1024 * 1024));
    await owner.press("Без кнопки");
    await owner.press(buttonStarting(owner, "👥 Все подписчики"));
    expect(owner.messages().at(-2)?.text).toContain("Превью не получилось: фото не скачалось из Telegram");
    expect(owner.screen().text).toContain("Пришлите сообщение");
    expect(owner.screen().buttons).not.toContain("🚀 Отправить сейчас");
    await owner.send("2026-12-01 10:00");
    expect(owner.screen().text).toContain("Добавить под сообщением кнопку?");
    expect(await h.engine.list(5)).toEqual([]);
    expect(h.got(ids[0] ?? 0)).toEqual([]);
  });

  it("tells the owner when the shop bot cannot upload the photo, and nothing is sent", async () => {
    const { h, ids, owner } = await open(1);
    h.harness.standIn.block(100, shopToken);
    await compose(owner);
    await owner.deliver(h.photo(owner, new Uint8Array(512).fill(3), "Фото дня"));
    await owner.press("Без кнопки");
    await owner.press(buttonStarting(owner, "👥 Все подписчики"));
    await owner.press("🚀 Отправить сейчас");
    expect(owner.screen().text).toContain("Не получилось начать рассылку");
    expect(await h.engine.list(5)).toEqual([]);
    expect(h.got(ids[0] ?? 0)).toEqual([]);
    expect(h.harness.logLines.some((line) => line.event === "broadcast_photo_failed")).toBe(true);
  });
});

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
    await h.until(await h.startedId(), (progress) => progress.status === "finished");
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
    await h.until(await h.startedId(), (progress) => progress.status === "finished");
    const uploads = h.harness.standIn.callsTo("sendPhoto", shopToken).filter((call) => call.files.length > 0);
    expect(uploads.map((call) => [call.payload.chat_id, call.files[0]?.size])).toEqual([[100, 2_048]]);
    const fileIds = ids.map((userId) => h.got(userId).at(-1)?.photo?.at(-1)?.file_id);
    expect(new Set(fileIds).size).toBe(1);
    expect(h.got(ids[0] ?? 0).at(-1)?.caption).toBe("Новый улун");
  });
});

describe("a broadcast set for later", () => {
  it("takes a typed time in TIME_ZONE, and the quick 'in 1 h' and 'tomorrow 10:00', each as one scheduled broadcast", async () => {
    const { h, owner } = await open(2);
    await upToConfirm(owner);
    await owner.send("2026-12-01 10:00");
    const scheduled = await h.engine.list(5);
    expect(scheduled).toHaveLength(1);
    expect(scheduled[0]).toMatchObject({ status: "scheduled", startAt: Date.parse("2026-12-01T07:00:00Z"), sent: 0 });
    expect(owner.screen().text).toContain("запланирована");
    expect(owner.screen().text).toContain("Начнётся 01.12.2026, 10:00");

    await upToConfirm(owner, "Через час");
    await owner.press("🕐 Через 1 ч");
    const both = await h.engine.list(5);
    expect(both.map((progress) => progress.startAt).sort()).toEqual([h.harness.clock.now() + 3_600_000, Date.parse("2026-12-01T07:00:00Z")].sort());

    await upToConfirm(owner, "Завтра утром");
    await owner.press("🌅 Завтра в 10:00");
    const three = await h.engine.list(5);
    expect(three).toHaveLength(3);
    expect(three.filter((progress) => progress.status === "scheduled").map((progress) => progress.startAt)).toContain(Date.parse("2026-11-24T07:00:00Z"));
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
    await upToConfirm(owner);
    const confirm = owner.last();
    await Promise.all([owner.pressOn(confirm, "🚀 Отправить сейчас"), owner.pressOn(confirm, "🚀 Отправить сейчас")]);
    const started = await h.engine.list(5);
    expect(started).toHaveLength(1);
    await h.until(started[0]?.id ?? "", (progress) => progress.status === "finished");
    for (const userId of ids) expect(h.got(userId)).toHaveLength(1);
    expect(h.harness.standIn.callbackAnswers.filter((answer) => answer.token === ownerToken).map((answer) => answer.text)).toContain("Эта кнопка устарела: рассылка уже отправлена или отменена.");
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
    const done = await h.until(await h.startedId(), (progress) => progress.status === "finished");
    expect(done.sent).toBe(1);
    expect(emma.last()?.text).toContain("Delivered: 1 of 1");
    expect(emma.last()?.text).toContain("Orders within 72 h of the broadcast: 0");
  });
});
