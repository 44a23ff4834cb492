/**
 * P9_precheckout_ms: the p99 time from Telegram sending a `pre_checkout_query` to the shop bot's
 * `answerPreCheckoutQuery`, with 200 customers paying with Stars at once. The shop is `npm start`'s
 * own entry in a child process (long polling, a SQLite file, the catalog seeded from the sample into
 * the store, order actors on, `PAYMENTS=stars,cash`); Telegram is the Bot API stand-in in this
 * process, which times each answer on a monotonic clock.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Message, Update, User } from "grammy/types";
import { readCatalogFile } from "../adapters/catalog/jsonCatalog.ts";
import { sampleCatalogPath } from "../adapters/config.ts";
import { openSqliteStore } from "../adapters/sqlite/sqliteStore.ts";
import { logLines, mainPath, startMain, until, type StartedMain } from "../adapters/testing/npmStart.ts";
import { shopButtons, type ShopButton } from "../adapters/telegram/shop/shopButtons.ts";
import { startBotApiStandIn, type BotApiStandIn } from "../adapters/telegram/testing/botApiStandIn.ts";
import * as updates from "../adapters/telegram/testing/telegramUpdates.ts";
import { percentile, round, type Figure } from "./figures.ts";

export const payingCustomers = 200;
const token = "7090:AAH-p9-bench-token-not-a-real-one";
const starPrice = "1.8";
/** How long a setup step may take for all customers before the run is called broken. */
const stepMs = 120_000;

/** The sample's products without stock tracking: the customers' orders never run out. */
function untrackedProducts(): string[] {
  const ids = readCatalogFile(sampleCatalogPath).products.filter((product) => product.stock === undefined).map((product) => product.id);
  if (ids.length === 0) throw new Error("P9: the sample catalog has no product without stock tracking");
  return ids;
}

/** The newest message in the chat with a button this predicate takes, and that button's decoded data. */
function findButton(standIn: BotApiStandIn, chatId: number, wanted: (button: ShopButton) => boolean): { message: Message; button: ShopButton; data: string } | undefined {
  for (const message of standIn.messages(chatId, token).toReversed()) {
    for (const { callback_data: data } of standIn.buttonsOf(message)) {
      const button = shopButtons.decode(data);
      if (data !== undefined && button && wanted(button)) return { message, button, data };
    }
  }
  return undefined;
}

/** The customer presses the newest button this predicate takes. */
function press(standIn: BotApiStandIn, chat: User, wanted: (button: ShopButton) => boolean): { update: Update; button: ShopButton } {
  const found = findButton(standIn, chat.id, wanted);
  if (!found) throw new Error(`P9: chat ${chat.id} shows no such button`);
  return { update: updates.callback(chat, found.data, found.message), button: found.button };
}

/** Queues each chat's updates (the runner takes one update per chat at a time, in order), then waits until every chat shows `done`. */
async function step(standIn: BotApiStandIn, what: string, chats: readonly User[], updatesOf: (chat: User) => Update[], done: (chat: User) => boolean): Promise<void> {
  for (const chat of chats) for (const update of updatesOf(chat)) standIn.pushUpdate(update, { token });
  await until(() => chats.every(done), `${what} in all ${chats.length} chats`, stepMs);
}

/**
 * Every customer goes through the bot's checkout: /start, a product into the cart, the checkout
 * with a phone and a delivery, confirm, and "Telegram Stars"; the order's invoice is sent by its
 * effect. Returns each customer's order id.
 */
export async function starsOrdersThroughTheBot(standIn: BotApiStandIn, chats: readonly User[]): Promise<Map<number, string>> {
  const products = untrackedProducts();
  await step(standIn, "the greeting", chats, (chat) => [updates.command(chat, "start", "p9")], (chat) => standIn.messages(chat.id, token).length > 0);
  const first = (chat: User): Message => {
    const message = standIn.messages(chat.id, token)[0];
    if (!message) throw new Error(`P9: no greeting in chat ${chat.id}`);
    return message;
  };
  const isConfirm = (button: ShopButton) => button.action === "ok";
  await step(
    standIn,
    "the summary",
    chats,
    (chat) => [
      updates.callback(chat, shopButtons.encode("add", products[chat.id % products.length] ?? ""), first(chat)),
      updates.callback(chat, shopButtons.encode("co"), first(chat)),
      updates.privateText(chat, "+79991234567"),
      updates.privateText(chat, "Самовывоз"),
    ],
    (chat) => findButton(standIn, chat.id, isConfirm) !== undefined,
  );
  const orderIds = new Map<number, string>();
  const confirm = (chat: User): Update[] => {
    const { update, button } = press(standIn, chat, isConfirm);
    if (button.action === "ok") orderIds.set(chat.id, button.args[0]);
    return [update];
  };
  const isStars = (button: ShopButton) => button.action === "pm" && button.args[1] === "stars";
  await step(standIn, "the payment question", chats, confirm, (chat) => findButton(standIn, chat.id, isStars) !== undefined);
  const invoiced = (chat: User) => standIn.payments.invoices.some((invoice) => invoice.chatId === chat.id && invoice.payload === orderIds.get(chat.id));
  await step(standIn, "the invoice", chats, (chat) => [press(standIn, chat, isStars).update], invoiced);
  return orderIds;
}

/** `npm start` (its command line: the entry with `--max-semi-space-size=16`) against the stand-in, taking Stars. */
async function startShop(standIn: BotApiStandIn, dir: string): Promise<StartedMain> {
  const env = { SHOP_BOT_TOKEN: token, TELEGRAM_API_ROOT: standIn.apiRoot, DATABASE_PATH: join(dir, "crm.sqlite"), PAYMENTS: "stars,cash", STAR_PRICE: starPrice };
  const main = startMain(env, dir, { nodeArgs: ["--max-semi-space-size=16"] });
  let exited = false;
  void main.exited.then(() => (exited = true));
  await until(() => main.output().includes('"event":"started"') || exited, `the started line of ${mainPath}`, 30_000);
  if (exited) throw new Error(`P9: npm start did not start: ${main.errors().slice(0, 300)}`);
  return main;
}

/** Throws unless every customer's order is `paid` in the store `npm start` left behind. */
async function checkPaid(path: string, orderIds: ReadonlyMap<number, string>): Promise<void> {
  const store = openSqliteStore({ path });
  try {
    const statuses = await Promise.all([...orderIds.values()].map(async (orderId) => (await store.order(orderId))?.status ?? "missing"));
    const unpaid = statuses.filter((status) => status !== "paid");
    if (unpaid.length > 0) throw new Error(`P9: ${unpaid.length} of ${orderIds.size} orders did not end paid (${[...new Set(unpaid)].join(", ")})`);
  } finally {
    await store.close();
  }
}

/** P9_precheckout_ms: 200 Stars payments at once through the stand-in, each order awaiting payment, to npm start. */
export async function p9Precheckout(count = payingCustomers): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), "crm-bench-p9-pay-"));
  const standIn = await startBotApiStandIn({ botInfo: { username: "p9_shop_bot", first_name: "P9" } });
  let main: StartedMain | undefined;
  try {
    main = await startShop(standIn, dir);
    const chats = Array.from({ length: count }, (_, i) => updates.user(9_100_001 + i, { first_name: `Покупатель ${i + 1}`, language_code: "ru" }));
    const orderIds = await starsOrdersThroughTheBot(standIn, chats);
    const invoices = chats.map((chat) => standIn.payments.invoices.find((invoice) => invoice.chatId === chat.id && invoice.payload === orderIds.get(chat.id)));
    const queriesBefore = standIn.payments.preCheckoutQueries.length;

    const started = performance.now();
    const outcomes = await Promise.all(chats.map((chat, i) => standIn.pay(chat.id, invoices[i]?.messageId ?? 0, { token })));
    const shop = main;
    await until(() => logLines(shop.output(), "payment_received").length >= count, `${count} payments applied`, stepMs);
    const allPaidMs = performance.now() - started;

    const refused = outcomes.filter((outcome) => outcome.outcome !== "paid");
    if (refused.length > 0) throw new Error(`P9: ${refused.length} of ${count} payments did not go through (${[...new Set(refused.map((outcome) => outcome.outcome))].join(", ")})`);
    main.kill("SIGTERM");
    const exited = await main.exited;
    main = undefined;
    if (exited.code !== 0) throw new Error(`P9: npm start exited with ${exited.code ?? exited.signal}: ${exited.stderr.slice(0, 300)}`);
    await checkPaid(join(dir, "crm.sqlite"), orderIds);

    const samples = standIn.payments.preCheckoutQueries.slice(queriesBefore).map((query) => query.answer?.latencyMs ?? Number.POSITIVE_INFINITY);
    if (samples.length !== count) throw new Error(`P9: ${samples.length} pre-checkout queries for ${count} payments`);
    const p99 = percentile(samples, 0.99);
    return [
      {
        id: "P9_precheckout_ms",
        what: "p99 pre_checkout_query → answerPreCheckoutQuery, 200 customers paying with Stars at once (npm start, long polling)",
        value: round(p99, 0),
        unit: "ms",
        bar: "<= 1000",
        detail:
          `p50 ${round(percentile(samples, 0.5), 1)} ms, p99 ${round(p99, 1)} ms, max ${round(Math.max(...samples), 1)} ms over ${samples.length} queries, all answered ok in time; ` +
          `all ${count} orders paid in the store ${Math.round(allPaidMs)} ms after the first query (orders placed through the bot's checkout; SQLite, PAYMENTS=stars,cash, STAR_PRICE=${starPrice})`,
      },
    ];
  } finally {
    main?.kill("SIGKILL");
    await main?.exited;
    await standIn.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
