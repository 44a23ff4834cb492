import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startShopHarness, type ShopCustomer, type ShopHarness } from "./testing/shopHarness.ts";

/**
 * What a customer typed, looked for in the bytes of the SQLite file and its WAL rather than in
 * columns: free pages, old page copies in the WAL and unmerged search index segments all count.
 */

let shop: ShopHarness;
afterEach(async () => {
  await shop.close();
});

/** The values found anywhere in crm.sqlite or crm.sqlite-wal, as UTF-8 bytes. */
function onDisk(dir: string, values: readonly string[]): string[] {
  const files = ["crm.sqlite", "crm.sqlite-wal"].map((name) => join(dir, name)).filter((path) => existsSync(path));
  const bytes = files.map((path) => readFileSync(path));
  return values.filter((value) => bytes.some((content) => content.includes(Buffer.from(value, "utf8"))));
}

/** A few customers browsing, searching and buying, so that pages move and the WAL grows around the one under test. */
async function otherTraffic(shop: ShopHarness, ids: readonly number[]): Promise<void> {
  for (const id of ids) {
    const other = shop.customer(id, { first_name: `Гость${id}` });
    await other.start();
    await other.press("✅ Согласен");
    await other.send("кения");
    await other.pressData("s1.add.kenya-aa");
    await other.pressData("s1.co");
    await other.send(`+7999000${String(id).padStart(4, "0")}`);
    await other.send(`Проспект Гостевой ${id}`);
    await other.press("✅ Подтвердить заказ");
  }
  await shop.runtime.settled();
}

async function checkout(customer: ShopCustomer, phone: string, address: string): Promise<void> {
  await customer.pressData("s1.add.sencha");
  await customer.pressData("s1.co");
  await customer.send(phone);
  await customer.send(address);
  await customer.press("✅ Подтвердить заказ");
}

describe("text typed without consent", () => {
  it("is not kept anywhere in the file: a search records its count, and its pages work from product ids", async () => {
    shop = await startShopHarness();
    const phone = "+79951234567";
    const address = "Тайная улица";
    const anna = shop.customer(1201);
    await anna.start();
    await anna.send(`мой телефон ${phone}, живу: ${address}, 7`);
    expect(anna.screen().text).toContain("Ничего не нашлось");
    await anna.send("250");
    expect(anna.screen().text).toContain("Найдено по запросу «250» — стр. 1 из 2");
    const firstPage = anna.screen().buttons.filter((label) => label.includes("₽"));
    await anna.press("▶️");
    expect(anna.screen().text).toMatch(/стр\. 2 из 2/);
    const secondPage = anna.screen().buttons.filter((label) => label.includes("₽"));
    expect(secondPage.length).toBeGreaterThan(0);
    expect(secondPage).not.toEqual(expect.arrayContaining(firstPage));
    await anna.press("◀️");
    expect(anna.screen().buttons.filter((label) => label.includes("₽"))).toEqual(firstPage);

    await shop.runtime.settled();
    const searches = await shop.store.events(1201, { types: ["search"] });
    expect(searches.map((event) => event.payload)).toEqual([{ results: 0 }, { results: firstPage.length + secondPage.length }]);
    expect(await shop.store.readSession("shop:1201")).not.toContain("250");
    expect(onDisk(shop.dir, [phone, address, "мой телефон"])).toEqual([]);
  });

  it("is kept as a search's query with consent, and /forget takes it out of the file", async () => {
    shop = await startShopHarness();
    const anna = shop.customer(1202);
    await anna.start();
    await anna.press("✅ Согласен");
    await anna.send("Иргачеффе");
    await shop.runtime.settled();
    expect((await shop.store.events(1202, { types: ["search"] })).map((event) => event.payload)).toEqual([{ query: "Иргачеффе", results: 1 }]);
    expect(onDisk(shop.dir, ["Иргачеффе"])).toEqual(["Иргачеффе"]);

    await anna.command("forget");
    await anna.press("Да, удалить всё");
    expect((await shop.store.events(1202, { types: ["search"] })).map((event) => event.payload)).toEqual([{ query: "", results: 1 }]);
    expect(onDisk(shop.dir, ["Иргачеффе"])).toEqual([]);
  });

  it("includes a question typed at the consultant's door: the consultant asks for consent, and the question is nowhere in the file", async () => {
    shop = await startShopHarness();
    const question = "Я живу на Тайной улице, что посоветуете?";
    const anna = shop.customer(1205);
    await anna.start();
    await anna.pressData("s1.ai");
    expect(anna.screen().text).toContain("Консультант — это ИИ");
    await anna.send(question);
    expect(anna.screen().text).toContain("Ничего не нашлось");
    expect(shop.consultant.questions).toEqual([]);
    await shop.runtime.settled();
    expect(await shop.store.readSession("shop:1205")).toBeUndefined();
    expect(onDisk(shop.dir, [question, "Тайной"])).toEqual([]);
  });

  it("pages from a search made before a restart, and says a search from an old session is out of date", async () => {
    shop = await startShopHarness();
    const anna = shop.customer(1203);
    await anna.start();
    await anna.send("250");
    const results = anna.last();
    await shop.restart();
    await anna.pressOn(results, "▶️");
    expect(anna.screen().text).toMatch(/стр\. 2 из 2/);

    await shop.store.writeSession("shop:1204", JSON.stringify({ v: 1, cart: { rev: 0, lines: [] }, checkout: null, consultant: null, consentDeclined: null, lastOrderId: null, lastSearch: "мой адрес Тайная 7" }));
    const boris = shop.customer(1204);
    await boris.command("menu");
    await boris.pressData("s1.sp.6");
    expect(boris.toast()).toBe("Этот поиск устарел. Напишите запрос ещё раз.");
    // A session of an older shape is never read, and the first update that looks at it deletes it.
    expect(await shop.store.readSession("shop:1204")).toBeUndefined();
  });
});

describe("/forget", () => {
  it("leaves no byte of the customer's name, username, phone, address, question or note in the file or its WAL", async () => {
    shop = await startShopHarness();
    const pii = {
      name: "Евдокия",
      username: "evdokia_secret_handle",
      phone: "+79997651234",
      address: "Переулок Потаённый 21",
      question: "Секретный вопрос о пуэре",
      note: "любит пуэр покрепче",
    };
    await otherTraffic(shop, [1301, 1302]);
    const eva = shop.customer(1310, { first_name: pii.name, username: pii.username });
    await eva.start();
    await eva.press("✅ Согласен");
    await eva.pressData("s1.ai");
    await eva.send(pii.question);
    await eva.command("menu");
    await checkout(eva, pii.phone, pii.address);
    await shop.runtime.addNote(1310, pii.note, "owner:note:1310");
    // A checkout left half done: the phone and the address are in the customer's actor too.
    await eva.pressData("s1.add.sencha");
    await eva.pressData("s1.co");
    await eva.send(pii.phone);
    await eva.send(pii.address);
    await otherTraffic(shop, [1303]);
    expect(onDisk(shop.dir, Object.values(pii)).sort()).toEqual(Object.values(pii).sort());

    await eva.command("forget");
    await eva.press("Да, удалить всё");
    expect(eva.messages().some((message) => message.text?.startsWith("Готово. Удалено"))).toBe(true);
    expect(onDisk(shop.dir, Object.values(pii))).toEqual([]);
    await otherTraffic(shop, [1304, 1305]);
    expect(onDisk(shop.dir, Object.values(pii))).toEqual([]);
    expect(await shop.store.readSession("shop:1310")).toBeUndefined();
  });
});
