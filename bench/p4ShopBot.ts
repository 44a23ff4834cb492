/**
 * P4: shop-bot updates per second on a realistic mix (/start, catalog, category, product, add to
 * cart, checkout with phone and delivery), divided by a bare grammY bot that echoes the same
 * updates, both through the same in-process Bot API stand-in over HTTP, in the same run.
 */
import { Bot, type Context } from "grammy";
import type { Update } from "grammy/types";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CustomerRuntime } from "../actors/customerRuntime.ts";
import type { CrmStore } from "../actors/store.port.ts";
import { startApp } from "../adapters/app.ts";
import { loadConfig } from "../adapters/config.ts";
import { shopButtons } from "../adapters/telegram/shop/shopButtons.ts";
import { startBotApiStandIn, testBotInfo, type BotApiStandIn } from "../adapters/telegram/testing/botApiStandIn.ts";
import { best, perSecond, round, type Figure } from "./figures.ts";

const chats = 300;
const concurrentChats = 50;
const rounds = 5;
const token = "7010:AAH-p4-bench-token-not-a-real-one";
const botInfo = testBotInfo({ id: 7010, first_name: "Bench", username: "bench_bot" });

/** One customer's updates, in order: what a shopper who starts checking out sends. */
export function journey(chatId: number, firstUpdateId: number): Update[] {
  const from = { id: chatId, is_bot: false, first_name: "Покупатель", language_code: "ru" };
  const chat = { id: chatId, type: "private" as const, first_name: "Покупатель" };
  const date = 1_790_000_000;
  let updateId = firstUpdateId;
  let messageId = 500_000;
  const text = (body: string): Update => {
    const entities = body.startsWith("/") ? [{ type: "bot_command" as const, offset: 0, length: body.split(" ")[0]?.length ?? 0 }] : undefined;
    return { update_id: updateId++, message: { message_id: messageId++, date, chat, from, text: body, ...(entities ? { entities } : {}) } };
  };
  // Buttons are pressed on the bot's first message in the chat (the menu); its id is known once
  // the bot has sent it, so `shopRate` fills it in.
  const menuId = 0;
  const press = (data: string): Update => ({
    update_id: updateId++,
    callback_query: { id: `${chatId}-${updateId}`, from, chat_instance: String(chatId), data, message: { message_id: menuId, date, chat, from: botInfo, text: "menu" } },
  });
  const start = text("/start bench");
  messageId += 100;
  return [
    start,
    press(shopButtons.encode("cats")),
    press(shopButtons.encode("cat", "coffee", 0)),
    press(shopButtons.encode("prod", "kenya-aa")),
    press(shopButtons.encode("add", "kenya-aa")),
    press(shopButtons.encode("co")),
    { update_id: updateId++, message: { message_id: messageId++, date, chat, from, contact: { phone_number: "79991234567", first_name: "Покупатель", user_id: chatId } } },
    text("Москва, Тверская 1"),
  ];
}

function allJourneys(round: number): Update[][] {
  return Array.from({ length: chats }, (_, index) => journey(1_000_000 + round * 10_000 + index, round * 100_000 + index * 10));
}

/** Updates per second: chats in parallel (as the runner does), each chat's updates in order. */
async function throughput(handle: (update: Update) => Promise<void>, journeys: readonly Update[][]): Promise<number> {
  const queue = [...journeys];
  const count = journeys.reduce((sum, updates) => sum + updates.length, 0);
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrentChats }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        for (const update of next) await handle(update);
      }
    }),
  );
  return count / ((performance.now() - t0) / 1000);
}

/**
 * The shop as `npm start` composes it (adapters/app.ts `startApp`): a SQLite file, the catalog
 * seeded from the sample into the store and read from it, the customer and order actors with their
 * timer scheduler and effect worker running, the JSON log (its lines formatted, then dropped), and
 * the runner polling the stand-in. Updates are handed to the shop bot's `handleUpdate`, as the
 * echo bot's are.
 */
async function startShop(standIn: BotApiStandIn, dir: string) {
  const loaded = loadConfig({ SHOP_BOT_TOKEN: token, TELEGRAM_API_ROOT: standIn.apiRoot, DATABASE_PATH: join(dir, "crm.sqlite") });
  if (!loaded.ok) throw new Error(`P4: ${loaded.problems.join("; ")}`);
  const parts: { bot?: Bot<Context>; runtime?: CustomerRuntime; store?: CrmStore } = {};
  const app = await startApp(loaded.config, {
    writeLog: () => undefined,
    sheets: false,
    wrapBot: (name, bot) => {
      if (name === "shop") parts.bot = bot;
    },
    onActors: ({ runtime, queues }) => {
      parts.runtime = runtime;
      parts.store = queues;
    },
  });
  const { bot, runtime, store } = parts;
  if (!bot || !runtime || !store) throw new Error("P4: npm start's composition gave no shop bot or actors");
  return { app, bot, runtime, store };
}

export async function shopRate(standIn: BotApiStandIn, round: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "crm-bench-p4-"));
  const { app, bot, runtime, store } = await startShop(standIn, dir);
  try {
    const journeys = allJourneys(round);
    for (const updates of journeys) for (const update of updates) standIn.observe(update);
    const menus = new Map<number, number>();
    const rate = await throughput((update) => {
      const message = update.callback_query?.message;
      if (message) {
        let id = menus.get(message.chat.id);
        if (id === undefined) {
          id = standIn.messages(message.chat.id, token)[0]?.message_id ?? 0;
          menus.set(message.chat.id, id);
        }
        message.message_id = menus.get(message.chat.id) ?? 0;
      }
      return bot.handleUpdate(update);
    }, journeys);
    await runtime.settled();
    const reached = await Promise.all(journeys.map(async ([first]) => (await store.events(first?.message?.chat.id ?? 0, { types: ["delivery_given"] })).length === 1));
    const finished = reached.filter(Boolean).length;
    if (finished !== journeys.length) throw new Error(`P4: ${finished} of ${journeys.length} chats reached the delivery step`);
    return rate;
  } finally {
    await app.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The baseline: a bare grammY bot that echoes each update (a button press is answered, then echoed). */
export async function echoRate(standIn: BotApiStandIn, round: number): Promise<number> {
  const bot = new Bot(token, { botInfo, client: { apiRoot: standIn.apiRoot } });
  bot.on("callback_query:data", async (ctx) => {
    await ctx.answerCallbackQuery();
    await ctx.reply(ctx.callbackQuery.data);
  });
  bot.on("message", (ctx) => ctx.reply(ctx.message.text ?? "📎"));
  await bot.init();
  const journeys = allJourneys(round + 50);
  for (const updates of journeys) for (const update of updates) standIn.observe(update);
  return throughput((update) => bot.handleUpdate(update), journeys);
}

export async function p4(): Promise<Figure[]> {
  const standIn = await startBotApiStandIn({ botInfo });
  try {
    const shop: number[] = [];
    const echo: number[] = [];
    const calls = { shop: 0, echo: 0 };
    // Best of 5 on each side, interleaved: this shared 2-core machine's noise moves single runs by ±10%.
    for (let round = 0; round < rounds; round++) {
      echo.push(await echoRate(standIn, round));
      calls.echo = standIn.calls.length;
      standIn.clear();
      shop.push(await shopRate(standIn, round));
      calls.shop = standIn.calls.length;
      standIn.clear();
    }
    const ratio = best(shop) / best(echo);
    return [
      {
        id: "P4",
        what: "shop-bot updates/s (start, catalog, product, cart, checkout) ÷ a bare grammY echo bot, same stand-in",
        value: round(ratio, 2),
        unit: "ratio",
        bar: ">= 0.5",
        detail: `shop ${perSecond(best(shop))} upd/s (every chat's log checked to reach delivery_given), echo ${perSecond(best(echo))} upd/s (best of ${rounds}; ${chats} chats × 8 updates, ${concurrentChats} chats at a time; Bot API calls per update: shop ${round(calls.shop / (chats * 8), 2)}, echo ${round(calls.echo / (chats * 8), 2)})`,
      },
    ];
  } finally {
    await standIn.close();
  }
}
