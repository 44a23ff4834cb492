import type { StorageAdapter } from "grammy";
import { afterEach, describe, expect, it } from "vitest";
import type { ShopSession } from "./shopSession.ts";
import { startShopHarness, type ShopHarness } from "./testing/shopHarness.ts";
import { smallShop, switchableCatalog } from "./testing/switchableCatalog.ts";

/**
 * What a customer did lives in their actor, committed with the event that did it: nothing of it
 * depends on the chat's session being written, so a session lost or rolled back (a crash between
 * two writes, a session backend that failed) loses no cart item, leaves no placed order behind in
 * the cart, and /forget leaves nothing in the session row.
 */

let shop: ShopHarness;
afterEach(async () => {
  await shop.close();
});

/** Session storage that keeps nothing: every write is lost, as if the process died right after the event committed. */
const forgetfulSessions = (): StorageAdapter<ShopSession> => ({
  read: () => undefined,
  write: async () => {},
  delete: async () => {},
});

describe("the customer's actor holds what they did", () => {
  it("keeps an acknowledged add to cart across a restart when the chat's session is never written", async () => {
    shop = await startShopHarness({ catalog: switchableCatalog(smallShop).catalog, sessionStorage: forgetfulSessions });
    const anna = shop.customer(1601);
    await anna.start();
    await anna.pressData("s1.prod.sencha");
    await anna.press("🛒 В корзину");
    expect(anna.toast()).toBe("Добавлено: Сенча (1 шт. в корзине)");
    await shop.restart();
    await anna.command("cart");
    expect(anna.screen().text).toContain("Сенча × 1");
    await anna.pressData("s1.co");
    expect(anna.screen().text).toContain("шаг 1 из 3");
  });

  it("leaves the cart empty and the checkout idle once an order is confirmed, even when the session is rolled back", async () => {
    shop = await startShopHarness({ catalog: switchableCatalog(smallShop).catalog });
    const anna = shop.customer(1602);
    await anna.start();
    await anna.pressData("s1.add.sencha");
    await anna.pressData("s1.co");
    await anna.send("+79991234567");
    await anna.send("Самовывоз");
    const before = await shop.store.readSession("shop:1602");
    await anna.press("✅ Подтвердить заказ");
    if (before !== undefined) await shop.store.writeSession("shop:1602", before);
    const snapshot = await shop.snapshotOf(1602);
    expect(snapshot.value.checkout).toBe("idle");
    expect(snapshot.value.cart).toBe("empty");
    expect(snapshot.context.cart.lines).toEqual([]);
    await anna.command("cart");
    expect(anna.screen().text).toContain("Корзина пуста");
    await anna.send("сенча");
    expect(anna.screen().text).toContain("Найдено по запросу «сенча»");
  });

  it("leaves nothing in the session row after /forget, even when grammY's own delete never runs", async () => {
    shop = await startShopHarness({
      sessionStorage: () => ({
        read: async (key) => {
          const text = await shop.store.readSession(key);
          return text === undefined ? undefined : (JSON.parse(text) as ShopSession);
        },
        write: (key, value) => shop.store.writeSession(key, JSON.stringify(value)),
        // As if the process died right after the erasure committed, before grammY deleted the session.
        delete: async () => {},
      }),
    });
    const anna = shop.customer(1603);
    await anna.start();
    await anna.send("250");
    expect(await shop.store.readSession("shop:1603")).toContain('"ids"');
    await anna.pressData("s1.add.kenya-aa");
    await anna.pressData("s1.co");
    await anna.send("+79991230000");
    await anna.command("forget");
    await anna.press("Да, удалить всё");
    expect(await shop.store.readSession("shop:1603")).toBeUndefined();
    const snapshot = await shop.snapshotOf(1603);
    expect(snapshot.value).toMatchObject({ cart: "empty", checkout: "idle", consultant: "off" });
    expect(snapshot.context.phone).toBeNull();
  });
});
