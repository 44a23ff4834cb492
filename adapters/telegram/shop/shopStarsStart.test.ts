import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startMain, until, type StartedMain } from "../../testing/npmStart.ts";
import { startBotApiStandIn, type BotApiStandIn } from "../testing/botApiStandIn.ts";
import * as updates from "../testing/telegramUpdates.ts";
import { teaShop } from "./testing/teaShop.ts";

const token = "7005:AAH-stars-main-test-token-not-real";
const providerToken = "284685063:TEST:stars-main-provider-secret";

let dir: string;
let standIn: BotApiStandIn | undefined;
let main: StartedMain | undefined;
afterEach(async () => {
  main?.kill("SIGKILL");
  await main?.exited;
  await standIn?.close();
  main = undefined;
  standIn = undefined;
  rmSync(dir, { recursive: true, force: true });
});

describe("npm start with Telegram Stars", () => {
  it("asks Telegram for pre-checkout queries, sends the invoice of a Stars order, answers the query and applies the payment", async () => {
    dir = mkdtempSync(join(tmpdir(), "stars-main-"));
    writeFileSync(join(dir, "catalog.json"), JSON.stringify(teaShop));
    standIn = await startBotApiStandIn({ botInfo: { username: "stars_shop_bot", first_name: "Чайная" } });
    const env = { SHOP_BOT_TOKEN: token, TELEGRAM_API_ROOT: standIn.apiRoot, DATABASE_PATH: join(dir, "crm.sqlite"), CATALOG_PATH: join(dir, "catalog.json") };
    main = startMain({ ...env, PAYMENTS: "stars,provider", STAR_PRICE: "2", PAYMENT_PROVIDER_TOKEN: providerToken }, dir);
    await until(() => main?.output().includes('"event":"started"') ?? false, "the started line");
    const stands = standIn;

    const anna = updates.user(42, { first_name: "Анна" });
    const push = async (update: Parameters<BotApiStandIn["pushUpdate"]>[0], what: string, done: () => boolean): Promise<void> => {
      stands.pushUpdate(update, { token });
      await until(done, what);
    };
    const count = (): number => stands.messages(42, token).length;
    await push(updates.command(anna, "start"), "the greeting", () => count() >= 1);
    const greeting = stands.messages(42, token)[0];
    if (!greeting) throw new Error("no greeting");
    let before = count();
    await push(updates.callback(anna, "s1.add.sencha", greeting), "the cart", () => stands.callbackAnswers.length >= 1);
    await push(updates.callback(anna, "s1.co", greeting), "the phone step", () => count() > before);
    before = count();
    await push(updates.privateText(anna, "+79991234567"), "the delivery step", () => count() > before);
    before = count();
    await push(updates.privateText(anna, "Самовывоз"), "the summary", () => count() > before);
    await push(updates.press(anna, stands.messageWithButton(42, token, "✅ Подтвердить заказ"), "✅ Подтвердить заказ"), "the payment question", () =>
      stands.messages(42, token).some((message) => message.text?.startsWith("💳 Как оплатить заказ?")),
    );
    await push(updates.press(anna, stands.messageWithButton(42, token, "⭐ Telegram Stars — 295 ⭐"), "⭐ Telegram Stars — 295 ⭐"), "the invoice", () => stands.payments.invoices.length >= 1);
    const invoice = stands.payments.invoices[0];
    expect(invoice).toMatchObject({ currency: "XTR", total_amount: 295, provider: false });

    const outcome = await stands.pay(42, invoice?.messageId ?? 0, { token });
    expect(outcome).toMatchObject({ outcome: "paid" });
    await until(() => stands.messages(42, token).some((message) => message.text?.includes("оплачен. Спасибо")), "the paid notice");
    expect(stands.calls.filter((call) => call.method === "getUpdates").some((call) => JSON.stringify(call.payload).includes("pre_checkout_query"))).toBe(true);
    expect(main.output()).toContain('"event":"payment_received"');
    expect(main.output()).not.toContain("stars-main-provider-secret");
    main.kill("SIGTERM");
    expect((await main.exited).code).toBe(0);
  });
});
