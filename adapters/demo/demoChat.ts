import type { Update, User } from "grammy/types";
import type { BotApiStandIn, Button, PaymentOutcome, StoredMessage } from "../telegram/testing/botApiStandIn.ts";
import * as updates from "../telegram/testing/telegramUpdates.ts";

/** What a person sees in a chat: the visible text of the message they look at, and its buttons. */
export interface ChatScreen {
  readonly text: string;
  readonly buttons: readonly string[];
}

/**
 * One private chat with one of the bots, driven the way a person would: commands, texts, a shared
 * contact, and presses of buttons the bot really showed (the newest message that has them).
 */
export interface DemoChat {
  readonly from: User;
  start(payload?: string): Promise<void>;
  command(name: string, payload?: string): Promise<void>;
  send(text: string): Promise<void>;
  shareContact(phone: string): Promise<void>;
  /** Presses the button labelled `text` on the newest message that shows it; throws when none does. */
  press(text: string): Promise<void>;
  /** The label of the first button on screen that starts with `prefix`, or undefined. */
  buttonStarting(prefix: string): string | undefined;
  /** Buttons on screen whose callback data says `s1.<action>` / `o1.<action>`: e.g. products, categories. */
  buttonsFor(action: string): readonly Button[];
  screen(): ChatScreen;
  messages(): StoredMessage[];
  /**
   * Pays the newest invoice in the chat as the person would in Telegram: the stand-in sends the bot
   * a `pre_checkout_query` and, once the bot accepts it, the `successful_payment` (Stars come off the
   * person's balance at the stand-in). Resolves with how it went.
   */
  pay(): Promise<PaymentOutcome>;
}

/** Builds a {@link DemoChat}; `deliver` hands an update to the bot (its `handleUpdate`). */
export function demoChat(standIn: BotApiStandIn, token: string, deliver: (update: Update) => Promise<void>, from: User): DemoChat {
  const id = from.id;
  const send = async (update: Update): Promise<void> => {
    standIn.observe(update);
    await deliver(update);
  };

  /** The message looked at: the one most recently sent or edited in this chat. */
  const last = (): StoredMessage | undefined => standIn.viewedMessage(id, token);
  const withButton = (text: string): StoredMessage | undefined => standIn.messageWithButton(id, token, text);

  return {
    from,
    start: (payload) => send(updates.command(from, "start", payload)),
    command: (name, payload) => send(updates.command(from, name, payload)),
    send: (text) => send(updates.privateText(from, text)),
    shareContact: (phone) => send(updates.contact(from, phone)),
    press: (text) => send(updates.press(from, withButton(text), text)),
    buttonStarting: (prefix) => standIn.buttonsOf(last()).find((button) => button.text.startsWith(prefix))?.text,
    buttonsFor: (action) => standIn.buttonsOf(last()).filter((button) => button.callback_data?.split(".")[1] === action),
    screen: () => {
      const message = last();
      return { text: message?.text ?? message?.caption ?? "", buttons: standIn.buttonsOf(message).map((button) => button.text) };
    },
    messages: () => standIn.messages(id, token),
    async pay() {
      const invoice = standIn.messages(id, token).findLast((message) => message.invoice !== undefined);
      if (!invoice) throw new Error(`there is no invoice to pay in chat ${id}`);
      return standIn.pay(id, invoice.message_id, { token, deliver });
    },
  };
}
