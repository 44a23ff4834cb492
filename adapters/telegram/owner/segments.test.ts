import { afterEach, describe, expect, it } from "vitest";
import { ownerButtons } from "./ownerButtons.ts";
import type { SegmentAudience } from "./segments.ts";
import { buttonStarting, seedCustomers } from "./testing/crmScenario.ts";
import { startOwnerHarness, type OwnerHarness } from "./testing/ownerHarness.ts";

const outdated = "Эта кнопка устарела. Вот актуальное меню.";

let shop: OwnerHarness;
afterEach(async () => {
  await shop.close();
});

/** The owner bot on SQLite with Анна (a customer with a phone, consented to 2026-01), Борис (tagged «опт», a tag not in OWNER_TAGS) and Вера. */
async function start(handed: SegmentAudience[] = []) {
  shop = await startOwnerHarness({
    ownerIds: [100],
    tagSet: ["vip"],
    segments: { consentVersion: "2026-01", toBroadcast: async (_ctx, audience) => void handed.push(audience) },
  });
  await seedCustomers(shop);
  await shop.dispatch(502, { type: "tags_changed", added: ["опт"], key: "seed:502:tags" });
  await shop.settle();
  const olga = shop.ownerChat(100);
  await olga.command("crm");
  await olga.press("🎯 Сегменты");
  return olga;
}

describe("the owner's segment builder, through the owner bot", () => {
  it("sets conditions with buttons and typed ranges, shows the count and a sample at once, saves, and lists it with its count", async () => {
    const olga = await start();
    expect(olga.screen().text).toContain("Пока ни одного");
    await olga.press("➕ Новый сегмент");
    expect(olga.screen().text).toContain("Подходят: 3");
    expect(olga.screen().text).toMatch(/1\. 🆕 Вера \(@vera_v\) — новый/);
    await olga.press("📶 Стадии");
    await olga.press(buttonStarting(olga, "▫️ ✅"));
    await olga.press("✅ Готово");
    expect(olga.screen().text).toContain("Подходят: 1");
    expect(olga.screen().text).toContain("Анна Смирнова");
    expect(olga.screen().text).not.toContain("Борис");
    await olga.press("Телефон: —");
    expect(olga.screen().buttons).toContain("Телефон: да");
    await olga.press("🧾 Заказы");
    await olga.send("много");
    expect(olga.screen().text).toContain("Не получилось прочитать");
    await olga.send("5-2");
    expect(olga.screen().text).toContain("Не получилось прочитать");
    await olga.send("1-");
    expect(olga.screen().text).toContain("Заказов: от 1");
    expect(olga.screen().text).toContain("Подходят: 1");
    await olga.press("💾 Сохранить");
    await olga.send("   ");
    expect(olga.screen().text).toContain("Имя пустое");
    await olga.send("я".repeat(65));
    expect(olga.screen().text).toContain("Слишком длинное имя: не больше 64 символов");
    expect(await shop.store.savedSegments()).toEqual([]);
    await olga.send("Покупатели с телефоном");
    expect(olga.screen().text).toContain("Сегмент «Покупатели с телефоном» сохранён");
    expect((await shop.store.savedSegments()).map((segment) => [segment.name, segment.filter, segment.by])).toEqual([
      ["Покупатели с телефоном", { stages: ["customer"], hasPhone: true, ordersCount: { min: 1 } }, 100],
    ]);
    await olga.press("📂 Сегменты");
    expect(olga.screen().buttons).toContain("🎯 Покупатели с телефоном (1)");
  });

  it("offers a tag leads have beside OWNER_TAGS, cycles it through any, all and none, reads consent to the current terms, and hands the segment to a broadcast", async () => {
    const handed: SegmentAudience[] = [];
    const olga = await start(handed);
    await olga.press("➕ Новый сегмент");
    await olga.press("🏷 Теги");
    await olga.press("▫️ опт");
    expect(olga.screen().buttons).toContain("🔹 опт");
    await olga.press("✅ Готово");
    expect(olga.screen().text).toContain("Любой из тегов: опт");
    expect(olga.screen().text).toContain("Подходят: 1");
    await olga.press("🏷 Теги");
    await olga.press("🔹 опт");
    await olga.press("✅ опт");
    await olga.press("✅ Готово");
    expect(olga.screen().text).toContain("Ни одного из тегов: опт");
    expect(olga.screen().text).toContain("Подходят: 2");
    await olga.press("Согласие: —");
    expect(olga.screen().text).toContain("Подходят: 1");
    await olga.press("✉️ Рассылка");
    expect(handed).toEqual([{ kind: "built", name: "Новый сегмент", filter: { tags: { none: ["опт"] }, consented: true } }]);
    await olga.press("💾 Сохранить");
    await olga.send("Без опта");
    await olga.press("✉️ Рассылка");
    const id = (await shop.store.savedSegments())[0]?.id;
    expect(handed[1]).toEqual({ kind: "saved", id, name: "Без опта" });
  });

  it("takes the last 7 days from a button and typed dates, resumes a value being typed after a restart, and refuses an impossible date", async () => {
    const olga = await start();
    await olga.press("➕ Новый сегмент");
    await olga.press("👀 Последний визит");
    await olga.press("7 дн");
    expect(olga.screen().text).toContain("Последний визит: от");
    expect(olga.screen().text).toContain("Подходят: 3");
    await olga.press("🆕 Впервые");
    await olga.press("✍️ Ввести даты");
    await shop.restart();
    await olga.send("2026-02-30..2026-03-01");
    expect(olga.screen().text).toContain("Не получилось прочитать");
    await olga.send("..2026-11-22");
    expect(olga.screen().text).toContain("Подходят: 0");
    await olga.press("✉️ Рассылка");
    expect(olga.toast()).toBe("В сегменте никого нет: рассылать некому.");
  });

  it("refuses forged and stale buttons: an unknown stage, tag, flag, period or saved segment, and any press with no builder open", async () => {
    const olga = await start();
    await olga.pressData(ownerButtons.encode("sgf", 1));
    expect(olga.toast()).toBe(outdated);
    expect(olga.screen().text).toContain("Сохранённые сегменты");
    await olga.press("➕ Новый сегмент");
    for (const forged of [ownerButtons.encode("sgst", 99), ownerButtons.encode("sgt", "zzz"), ownerButtons.encode("sgf", 7), ownerButtons.encode("sgd", 1, 5), ownerButtons.encode("sga", 9)]) {
      await olga.pressData(forged);
      expect(olga.toast()).toBe(outdated);
    }
    await olga.pressData(ownerButtons.encode("sgop", 999));
    expect(olga.toast()).toBe("Этого сегмента уже нет.");
    await olga.pressData(ownerButtons.encode("sgdok", 999));
    expect(olga.toast()).toBe("Этого сегмента уже нет.");
    expect(await shop.store.savedSegments()).toEqual([]);
  });

  it("opens a saved segment with its current count, and deletes it after asking", async () => {
    const olga = await start();
    await shop.store.saveSegment({ name: "Новые", filter: { stages: ["new"] }, by: 100, at: shop.clock.now() });
    await olga.command("crm");
    await olga.press("🎯 Сегменты");
    await olga.press("🎯 Новые (1)");
    expect(olga.screen().text).toContain("Сегмент «Новые»");
    expect(olga.screen().text).toContain("Подходят: 1");
    await olga.press("📂 Сегменты");
    await olga.press("🗑");
    expect(olga.screen().text).toContain("Удалить сегмент «Новые»?");
    await olga.press("🗑 Да, удалить");
    expect(olga.screen().text).toContain("Сегмент «Новые» удалён");
    expect(await shop.store.savedSegments()).toEqual([]);
  });
});
