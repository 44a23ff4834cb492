import type { Update } from "grammy/types";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import * as updates from "../testing/telegramUpdates.ts";
import { ownerSessionKey } from "./ownerSession.ts";
import { buttonStarting, seedCustomers } from "./testing/crmScenario.ts";
import { startOwnerHarness, type OwnerChat, type OwnerHarness } from "./testing/ownerHarness.ts";

/**
 * The owner's flows live in the owner's session, which grammY writes after the handler. When the
 * process dies after that write but before Telegram got its 200, the owner's note or new tag comes
 * again to a session that has moved on: read again, it would be a search for the note's words. An
 * update already in a customer's log is shown as where the owner is now; one whose session write
 * was lost goes to the flow still waiting for it, whose keyed action records nothing twice.
 */

let shop: OwnerHarness;
let olga: OwnerChat;
beforeEach(async () => {
  shop = await startOwnerHarness({ ownerIds: [100] });
  await seedCustomers(shop);
  olga = shop.ownerChat(100);
  await olga.command("crm");
  await olga.press("👥 Последние лиды");
  await olga.press(buttonStarting(olga, "✅ Анна Смирнова"));
});
afterEach(async () => {
  await shop.close();
});

const notesOf = async (userId: number): Promise<string[]> => ((await shop.store.lead(userId))?.notes ?? []).map((note) => note.text);

describe("an owner's text delivered again", () => {
  it("a note, once saved and the session written, shows the card again instead of searching for its words", async () => {
    await olga.press("📝 Заметка");
    const note: Update = updates.privateText(olga.from, "Анна любит светлую обжарку");
    await olga.deliver(note);
    expect(olga.screen().text).toContain("✅ Заметка сохранена.");
    await olga.deliver(note);
    expect(olga.screen().text).toContain("ID: 501");
    expect(olga.screen().text).not.toContain("Найдено по запросу");
    expect(olga.screen().buttons).toContain("📝 Заметка");
    expect(await notesOf(501)).toEqual(["Анна любит светлую обжарку"]);
    expect(await shop.store.events(501, { types: ["note_added"] })).toHaveLength(1);
  });

  it("a new tag, once added, shows the client's tags again instead of searching for it", async () => {
    await olga.press("🏷 Теги");
    await olga.press("➕ Новый тег");
    const tag: Update = updates.privateText(olga.from, "постоянный");
    await olga.deliver(tag);
    await olga.deliver(tag);
    expect(olga.screen().buttons).toContain("✅ постоянный");
    expect(olga.screen().text).not.toContain("Найдено по запросу");
    expect(await shop.store.events(501, { types: ["tags_changed"] })).toHaveLength(1);
  });

  it("a note whose session write was lost goes to the note still waiting for it, and is saved once", async () => {
    await olga.press("📝 Заметка");
    const waiting = await shop.store.readSession(ownerSessionKey(100));
    const note: Update = updates.privateText(olga.from, "Перезвонить в пятницу");
    await olga.deliver(note);
    // As after a SIGKILL between the note's commit and grammY's session write.
    await shop.store.writeSession(ownerSessionKey(100), waiting ?? "");
    await olga.deliver(note);
    expect(olga.screen().text).toContain("✅ Заметка сохранена.");
    expect(await notesOf(501)).toEqual(["Перезвонить в пятницу"]);
    await olga.send("ещё одна строка");
    expect(await notesOf(501)).toEqual(["Перезвонить в пятницу"]);
  });

  it("a search typed twice is searched twice: a search records nothing, so it is never taken for redelivered", async () => {
    const search: Update = updates.privateText(olga.from, "@anna_k");
    await olga.deliver(search);
    await olga.deliver(search);
    expect(olga.screen().text).toBe("🔍 Найдено по запросу «@anna_k» — стр. 1:");
  });
});
