import { afterEach, describe, expect, it } from "vitest";
import { startBroadcastHarness, type BroadcastHarness } from "./testing/broadcastHarness.ts";
import { buttonStarting } from "./testing/crmScenario.ts";
import { ownerButtons } from "./ownerButtons.ts";
import { shopToken } from "./testing/ownerHarness.ts";


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
