import type { ShopCustomer, ShopHarness } from "../../shop/testing/shopHarness.ts";

/** The label of the first button of a message that starts with `prefix`. */
export function buttonStarting(chat: Pick<ShopCustomer, "screen">, prefix: string): string {
  const label = chat.screen().buttons.find((text) => text.startsWith(prefix));
  if (!label) throw new Error(`no button starting with ${prefix}: ${JSON.stringify(chat.screen().buttons)}`);
  return label;
}

/**
 * Three customers, brought in through the shop bot as real customers would: Anna consents, asks
 * the consultant, and buys; Boris browses the catalog; Vera only pressed Start.
 */
export async function seedCustomers(shop: ShopHarness) {
  const anna = shop.customer(501, { first_name: "Анна", last_name: "Смирнова", username: "anna_k" });
  await anna.start("instagram_ads");
  await anna.press("✅ Согласен");
  await anna.pressData("s1.ai");
  await anna.send("Что посоветуете <к> десерту?");
  await anna.command("menu");
  await anna.pressData("s1.add.eth-yirgacheffe");
  await anna.pressData("s1.co");
  await anna.shareContact("79991234567");
  await anna.send("Москва, Тверская 1");
  await anna.press("✅ Подтвердить заказ");

  shop.clock.advance(60_000);
  const boris = shop.customer(502, { first_name: "Борис", username: "boris_b" });
  await boris.start();
  await boris.press("🛍 Каталог");

  shop.clock.advance(60_000);
  const vera = shop.customer(503, { first_name: "Вера", username: "vera_v" });
  await vera.start();
  await shop.runtime.settled();
  return { anna, boris, vera };
}
