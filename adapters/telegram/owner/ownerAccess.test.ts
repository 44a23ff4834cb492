import { afterEach, beforeEach, describe, expect, it } from "vitest";
import * as updates from "../testing/telegramUpdates.ts";
import { ownerToken, startOwnerHarness, type OwnerHarness } from "./testing/ownerHarness.ts";
import { ownerButtons, tagHash } from "./ownerButtons.ts";
import { seedCustomers } from "./testing/crmScenario.ts";

let shop: OwnerHarness;
beforeEach(async () => {
  shop = await startOwnerHarness({ ownerIds: [100] });
});
afterEach(async () => {
  await shop.close();
});

const refusal = "Извините, этот бот — рабочий инструмент владельца магазина. Доступа у вас нет.";

describe("who gets into the owner bot", () => {
  it("gives a stranger one polite refusal per attempt and 0 bytes of CRM data, for every screen and forged button", async () => {
    await seedCustomers(shop);
    const before = JSON.stringify(await shop.store.lead(501));
    const stranger = shop.ownerChat(666, { first_name: "Мэллори", username: "mallory" });
    const olga = shop.ownerChat(100);
    await olga.command("crm");
    const ownersMessage = olga.last();
    if (!ownersMessage) throw new Error("the owner saw nothing");

    for (const name of ["start", "menu", "crm", "cancel"]) await stranger.command(name);
    for (const text of ["@anna_k", "501", "+79991234567", "Анна"]) await stranger.send(text);
    await stranger.sticker();
    const day = "2026-11-23";
    const forged = [
      ownerButtons.encode("menu"),
      ownerButtons.encode("crm"),
      ownerButtons.encode("fun"),
      ownerButtons.encode("leads", 0),
      ownerButtons.encode("card", 501),
      ownerButtons.encode("hist", 501, 0),
      ownerButtons.encode("note", 501),
      ownerButtons.encode("ncan"),
      ownerButtons.encode("tags", 501),
      ownerButtons.encode("tag", 501, tagHash("vip")),
      ownerButtons.encode("tnew", 501),
      ownerButtons.encode("tcan", 501),
      ownerButtons.encode("ai", 501),
      ownerButtons.encode("airt", 501),
      ownerButtons.encode("orders"),
      ownerButtons.encode("rep", day),
      ownerButtons.encode("srch"),
      ownerButtons.encode("sp", 0),
      ownerButtons.encode("scan"),
      ownerButtons.encode("back"),
      "garbage",
    ];
    // Presses on a message of the stranger's own chat, and on a copy of the owner's message.
    await stranger.send("привет");
    for (const data of forged) {
      await stranger.deliver(updates.callback(stranger.from, data, stranger.last() ?? ownersMessage));
      await stranger.deliver(updates.callback(stranger.from, data, { ...ownersMessage, chat: { id: 666, type: "private", first_name: "Мэллори" } }));
    }

    const seen = stranger.messages().map((message) => message.text);
    expect(seen.length).toBe(10);
    expect(new Set(seen)).toEqual(new Set([refusal]));
    const answers = shop.standIn.callbackAnswers.filter((answer) => answer.token === ownerToken && shop.standIn.calls.some((call) => call.method === "answerCallbackQuery" && call.payload["callback_query_id"] === answer.callback_query_id));
    const strangers = answers.slice(-forged.length * 2);
    expect(strangers.map((answer) => answer.text)).toEqual(forged.flatMap(() => [refusal, refusal]));
    const everything = JSON.stringify(shop.standIn.calls.filter((call) => call.token === ownerToken && Number(call.payload["chat_id"]) === 666));
    for (const secret of ["Анна", "anna_k", "501", "79991234567", "890", "Вера", "Борис"]) expect(everything).not.toContain(secret);
    expect(shop.standIn.calls.filter((call) => call.token === ownerToken && ["editMessageText", "editMessageReplyMarkup", "deleteMessage"].includes(call.method) && Number(call.payload["chat_id"]) === 666)).toEqual([]);
    expect(JSON.stringify(await shop.store.lead(501))).toBe(before);
    expect(await shop.store.readSession("owner:666")).toBeUndefined();
    expect(shop.logLines.filter((line) => line.event === "owner_refused" && line.fields["userId"] === 666).length).toBe(10 + forged.length * 2);
  });

  it("answers a stale or unknown button as out of date, and shows the menu again", async () => {
    const olga = shop.ownerChat(100);
    await olga.command("start");
    for (const data of ["o0.crm", "s1.cart", "o1.card.x", "o1.rep.2026-13-45", "o1.rep.2999-01-01"]) {
      await olga.pressData(data);
      expect(olga.toast(), data).toBe("Эта кнопка устарела. Вот актуальное меню.");
      expect(olga.screen().buttons.some((label) => label === "📊 CRM" || label === "📈 Воронка"), data).toBe(true);
    }
    await olga.pressData(ownerButtons.encode("card", 999_999));
    expect(olga.toast()).toBe("Такого клиента нет.");
  });

  it("stays silent in groups", async () => {
    const olga = updates.user(100, { first_name: "Ольга" });
    await shop.deliverToOwnerBot(updates.groupText(olga, "/crm", { id: -500 }));
    expect(shop.standIn.messages(-500, ownerToken)).toEqual([]);
  });
});
