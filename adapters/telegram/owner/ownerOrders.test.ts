import { afterEach, describe, expect, it } from "vitest";
import { orderActor } from "../../../actors/actorLog.port.ts";
import * as updates from "../testing/telegramUpdates.ts";
import { ownerButtons } from "./ownerButtons.ts";
import { shopToken, startOwnerHarness, type OwnerChat, type OwnerHarness } from "./testing/ownerHarness.ts";
import { pay, placePaidOrder } from "./testing/orderScenario.ts";

let shop: OwnerHarness;
afterEach(async () => {
  await shop.close();
});

/** The newest message of an owner's chat that starts with `prefix`. */
function messageStarting(chat: OwnerChat, prefix: string) {
  const found = chat.messages().findLast((message) => (message.text ?? "").startsWith(prefix));
  if (!found) throw new Error(`no message starting with ${prefix}: ${JSON.stringify(chat.messages().map((message) => message.text?.split("\n")[0]))}`);
  return found;
}

/** The types of the order's log, in order. */
async function logOf(harness: OwnerHarness, orderId: string): Promise<string[]> {
  await harness.settle();
  return (await harness.store.actorEvents(orderActor(orderId))).map((event) => event.type);
}

/** What the customer was told in the shop's chat. */
const toldCustomer = (harness: OwnerHarness, userId: number): string[] => harness.standIn.messages(userId, shopToken).map((message) => message.text ?? "");

async function openOrderFromList(olga: OwnerChat, statusButton: string, orderId: string): Promise<void> {
  await olga.command("start");
  await olga.press("🧾 Заказы");
  await olga.press(olga.screen().buttons.find((label) => label.startsWith(statusButton)) ?? statusButton);
  const button = olga.screen().buttons.find((label) => label.includes(orderId));
  if (!button) throw new Error(`no button of ${orderId}: ${JSON.stringify(olga.screen().buttons)}`);
  await olga.press(button);
}

describe("the owner drives an order through its life", () => {
  it("marks a cash order paid, ships it with a tracking note and delivers it, from its notice and its card; the history says who did what and when", async () => {
    shop = await startOwnerHarness({ ownerIds: [100, 101] });
    const orderId = await placePaidOrder(shop, 501, { key: "a" });
    const olga = shop.ownerChat(100);
    const notice = messageStarting(olga, "🛒 Новый заказ");
    expect(notice.text).toContain("Статус: 🆕 новый");
    expect(notice.text).toContain("Оплата: 💵 при получении");
    expect(shop.standIn.buttonsOf(notice).map((button) => button.text)).toEqual(["💵 Оплачен", "📦 Отправлен", "✖️ Отменить", "🧾 Заказ", "👤 Открыть карточку"]);

    await olga.pressOn(notice, "💵 Оплачен");
    expect(olga.toast()).toBe(`✅ Заказ ${orderId} отмечен оплаченным.`);
    expect(olga.screen().text).toMatch(new RegExp(`^✅ Заказ ${orderId} отмечен оплаченным\\.\\n\\n🛒 Новый заказ ${orderId} на 890\\s₽\\nСтатус: 💳 оплачен`));
    expect(olga.screen().buttons).toEqual(["📦 Отправлен", "✖️ Отменить", "↩️ Вернуть деньги", "🧾 Заказ", "👤 Открыть карточку"]);

    shop.clock.advance(60 * 60_000);
    await openOrderFromList(olga, "💳 Оплачены · 1", orderId);
    expect(olga.screen().text).toMatch(new RegExp(`^🧾 Заказ ${orderId} на 890\\s₽\\nСтатус: 💳 оплачен\\nКлиент: Анна Смирнова \\(@user501\\)`));
    await olga.press("📦 Отправлен");
    expect(olga.screen()).toEqual({
      text: `📦 Заказ ${orderId} отправлен? Пришлите трек-номер или короткую заметку для клиента (до 300 символов) — или пропустите.`,
      buttons: ["⏭ Пропустить", "✖️ Отмена"],
    });
    await olga.send("СДЭК 1234 <5678>");
    expect(olga.screen().text).toMatch(new RegExp(`^✅ Заказ ${orderId} отправлен\\.\\n\\n🧾 Заказ ${orderId}`));
    expect(olga.screen().text).toContain("Трек: СДЭК 1234 <5678>");
    expect(olga.screen().buttons).toEqual(["✅ Доставлен", "👤 Клиент", "◀️ Назад"]);

    shop.clock.advance(24 * 60 * 60_000);
    await olga.press("✅ Доставлен");
    const card = olga.screen().text;
    expect(card).toContain("Статус: ✅ доставлен");
    for (const line of [
      "• 23.11.2026, 13:00 🆕 оформлен · клиент",
      "• 23.11.2026, 13:00 💵 отмечен оплаченным · владелец",
      "• 23.11.2026, 14:00 📦 отправлен «СДЭК 1234 <5678>» · владелец",
      "• 24.11.2026, 14:00 ✅ доставлен · владелец",
      "Оплачен: 23.11.2026, 13:00",
      "Отправлен: 23.11.2026, 14:00",
      "Доставлен: 24.11.2026, 14:00",
    ]) {
      expect(card).toContain(line);
    }
    expect(olga.screen().buttons).toEqual(["↩️ Вернуть деньги", "👤 Клиент", "◀️ Назад"]);
    await olga.press("◀️ Назад");
    expect(olga.screen().text).toMatch(/^💳 Оплачены — стр\. 1\n\nЗдесь пока пусто\./);

    expect(await logOf(shop, orderId)).toEqual(["order_placed", "marked_paid", "shipped", "delivered"]);
    const row = await shop.store.order(orderId);
    expect(row).toMatchObject({ status: "delivered", tracking: "СДЭК 1234 <5678>" });
    expect(toldCustomer(shop, 501)).toEqual([`Order ${orderId}: paid`, `Order ${orderId}: shipped [СДЭК 1234 <5678>]`, `Order ${orderId}: delivered`]);

    // The other owner's notice follows the order, with no message of its own for the owners' moves.
    const boris = shop.ownerChat(101);
    expect(boris.messages()).toHaveLength(1);
    expect(boris.messages()[0]?.text).toContain("Статус: ✅ доставлен");
    expect(shop.standIn.buttonsOf(boris.messages()[0]).map((button) => button.text)).toEqual(["↩️ Вернуть деньги", "🧾 Заказ", "👤 Открыть карточку"]);
  });
});
