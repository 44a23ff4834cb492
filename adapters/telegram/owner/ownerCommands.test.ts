import { afterEach, describe, expect, it } from "vitest";
import { ownerCommandNames, ownerCommands } from "./ownerCommands.ts";
import { buttonStarting, seedCustomers } from "./testing/crmScenario.ts";
import { ownerToken, startOwnerHarness, type OwnerHarness } from "./testing/ownerHarness.ts";

let shop: OwnerHarness;
afterEach(async () => {
  await shop.close();
});

const unknownRu = "🤷 Такой команды нет.";
const unknownEn = "🤷 There is no such command.";

/** What each command shows, by a line of its screen: a command in the menu without a row here fails the test. */
const shows: Readonly<Record<string, { readonly ru: RegExp; readonly en: RegExp }>> = {
  start: { ru: /^👋/, en: /^👋 Owner's desk/ },
  crm: { ru: /^📊 <b>CRM<\/b>|^📊 CRM/, en: /^📊 <b>CRM<\/b>|^📊 CRM/ },
  cancel: { ru: /^📊 <b>CRM<\/b>|^📊 CRM/, en: /^📊 <b>CRM<\/b>|^📊 CRM/ },
  catalog: { ru: /Каталог/, en: /Catalog/ },
  import: { ru: /^📥 Импорт каталога/, en: /^📥 Catalog import/ },
};

describe("the owner bot's command menu", () => {
  it("lists the same handled commands in Russian and English, /catalog and /import among them", async () => {
    shop = await startOwnerHarness({ ownerIds: [100] });
    await ownerCommands(shop.owner.bot.api);
    const ru = shop.standIn.commands({ token: ownerToken });
    const en = shop.standIn.commands({ token: ownerToken, language_code: "en" });
    expect(ru.map((entry) => entry.command)).toEqual(["start", "crm", "catalog", "import", "cancel"]);
    expect(en.map((entry) => entry.command)).toEqual(ru.map((entry) => entry.command));
    for (const entry of [...ru, ...en]) expect(ownerCommandNames).toContain(entry.command);
    expect(new Set(en.map((entry) => entry.description)).size).toBe(en.length);
    expect(en.every((entry, index) => entry.description !== ru[index]?.description)).toBe(true);
  });

  it("handles each listed command, in the owner's language, and says so for a command it does not have", async () => {
    shop = await startOwnerHarness({ ownerIds: [100, 200] });
    await ownerCommands(shop.owner.bot.api);
    const olga = shop.ownerChat(100);
    const emma = shop.ownerChat(200, { first_name: "Emma", language_code: "en" });
    for (const [chat, language, unknown] of [[olga, "ru", unknownRu], [emma, "en", unknownEn]] as const) {
      await chat.command("nosuchcommand");
      expect(chat.screen().text).toMatch(new RegExp(`^${unknown}`));
      expect(chat.screen().buttons).toContain("📊 CRM");
      for (const { command } of shop.standIn.commands({ token: ownerToken, ...(language === "en" ? { language_code: "en" } : {}) })) {
        await chat.command(command);
        const text = chat.screen().text;
        expect(text, `/${command}`).not.toContain(unknown);
        expect(text, `/${command} in ${language}`).toMatch(shows[command]?.[language] ?? /no expected screen for this command/);
      }
    }
  });

  it("takes a listed command typed while a note waits as that command, not as the note", async () => {
    shop = await startOwnerHarness({ ownerIds: [100] });
    await seedCustomers(shop);
    await ownerCommands(shop.owner.bot.api);
    const olga = shop.ownerChat(100);
    for (const { command } of shop.standIn.commands({ token: ownerToken })) {
      await olga.command("crm");
      await olga.press("👥 Последние лиды");
      await olga.press(buttonStarting(olga, "✅ Анна"));
      await olga.press("📝 Заметка");
      await olga.command(command);
      expect(olga.screen().text, `/${command}`).toMatch(shows[command]?.ru ?? /no expected screen for this command/);
      await olga.send(`после /${command}`);
      expect(olga.screen().text, `/${command}`).toContain(`запросу «после /${command}»`);
    }
    expect((await shop.store.lead(501))?.notes).toEqual([]);
    // A note is still taken as typed, a slash and all, when it is no command of the bot.
    await olga.command("crm");
    await olga.press("👥 Последние лиды");
    await olga.press(buttonStarting(olga, "✅ Анна"));
    await olga.press("📝 Заметка");
    await olga.send("/nosuchcommand 50/50");
    expect((await shop.store.lead(501))?.notes.map((note) => note.text)).toEqual(["/nosuchcommand 50/50"]);
  });
});
