import { autoRetry } from "@grammyjs/auto-retry";
import { Bot, GrammyError, HttpError, InlineKeyboard, InputFile, Keyboard } from "grammy";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buttonsOf, startBotApiStandIn, type BotApiStandIn } from "./botApiStandIn.ts";
import { command, press, privateText, user } from "./telegramUpdates.ts";

const shopToken = "111:shop-secret";
const ownerToken = "222:owner-secret";
const ann = user(7, { first_name: "Ann", username: "ann", language_code: "ru" });

let api: BotApiStandIn;

beforeEach(async () => {
  api = await startBotApiStandIn({ botInfo: { first_name: "Shop" } });
});

afterEach(async () => {
  await api.close();
});

/** A grammY bot talking to the stand-in over HTTP, initialised through a real getMe. */
async function botFor(token = shopToken, timeoutSeconds?: number): Promise<Bot> {
  const bot = new Bot(token, { client: { apiRoot: api.apiRoot, ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}) } });
  await bot.init();
  return bot;
}

async function until(check: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const pendingPoll = (): boolean => api.calls.some((call) => call.method === "getUpdates" && call.ok === undefined);

describe("what the user sees", () => {
  it("shows a sent message, its edit without the keyboard the edit left out, and nothing after deletion", async () => {
    const bot = await botFor();
    const sent = await bot.api.sendMessage(ann.id, "Coffee", { reply_markup: new InlineKeyboard().text("Add", "1.add") });
    expect(api.messages(ann.id)).toMatchObject([{ message_id: sent.message_id, text: "Coffee", from: { id: 111, first_name: "Shop" } }]);
    expect(buttonsOf(api.lastMessage(ann.id))).toEqual([{ text: "Add", callback_data: "1.add" }]);

    await bot.api.editMessageText(ann.id, sent.message_id, "Coffee, added");
    const edited = api.lastMessage(ann.id);
    expect(edited?.text).toBe("Coffee, added");
    expect(edited?.edit_date).toBeTypeOf("number");
    expect(buttonsOf(edited)).toEqual([]);

    await bot.api.deleteMessage(ann.id, sent.message_id);
    expect(api.messages(ann.id)).toEqual([]);
    await expect(bot.api.editMessageText(ann.id, sent.message_id, "again")).rejects.toThrow(/message to edit not found/);
    await expect(bot.api.deleteMessage(ann.id, sent.message_id)).rejects.toThrow(/message to delete not found/);
  });

  it("numbers messages per chat and refuses an identical edit as not modified", async () => {
    const bot = await botFor();
    const first = await bot.api.sendMessage(ann.id, "one");
    const second = await bot.api.sendMessage(ann.id, "two", { reply_markup: new InlineKeyboard().text("Next", "1.next") });
    const elsewhere = await bot.api.sendMessage(8, "other chat");
    expect([first.message_id, second.message_id, elsewhere.message_id]).toEqual([1, 2, 1]);

    const same = { reply_markup: new InlineKeyboard().text("Next", "1.next") };
    await expect(bot.api.editMessageText(ann.id, second.message_id, "two", same)).rejects.toThrow(/message is not modified/);
    await expect(bot.api.editMessageReplyMarkup(ann.id, second.message_id, same)).rejects.toThrow(/message is not modified/);
    await bot.api.editMessageReplyMarkup(ann.id, second.message_id, { reply_markup: new InlineKeyboard().text("Back", "1.back") });
    expect(buttonsOf(api.lastMessage(ann.id))).toEqual([{ text: "Back", callback_data: "1.back" }]);
  });

  it("shows HTML as its visible text with entities", async () => {
    const bot = await botFor();
    await bot.api.sendMessage(ann.id, 'Total: <b>2 &lt; 3</b> &amp; <a href="https://shop.example/c">cart</a> a & b', { parse_mode: "HTML" });
    const shown = api.lastMessage(ann.id);
    expect(shown?.text).toBe("Total: 2 < 3 & cart a & b");
    expect(shown?.entities).toEqual([
      { type: "bold", offset: 7, length: 5 },
      { type: "text_link", offset: 15, length: 4, url: "https://shop.example/c" },
    ]);
    expect(shown?.sent).toMatchObject({ parse_mode: "HTML", text: expect.stringContaining("<b>2 &lt; 3</b>") });
  });

  it("rejects unbalanced tags, an unescaped '<' and unsupported tags in HTML", async () => {
    const bot = await botFor();
    await expect(bot.api.sendMessage(ann.id, "<b>x", { parse_mode: "HTML" })).rejects.toThrow(/can't parse entities: Can't find end tag corresponding to start tag "b"/);
    await expect(bot.api.sendMessage(ann.id, "a < b", { parse_mode: "HTML" })).rejects.toThrow(/can't parse entities: Unsupported start tag "" at byte offset 2/);
    await expect(bot.api.sendMessage(ann.id, "line<br>next", { parse_mode: "HTML" })).rejects.toThrow(/Unsupported start tag "br"/);
    await expect(bot.api.sendMessage(ann.id, "<b><i>x</b></i>", { parse_mode: "HTML" })).rejects.toThrow(/Unmatched end tag/);
    await expect(bot.api.sendMessage(ann.id, "Price: 12.50", { parse_mode: "MarkdownV2" })).rejects.toThrow(/Character '\.' is reserved/);
    expect(api.messages(ann.id)).toEqual([]);
  });

  it("rejects empty and too long texts, oversized callback data, unknown and blocked chats", async () => {
    const bot = await botFor();
    await expect(bot.api.sendMessage(ann.id, "")).rejects.toThrow(/message text is empty/);
    await expect(bot.api.sendMessage(ann.id, "<b> </b>", { parse_mode: "HTML" })).rejects.toThrow(/message text is empty/);
    await expect(bot.api.sendMessage(ann.id, "x".repeat(4097))).rejects.toThrow(/message is too long/);
    // 33 Cyrillic letters are 66 bytes: the limit is in bytes, not characters.
    const wide = new InlineKeyboard().text("Buy", "ж".repeat(33));
    await expect(bot.api.sendMessage(ann.id, "menu", { reply_markup: wide })).rejects.toThrow(/BUTTON_DATA_INVALID/);
    await expect(bot.api.sendMessage(0, "nobody")).rejects.toThrow(/chat not found/);
    await bot.api.sendMessage(ann.id, "x".repeat(4096));

    api.block(ann.id);
    const blocked = await bot.api.sendMessage(ann.id, "still there?").catch((error: unknown) => error);
    expect(blocked).toBeInstanceOf(GrammyError);
    expect(blocked).toMatchObject({ error_code: 403, description: "Forbidden: bot was blocked by the user" });
    expect(api.messages(ann.id)).toHaveLength(1);
  });

  it("knows only the chats it saw when asked to, like Telegram for users who never opened the bot", async () => {
    await api.close();
    api = await startBotApiStandIn({ knownChatsOnly: true });
    const bot = await botFor();
    await expect(bot.api.sendMessage(ann.id, "hello")).rejects.toThrow(/chat not found/);
    api.observe(command(ann, "start"));
    await bot.api.sendMessage(ann.id, "hello");
    expect(api.lastMessage(ann.id)?.chat).toEqual({ id: 7, type: "private", first_name: "Ann", username: "ann" });
  });

  it("lists reply keyboard buttons and tracks the keyboard until it is removed", async () => {
    const bot = await botFor();
    await bot.api.sendMessage(ann.id, "Share your phone", {
      reply_markup: new Keyboard().requestContact("Send my number").row().text("Cancel").resized(),
    });
    expect(buttonsOf(api.lastMessage(ann.id))).toEqual([{ text: "Send my number", request_contact: true }, { text: "Cancel" }]);
    expect(api.replyKeyboard(ann.id)?.keyboard).toHaveLength(2);
    await bot.api.sendMessage(ann.id, "Thanks", { reply_markup: { remove_keyboard: true } });
    expect(api.replyKeyboard(ann.id)).toBeUndefined();
  });

  it("answers a button press on a stored message once, and refuses a second answer", async () => {
    const bot = await botFor();
    bot.callbackQuery("1.add", async (ctx) => {
      await ctx.answerCallbackQuery({ text: "Added to cart" });
      await ctx.editMessageText("Cart: 1 × Coffee", { reply_markup: new InlineKeyboard().text("Checkout", "1.checkout") });
    });
    const menu = await bot.api.sendMessage(ann.id, "Coffee", { reply_markup: new InlineKeyboard().text("Add", "1.add") });
    const update = press(ann, api.lastMessage(ann.id), "Add");
    await bot.handleUpdate(update);

    const queryId = update.callback_query?.id ?? "";
    expect(api.callbackAnswers).toEqual([{ token: shopToken, callback_query_id: queryId, text: "Added to cart" }]);
    expect(api.lastMessage(ann.id)).toMatchObject({ message_id: menu.message_id, text: "Cart: 1 × Coffee" });
    expect(buttonsOf(api.lastMessage(ann.id))).toEqual([{ text: "Checkout", callback_data: "1.checkout" }]);
    await expect(bot.api.answerCallbackQuery(queryId)).rejects.toThrow(/query is too old/);
    expect(() => press(ann, api.lastMessage(ann.id), "Add")).toThrow(/no callback button/);
  });

  it("keeps each bot's chats apart and records which token made each call", async () => {
    const shop = await botFor(shopToken);
    const owner = await botFor(ownerToken);
    expect([shop.botInfo.id, owner.botInfo.id]).toEqual([111, 222]);
    await shop.api.sendMessage(ann.id, "from the shop");
    const owners = await owner.api.sendMessage(ann.id, "from the owner bot");
    const shops = await shop.api.sendMessage(ann.id, "shop again");

    expect([owners.message_id, shops.message_id]).toEqual([1, 2]);
    expect(api.messages(ann.id, shopToken).map((m) => m.text)).toEqual(["from the shop", "shop again"]);
    expect(api.messages(ann.id, ownerToken).map((m) => m.text)).toEqual(["from the owner bot"]);
    expect(api.messages(ann.id).map((m) => m.text)).toEqual(["from the shop", "from the owner bot", "shop again"]);
    expect(api.callsTo("sendMessage").map((call) => call.token)).toEqual([shopToken, ownerToken, shopToken]);
    await expect(owner.api.editMessageText(ann.id, shops.message_id, "hijack")).rejects.toThrow(/message to edit not found/);
  });
});

describe("requests", () => {
  it("reads form-encoded bodies and answers an unknown method with 404", async () => {
    const form = await fetch(`${api.apiRoot}/bot${shopToken}/sendMessage`, { method: "POST", body: new URLSearchParams({ chat_id: "7", text: "via form" }) });
    expect(await form.json()).toMatchObject({ ok: true, result: { chat: { id: 7 }, text: "via form" } });
    expect(api.callsTo("sendMessage")[0]?.payload).toEqual({ chat_id: 7, text: "via form" });

    const unknown = await fetch(`${api.apiRoot}/bot${shopToken}/sendTelepathy`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ ok: false, error_code: 404, description: "Not Found: method not found" });
  });

  it("records a multipart sendPhoto with its file and its decoded fields", async () => {
    const bot = await botFor();
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]);
    const sent = await bot.api.sendPhoto(ann.id, new InputFile(jpeg, "coffee.jpg"), {
      caption: "<b>Coffee</b> 3 &lt; 4",
      parse_mode: "HTML",
      reply_markup: new InlineKeyboard().text("Buy", "1.buy.coffee"),
    });

    const call = api.callsTo("sendPhoto")[0];
    expect(call?.files).toEqual([{ field: "photo", filename: "coffee.jpg", size: 6, head: jpeg, bytes: jpeg }]);
    expect(call?.payload).toMatchObject({ chat_id: 7, parse_mode: "HTML", reply_markup: { inline_keyboard: [[{ text: "Buy", callback_data: "1.buy.coffee" }]] } });
    expect(sent.photo?.at(-1)?.file_size).toBe(6);
    const shown = api.lastMessage(ann.id);
    expect(shown).toMatchObject({ caption: "Coffee 3 < 4", caption_entities: [{ type: "bold", offset: 0, length: 6 }] });
    expect(buttonsOf(shown)).toEqual([{ text: "Buy", callback_data: "1.buy.coffee" }]);

    await expect(bot.api.sendPhoto(ann.id, new InputFile(Buffer.alloc(0), "empty.jpg"))).rejects.toThrow(/file must be non-empty/);
    await expect(bot.api.sendPhoto(ann.id, new InputFile(jpeg), { caption: "<i>oops", parse_mode: "HTML" })).rejects.toThrow(/can't parse entities/);
  });

  it("gives an upload file_ids that the same bot may send again, by sendPhoto or editMessageMedia, and refuses any other file_id", async () => {
    const bot = await botFor();
    const owner = await botFor(ownerToken);
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a]);
    const uploaded = await bot.api.sendPhoto(ann.id, new InputFile(png, "tea.png"));
    const fileId = uploaded.photo.at(-1)?.file_id ?? "";
    expect(fileId).not.toBe("");

    const again = await bot.api.sendPhoto(ann.id, fileId, { caption: "again" });
    expect(again.photo.at(-1)?.file_id).toBe(fileId);
    expect(api.callsTo("sendPhoto").at(-1)?.files).toEqual([]);
    const edited = await bot.api.editMessageMedia(ann.id, again.message_id, { type: "photo", media: new InputFile(png, "other.png"), caption: "edited" });
    const editedId = edited === true ? "" : (edited.photo?.at(-1)?.file_id ?? "");
    expect(api.callsTo("editMessageMedia").at(-1)?.files).toMatchObject([{ field: "media", filename: "other.png", size: 6 }]);
    await bot.api.editMessageMedia(ann.id, again.message_id, { type: "photo", media: fileId, caption: "back" });
    expect(api.lastMessage(ann.id)?.photo?.at(-1)?.file_id).toBe(fileId);
    expect(editedId).not.toBe(fileId);

    await expect(bot.api.sendPhoto(ann.id, "AgACAgIAAxkBAAIBZ2ZneverGiven")).rejects.toThrow("Bad Request: wrong file identifier/HTTP URL specified");
    await expect(owner.api.sendPhoto(ann.id, fileId)).rejects.toThrow("Bad Request: wrong file identifier/HTTP URL specified");
    expect((await bot.api.sendPhoto(ann.id, "https://example.com/tea.jpg")).photo.length).toBe(2);
  });
});

describe("faults", () => {
  it("lets auto-retry ride out a 429 and delivers the message once", async () => {
    const bot = await botFor();
    bot.api.config.use(autoRetry());
    api.failNext("sendMessage", { error_code: 429, description: "Too Many Requests: retry after 1", parameters: { retry_after: 1 } });

    await bot.api.sendMessage(ann.id, "Your order is confirmed");
    expect(api.callsTo("sendMessage").map((call) => call.ok)).toEqual([false, true]);
    expect(api.messages(ann.id).map((m) => m.text)).toEqual(["Your order is confirmed"]);
  });

  it("surfaces a 500 and a dropped connection to a bot without auto-retry", async () => {
    const bot = await botFor();
    api.failNext("sendMessage", { error_code: 500, description: "Internal Server Error" });
    api.failNext("sendMessage", "disconnect");
    await expect(bot.api.sendMessage(ann.id, "one")).rejects.toMatchObject({ error_code: 500 });
    await expect(bot.api.sendMessage(ann.id, "two")).rejects.toBeInstanceOf(HttpError);
    await bot.api.sendMessage(ann.id, "three");
    expect(api.messages(ann.id).map((m) => m.text)).toEqual(["three"]);
  });

  it("applies a slow call the client gave up on, as Telegram may", async () => {
    const bot = await botFor(shopToken, 1);
    api.hangNext("sendMessage", 1_500);
    await expect(bot.api.sendMessage(ann.id, "slow")).rejects.toBeInstanceOf(HttpError);
    expect(api.messages(ann.id)).toEqual([]);
    await until(() => api.messages(ann.id).length === 1);
    expect(api.lastMessage(ann.id)?.text).toBe("slow");
  });
});

describe("long polling", () => {
  it("delivers a pushed update to bot.start(), confirms it, and lets bot.stop() end cleanly", async () => {
    const bot = await botFor();
    bot.on("message:text", (ctx) => ctx.reply(`echo: ${ctx.message.text}`));
    const running = bot.start();
    await until(pendingPoll);

    api.pushUpdate(privateText(ann, "hi"));
    await until(() => api.lastMessage(ann.id)?.text === "echo: hi");
    await bot.stop();
    await expect(running).resolves.toBeUndefined();
    expect(bot.isRunning()).toBe(false);
    expect(await bot.api.getUpdates({ timeout: 0 })).toEqual([]);
    expect(api.messages(ann.id)).toHaveLength(1);
  });

  it("hands updates out from the offset on and numbers those without an id", async () => {
    const bot = await botFor();
    const [one, two] = [privateText(ann, "one").message, privateText(ann, "two").message];
    const first = api.pushUpdate({ message: one });
    const second = api.pushUpdate({ message: two });
    expect(second.update_id).toBe(first.update_id + 1);
    expect((await bot.api.getUpdates()).map((u) => u.message?.text)).toEqual(["one", "two"]);
    expect((await bot.api.getUpdates({ offset: second.update_id })).map((u) => u.message?.text)).toEqual(["two"]);
    expect(await bot.api.getUpdates({ offset: second.update_id + 1 })).toEqual([]);
    expect(() => api.pushUpdate(privateText(ann, "late", first.update_id))).toThrow(/not above the last queued id/);
  });

  it("numbers queued updates above every id the update factories gave, and the factories go on above them", async () => {
    const bot = await botFor();
    const made = privateText(ann, "made by a factory", 1_000);
    const queued = api.pushUpdate({ message: privateText(ann, "queued").message });
    const explicit = api.pushUpdate(privateText(ann, "queued with an id", 5_000));
    expect(queued.update_id).toBeGreaterThan(made.update_id + 1);
    expect(privateText(ann, "later").update_id).toBeGreaterThan(explicit.update_id);
    expect((await bot.api.getUpdates()).map((update) => update.update_id)).toEqual([queued.update_id, 5_000]);
  });

  it("ends an older getUpdates with 409 when a second poller appears", async () => {
    const bot = await botFor();
    const first = bot.api.getUpdates({ timeout: 10 });
    await until(pendingPoll);
    await bot.api.getUpdates({ timeout: 0 });
    await expect(first).rejects.toMatchObject({ error_code: 409 });
  });
});
