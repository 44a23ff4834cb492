import { describe, expect, it } from "vitest";
import * as updates from "./testing/telegramUpdates.ts";
import { testBotInfo } from "./testing/botApiStandIn.ts";
import { updateIdOf, updateProblem } from "./updateValidity.ts";

const anna = updates.user(42, { first_name: "Анна", username: "anna", language_code: "ru" });
const bot = testBotInfo({ id: 7001, first_name: "Shop", username: "shop_bot" });
const text = (): Record<string, unknown> => structuredClone(updates.privateText(anna, "/start ads")) as unknown as Record<string, unknown>;
const message = (update: Record<string, unknown>): Record<string, unknown> => update["message"] as Record<string, unknown>;
const chatOf = (update: Record<string, unknown>): Record<string, unknown> => message(update)["chat"] as Record<string, unknown>;
const fromOf = (update: Record<string, unknown>): Record<string, unknown> => message(update)["from"] as Record<string, unknown>;
const preCheckout = (change: Record<string, unknown> = {}): Record<string, unknown> => ({
  update_id: 90,
  pre_checkout_query: { id: "4711", from: anna, currency: "XTR", total_amount: 500, invoice_payload: "SO-2F7K", ...change },
});
function paymentMessage(kind: "successful_payment" | "refunded_payment", change: Record<string, unknown> = {}): Record<string, unknown> {
  const update = text();
  const fields = message(update);
  delete fields["text"];
  delete fields["entities"];
  fields[kind] = { currency: "XTR", total_amount: 500, invoice_payload: "SO-2F7K", telegram_payment_charge_id: "stxA1b2C3", ...change };
  return update;
}

describe("which updates the bots handle", () => {
  it("lets in every kind of update the bots get from Telegram", () => {
    const pressed = updates.callback(anna, "s1.menu", { message_id: 5, date: 1, chat: updates.privateChat(anna), text: "Меню" });
    for (const update of [
      updates.privateText(anna, "чай"),
      updates.command(anna, "start", "ads"),
      pressed,
      updates.contact(anna, "+79991234567"),
      updates.contact(anna, "+79991234567", null),
      updates.sticker(anna),
      updates.photo(anna, "подпись"),
      updates.groupText(anna, "/start"),
      updates.channelPost("news"),
      updates.botBlocked(anna, bot),
      updates.botUnblocked(anna, bot),
    ]) {
      expect(updateProblem(update), JSON.stringify(update)).toBeNull();
    }
  });

  it("drops a chat id that is null, missing, zero, fractional, beyond a safe integer, or negative for a private chat", () => {
    for (const id of [null, undefined, 0, 1.5, 1e20, -1, "42"]) {
      const update = text();
      if (id === undefined) delete chatOf(update)["id"];
      else chatOf(update)["id"] = id;
      expect(updateProblem(update), String(id)).toBe("bad_chat");
    }
    const group = structuredClone(updates.groupText(anna, "hi")) as unknown as Record<string, unknown>;
    chatOf(group)["id"] = -1.5;
    expect(updateProblem(group)).toBe("bad_chat");
  });

  it("drops a user id of 0, -1, 1e20 or 1.5, and a user without a first name", () => {
    for (const id of [0, -1, 1e20, 1.5, null, "42"]) {
      const update = text();
      fromOf(update)["id"] = id;
      expect(updateProblem(update), String(id)).toBe("bad_user");
    }
    const nameless = text();
    delete fromOf(nameless)["first_name"];
    expect(updateProblem(nameless)).toBe("bad_user");
    const languageNumber = text();
    fromOf(languageNumber)["language_code"] = 5;
    expect(updateProblem(languageNumber)).toBe("bad_user");
  });

  it("drops a private message, a button press or a member change without a sender, but not a channel post", () => {
    const update = text();
    delete message(update)["from"];
    expect(updateProblem(update)).toBe("no_sender");
    const press = structuredClone(updates.callback(anna, "s1.menu", { message_id: 5, date: 1, chat: updates.privateChat(anna), text: "Меню" })) as unknown as Record<string, Record<string, unknown>>;
    delete press["callback_query"]?.["from"];
    expect(updateProblem(press)).toBe("no_sender");
    const kicked = structuredClone(updates.botBlocked(anna, bot)) as unknown as Record<string, Record<string, unknown>>;
    delete kicked["my_chat_member"]?.["from"];
    expect(updateProblem(kicked)).toBe("no_sender");
    expect(updateProblem(updates.channelPost("no sender here"))).toBeNull();
  });

  it("drops what is not an update of one handled kind", () => {
    expect(updateProblem(null)).toBe("not_an_object");
    expect(updateProblem([])).toBe("not_an_object");
    expect(updateProblem("update")).toBe("not_an_object");
    expect(updateProblem({ message: message(text()) })).toBe("bad_update_id");
    expect(updateProblem({ update_id: 1.5, message: message(text()) })).toBe("bad_update_id");
    expect(updateProblem({ update_id: -3, message: message(text()) })).toBe("bad_update_id");
    expect(updateProblem({ update_id: 1 })).toBe("no_kind");
    expect(updateProblem({ update_id: 1, message: message(text()), callback_query: {} })).toBe("several_kinds");
    expect(updateProblem({ update_id: 1, poll: { id: "1" } })).toBe("unhandled_kind");
    expect(updateProblem({ update_id: 1, message: "hello" })).toBe("bad_payload");
    expect(updateProblem({ update_id: 1, message: [] })).toBe("bad_payload");
  });

  it("drops texts longer than Telegram ever sends, and entities that point outside their text", () => {
    const long = text();
    message(long)["text"] = "я".repeat(20_000);
    expect(updateProblem(long)).toBe("bad_text");
    const outside = text();
    message(outside)["entities"] = [{ type: "bot_command", offset: 3, length: 50 }];
    expect(updateProblem(outside)).toBe("bad_text");
    const notAList = text();
    message(notAList)["entities"] = "bot_command";
    expect(updateProblem(notAList)).toBe("bad_text");
    const hugeName = text();
    fromOf(hugeName)["first_name"] = "A".repeat(10_000);
    expect(updateProblem(hugeName)).toBe("bad_user");
  });

  it("drops a member change whose member is no user, and a contact whose user id is no user id", () => {
    const kicked = structuredClone(updates.botBlocked(anna, bot)) as unknown as Record<string, Record<string, unknown>>;
    const member = kicked["my_chat_member"];
    if (member) member["new_chat_member"] = { status: "kicked" };
    expect(updateProblem(kicked)).toBe("bad_member");
    const contact = structuredClone(updates.contact(anna, "+7999", 0)) as unknown as Record<string, unknown>;
    expect(updateProblem(contact)).toBe("bad_payload");
  });

  it("lets in Telegram's payments: a pre-checkout query, a successful payment and a refund's note", () => {
    expect(updateProblem(preCheckout())).toBeNull();
    expect(updateProblem(paymentMessage("successful_payment"))).toBeNull();
    expect(updateProblem(paymentMessage("refunded_payment"))).toBeNull();
    const provider = paymentMessage("successful_payment", { currency: "RUB", total_amount: 178_000, provider_payment_charge_id: "" });
    expect(updateProblem(provider)).toBeNull();
  });

  it("drops a payment without a sender, a currency code, a whole positive amount, a payload of Telegram's size or a usable charge id", () => {
    const noSender = preCheckout();
    delete (noSender["pre_checkout_query"] as Record<string, unknown>)["from"];
    expect(updateProblem(noSender)).toBe("no_sender");
    for (const change of [{ currency: "xtr" }, { currency: 5 }, { total_amount: 0 }, { total_amount: 1.5 }, { total_amount: "500" }, { invoice_payload: "x".repeat(200) }, { invoice_payload: 7 }]) {
      expect(updateProblem(preCheckout(change)), JSON.stringify(change)).toBe("bad_payload");
      expect(updateProblem(paymentMessage("successful_payment", change)), JSON.stringify(change)).toBe("bad_payload");
    }
    for (const charge of ["", "a b", "a#b", "x".repeat(200), 42]) {
      expect(updateProblem(paymentMessage("successful_payment", { telegram_payment_charge_id: charge })), String(charge)).toBe("bad_payload");
    }
    expect(updateProblem(paymentMessage("successful_payment", { provider_payment_charge_id: 5 }))).toBe("bad_payload");
    const notAnObject = text();
    message(notAnObject)["successful_payment"] = "paid";
    expect(updateProblem(notAnObject)).toBe("bad_payload");
  });

  it("names the update id only when it is one", () => {
    expect(updateIdOf({ update_id: 12 })).toBe(12);
    expect(updateIdOf({ update_id: 1e20 })).toBeNull();
    expect(updateIdOf(null)).toBeNull();
  });
});
