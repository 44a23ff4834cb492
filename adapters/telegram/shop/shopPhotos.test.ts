import { afterEach, describe, expect, it } from "vitest";
import type { RecordedCall } from "../testing/botApiStandIn.ts";
import { startShopHarness, type ShopHarness } from "./testing/shopHarness.ts";

/**
 * Product cards with the sample catalog's pictures: files next to the catalog, uploaded to the
 * Bot API stand-in once, then sent by the file_id it gave them; and a card that is shown as text
 * whenever its photo cannot be, without ever leaving the customer with no message.
 */

let shop: ShopHarness;
afterEach(async () => {
  await shop.close();
});

const chatOf = (call: RecordedCall): number => Number(call.payload["chat_id"]);
const photoCalls = (chat: number) => shop.standIn.callsTo("sendPhoto").filter((call) => chatOf(call) === chat);

describe("a product photo", () => {
  it("that Telegram keeps failing with 500, past auto-retry, leaves the category on screen until the text card is there", async () => {
    shop = await startShopHarness({ photoTimeoutMs: 3_500 });
    const anna = shop.customer(1501);
    await anna.start();
    await anna.press("🛍 Каталог");
    await anna.press("🍵 Чай");
    const category = anna.last();
    shop.standIn.failNext("sendPhoto", { error_code: 500, description: "Internal Server Error" }, 2);
    await anna.pressData("s1.prod.sencha");

    expect(anna.screen().text).toContain("Сенча, 100 г");
    expect(anna.screen().buttons).toContain("🛒 В корзину");
    expect(anna.last()?.photo).toBeUndefined();
    expect(photoCalls(1501).map((call) => call.ok)).toEqual([false, false]);
    const calls = shop.standIn.calls;
    const card = calls.findIndex((call) => call.method === "sendMessage" && call.ok === true && String(call.payload["text"]).includes("Сенча, 100 г"));
    const deleted = calls.findIndex((call) => call.method === "deleteMessage" && Number(call.payload["message_id"]) === category?.message_id);
    expect(card).toBeGreaterThan(-1);
    expect(deleted).toBeGreaterThan(card);
    expect(anna.messages().some((message) => message.message_id === category?.message_id)).toBe(false);
    expect(shop.logLines.filter((line) => line.event === "photo_failed")).toHaveLength(1);
    expect(shop.logLines.filter((line) => line.level === "error")).toEqual([]);
    expect(shop.standIn.callbackAnswers.at(-1)?.text).toBeUndefined();
  });

  it("that fails over a photo card (editing it) shows the new card as text, then takes the old one away", async () => {
    shop = await startShopHarness({ photoTimeoutMs: 3_500 });
    const anna = shop.customer(1502);
    await anna.start();
    await anna.pressData("s1.prod.matcha");
    const photoCard = anna.last();
    expect(photoCard?.photo).toBeDefined();
    shop.standIn.failNext("editMessageMedia", { error_code: 502, description: "Bad Gateway" }, 2);
    await anna.press("🛒 В корзину");
    expect(anna.screen().text).toContain("В корзине: 1 шт.");
    expect(anna.last()?.photo).toBeUndefined();
    expect(anna.messages().some((message) => message.message_id === photoCard?.message_id)).toBe(false);
    expect(shop.logLines.filter((line) => line.event === "photo_failed")).toHaveLength(1);
  });

  it("is uploaded once as a file, then sent by its file_id, also after a restart and to other customers", async () => {
    shop = await startShopHarness();
    const anna = shop.customer(1503);
    await anna.start();
    await anna.pressData("s1.prod.sencha");
    const [upload] = photoCalls(1503);
    expect(upload?.files).toEqual([expect.objectContaining({ field: "photo", filename: "sencha.png", size: expect.any(Number) })]);
    expect(upload?.files[0]?.size).toBeGreaterThan(2_000);
    const fileId = anna.last()?.photo?.at(-1)?.file_id;
    expect(fileId).toMatch(/^photo-file-/);
    expect(anna.last()?.caption).toContain("Сенча, 100 г");

    await anna.press("◀️ Назад");
    expect(anna.last()?.photo).toBeUndefined();
    await anna.pressData("s1.prod.sencha");
    expect(photoCalls(1503).at(-1)).toMatchObject({ ok: true, files: [], payload: { photo: fileId } });

    await anna.press("🛒 В корзину");
    expect(shop.standIn.callsTo("editMessageMedia").at(-1)).toMatchObject({ ok: true, files: [] });
    expect(shop.standIn.callsTo("editMessageMedia").at(-1)?.payload["media"]).toMatchObject({ type: "photo", media: fileId });
    expect(anna.last()?.caption).toContain("В корзине: 1 шт.");

    await shop.restart();
    const boris = shop.customer(1504);
    await boris.start();
    await boris.pressData("s1.prod.sencha");
    expect(photoCalls(1504)).toMatchObject([{ ok: true, files: [], payload: { photo: fileId } }]);
    expect(shop.standIn.calls.filter((call) => call.files.length > 0)).toHaveLength(1);
    expect(shop.logLines.filter((line) => line.event === "photo_failed")).toEqual([]);
  });

  it("whose kept file_id Telegram refuses is shown as text, and uploaded again the next time", async () => {
    shop = await startShopHarness();
    const anna = shop.customer(1505);
    await anna.start();
    await anna.pressData("s1.prod.matcha");
    const fileId = anna.last()?.photo?.at(-1)?.file_id;
    await anna.command("menu");
    shop.standIn.failNext("sendPhoto", { error_code: 400, description: "Bad Request: wrong file identifier/HTTP URL specified" });
    await anna.pressData("s1.prod.matcha");
    expect(anna.last()?.photo).toBeUndefined();
    expect(anna.screen().text).toContain("Матча");
    await anna.command("menu");
    await anna.pressData("s1.prod.matcha");
    expect(photoCalls(1505).map((call) => [call.ok, call.payload["photo"] === fileId, call.files.length])).toEqual([
      [true, false, 1],
      [false, true, 0],
      [true, false, 1],
    ]);
    expect(anna.last()?.photo).toBeDefined();
  });
});
