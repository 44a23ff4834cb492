import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Update, User } from "grammy/types";
import { afterEach, describe, expect, it } from "vitest";
import { startChatCompletionsStandIn, standInApiKey, type ChatCompletionsStandIn } from "./openai/testing/chatCompletionsStandIn.ts";
import { startBotApiStandIn, type BotApiStandIn } from "./telegram/testing/botApiStandIn.ts";
import * as updates from "./telegram/testing/telegramUpdates.ts";
import { startMain, until, type StartedMain } from "./testing/npmStart.ts";

/**
 * `/forget` against the real `npm start` entry: once the customer has the answer, no byte of what
 * they gave is left in the store's files, while the process runs, after more traffic, and after a
 * SIGKILL (no graceful stop, so no checkpoint on close). The files are read, not the columns.
 */

const token = "7021:AAH-forget-test-token-not-real_12";
const ownerToken = "7023:AAH-forget-owner-token-not-real";
const ownerId = 100;

type StoreKind = "sqlite" | "json";

let dir: string;
let standIn: BotApiStandIn | undefined;
let openAi: ChatCompletionsStandIn | undefined;
let main: StartedMain | undefined;
afterEach(async () => {
  main?.kill("SIGKILL");
  await main?.exited;
  await standIn?.close();
  await openAi?.close();
  main = undefined;
  standIn = undefined;
  openAi = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** The files a store keeps: the SQLite file and its WAL, or every file of the JSON store's folder. */
function storeFiles(kind: StoreKind): string[] {
  if (kind === "sqlite") return ["crm.sqlite", "crm.sqlite-wal"].map((name) => join(dir, name)).filter((path) => existsSync(path));
  return readdirSync(join(dir, "json"), { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

/** The values found anywhere in the store's files, as UTF-8 bytes. */
function onDisk(kind: StoreKind, values: readonly string[]): string[] {
  const bytes = storeFiles(kind).map((path) => readFileSync(path));
  return values.filter((value) => bytes.some((content) => content.includes(Buffer.from(value, "utf8"))));
}

const pii = {
  name: "Евдокия",
  username: "evdokia_secret_handle",
  phone: "+79997651234",
  address: "Переулок Потаённый 21",
  question: "Секретный вопрос о пуэре",
  note: "любит пуэр покрепче",
};
const eva = updates.user(1310, { first_name: pii.name, username: pii.username, language_code: "ru" });

/** `npm start` with both bots and the consultant on local stand-ins, and what a test does with it. */
async function startProduct(kind: StoreKind) {
  dir = mkdtempSync(join(tmpdir(), "forget-on-disk-"));
  const api = await startBotApiStandIn({ botInfo: { username: "forget_bot", first_name: "Лавка" } });
  standIn = api;
  openAi = await startChatCompletionsStandIn({ reply: "Советую шу пуэр." });
  const store: Record<string, string> = kind === "sqlite" ? { DATABASE_PATH: join(dir, "crm.sqlite") } : { STORE: "json", JSON_STORE_DIR: join(dir, "json") };
  const started = startMain(
    { SHOP_BOT_TOKEN: token, OWNER_BOT_TOKEN: ownerToken, OWNER_IDS: String(ownerId), TELEGRAM_API_ROOT: api.apiRoot, OPENAI_API_KEY: standInApiKey, OPENAI_BASE_URL: openAi.baseURL, ...store },
    dir,
  );
  main = started;
  await until(() => started.output().includes('"event":"started"'), "the started line");

  const handled = (update: Update) => until(() => new RegExp(`"updateId":${update.update_id}[,}]`).test(started.output()), `update ${update.update_id} handled`);
  /** Queues an update for one bot and waits until the process logged it as handled. */
  const send = async (update: Update, bot = token): Promise<void> => handled(api.pushUpdate(update, { token: bot }));
  const screen = (chat: number, bot = token) => api.viewedMessage(chat, bot);
  const press = (who: User, label: string, bot = token) => send(updates.press(who, api.messageWithButton(who.id, bot, label), label), bot);
  const pressData = async (who: User, data: string): Promise<void> => {
    const message = screen(who.id);
    if (!message) throw new Error("no message to press on");
    await send(updates.callback(who, data, message));
  };
  async function fillCheckout(who: User, phone: string, address: string): Promise<void> {
    await pressData(who, "s1.add.sencha");
    await pressData(who, "s1.co");
    await send(updates.privateText(who, phone));
    await send(updates.privateText(who, address));
  }
  async function otherCustomers(ids: readonly number[]): Promise<void> {
    for (const id of ids) {
      const other = updates.user(id, { first_name: `Гость${id}`, username: `guest_${id}` });
      await send(updates.command(other, "start"));
      await press(other, "✅ Согласен");
      await send(updates.privateText(other, "кения"));
      await fillCheckout(other, `+7999000${id}`, `Проспект Гостевой ${id}`);
      await press(other, "✅ Подтвердить заказ");
    }
  }
  return { api, started, handled, send, screen, press, fillCheckout, otherCustomers };
}

/** Eva gives everything there is to give: a question, an order, a note from the owner, and a checkout left half done. */
async function evaGivesEverything(product: Awaited<ReturnType<typeof startProduct>>): Promise<void> {
  const { api, send, screen, press, fillCheckout } = product;
  await send(updates.command(eva, "start"));
  await press(eva, "✅ Согласен");
  await press(eva, "💬 Спросить консультанта");
  await send(updates.privateText(eva, pii.question));
  // The answer is an effect of the question, delivered by the effect worker after the update.
  await until(() => screen(eva.id)?.text === "Советую шу пуэр.", "the consultant's answer");
  await send(updates.command(eva, "menu"));
  await fillCheckout(eva, pii.phone, pii.address);
  await press(eva, "✅ Подтвердить заказ");

  const olga = updates.user(ownerId, { first_name: "Ольга" });
  await send(updates.command(olga, "crm"), ownerToken);
  await press(olga, "👥 Последние лиды", ownerToken);
  const lead = api.buttonsOf(screen(ownerId, ownerToken)).find((button) => button.text.includes(pii.name));
  await press(olga, lead?.text ?? "the lead's button", ownerToken);
  await press(olga, "📝 Заметка", ownerToken);
  await send(updates.privateText(olga, pii.note), ownerToken);
  expect(screen(ownerId, ownerToken)?.text).toContain("✅ Заметка сохранена.");

  await fillCheckout(eva, pii.phone, pii.address);
}

/**
 * Eva's /forget, with the answer held at the Bot API for a second, so that the files can be read
 * at the moment she is told (`"at the answer"`), or only once the update has ended.
 */
async function forgetAndCheck(kind: StoreKind, when: "at the answer" | "once handled"): Promise<void> {
  const product = await startProduct(kind);
  const { api, started, handled, send, otherCustomers } = product;
  await otherCustomers([1401, 1402]);
  await evaGivesEverything(product);
  await otherCustomers([1403]);
  expect(onDisk(kind, Object.values(pii)).sort()).toEqual(Object.values(pii).sort());

  await send(updates.command(eva, "forget"));
  api.hangNext("editMessageText", 1_000);
  const confirm = api.pushUpdate(updates.press(eva, api.messageWithButton(eva.id, token, "Да, удалить всё"), "Да, удалить всё"), { token });
  await until(() => api.callsTo("editMessageText", token).some((call) => String(call.payload["text"]).startsWith("Готово. Удалено")), "the answer to /forget");
  if (when === "at the answer") expect(onDisk(kind, Object.values(pii))).toEqual([]);
  await handled(confirm);
  expect(onDisk(kind, Object.values(pii))).toEqual([]);

  await otherCustomers([1404, 1405]);
  expect(onDisk(kind, Object.values(pii))).toEqual([]);
  started.kill("SIGKILL");
  expect((await started.exited).signal).toBe("SIGKILL");
  expect(onDisk(kind, Object.values(pii))).toEqual([]);
  expect(onDisk(kind, ["Проспект Гостевой 1405"])).toEqual(["Проспект Гостевой 1405"]);
}

describe("/forget on disk, through npm start", () => {
  it("sqlite: leaves no byte of the customer in crm.sqlite or its WAL from the answer on, with traffic around it and after a SIGKILL", async () => {
    await forgetAndCheck("sqlite", "at the answer");
  });

  it("json: leaves no byte of the customer in the store's folder once the update is handled, with traffic around it and after a SIGKILL", async () => {
    await forgetAndCheck("json", "once handled");
  });

  it("json: leaves no byte of the customer in the store's folder at the moment /forget answers", async () => {
    await forgetAndCheck("json", "at the answer");
  });
});
