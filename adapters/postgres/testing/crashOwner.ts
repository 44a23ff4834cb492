/**
 * The owner of the three-process test (adapters/postgres/threeProcesses.test.ts): acting through the
 * owner bot, which the deployment's leader long-polls, while processes (the leader among them) are
 * killed. For every order notice that reaches the owner's chat, the owner marks the order paid and
 * ships it (skipping the tracking note), remembering each move the bot confirmed, so that the
 * order's log can be checked for it afterwards.
 *
 * The owner is a {@link Customer} of the owner bot: a press a killed leader took with it (its polling
 * had confirmed it) is pressed again; a press whose move had gone through is then answered "already
 * done", which confirms nothing new.
 */
import type { Message, User } from "grammy/types";
import { Customer, type CrashShop } from "../../testing/crashCustomers.ts";
import * as updates from "../../telegram/testing/telegramUpdates.ts";

/** A move of an order the owner bot confirmed. */
export interface OwnerTold {
  readonly orderId: string;
  readonly move: "marked_paid" | "shipped";
  readonly text: string;
}

/** The owner at work: the moves confirmed, the orders done, and the end of the script. */
export interface CrashOwner {
  readonly told: readonly OwnerTold[];
  /** The orders whose notice the owner saw and finished with. */
  readonly handled: ReadonlySet<string>;
  /** Settles once `stop` was called and every order noticed by then is handled; a failure says why. */
  readonly done: Promise<string[]>;
  /** No more orders are coming: finish these (their notices may still be on their way) and end. */
  stop(orderIds: readonly string[]): void;
}

const noticeOf = /Новый заказ (SO-[0-9A-Z-]+)/;

/** The owner's chat with the owner bot: its newest message that says `pattern`. */
function messageSaying(owner: Customer, pattern: RegExp): Message | undefined {
  return owner.shop.api.messages(owner.id, owner.shop.token).filter((message) => pattern.test(message.text ?? "")).at(-1);
}

async function markPaid(owner: Customer, orderId: string, told: OwnerTold[]): Promise<void> {
  const notice = (): Message | undefined => messageSaying(owner, new RegExp(`Новый заказ ${orderId}(?![0-9A-Z])`));
  await owner.retrying(`paid ${orderId}`, () => updates.press(owner.user, notice(), "💵 Оплачен"), (view) => {
    const answer = view.answer();
    if (answer === undefined) return undefined;
    if (answer.startsWith(`✅ Заказ ${orderId} отмечен оплаченным`)) return told.push({ orderId, move: "marked_paid", text: answer }) > 0;
    // An earlier press went through before its leader was killed: nothing more is confirmed.
    if (answer.startsWith(`⚠️ Заказ ${orderId} сейчас «💳 оплачен»`)) return true;
    throw new Error(`the owner pressed 💵 Оплачен on ${orderId} and was told "${answer}"`);
  });
}

/** 📦 on the notice, then ⏭ on the question for a tracking note; a step lost to a kill starts again from 📦. */
async function ship(owner: Customer, orderId: string, told: OwnerTold[]): Promise<void> {
  const notice = (): Message | undefined => messageSaying(owner, new RegExp(`Новый заказ ${orderId}(?![0-9A-Z])`));
  for (let round = 0; round < 30; round++) {
    const asked = await owner.attempt(`ship ${orderId}`, () => updates.press(owner.user, notice(), "📦 Отправлен"), (view) => {
      if (view.message(new RegExp(`📦 Заказ ${orderId} отправлен\\?`))) return "asked" as const;
      const answer = view.answer();
      if (answer?.startsWith(`⚠️ Заказ ${orderId} сейчас «📦 отправлен»`)) return "shipped already" as const;
      if (answer?.startsWith("⚠️")) throw new Error(`the owner pressed 📦 Отправлен on ${orderId} and was told "${answer}"`);
      return undefined;
    });
    if (asked === "shipped already") return;
    if (typeof asked !== "string") continue;
    const question = messageSaying(owner, new RegExp(`📦 Заказ ${orderId} отправлен\\?`));
    const shipped = await owner.attempt(`skip the note of ${orderId}`, () => updates.press(owner.user, question, "⏭ Пропустить"), (view) => {
      const done = view.message(new RegExp(`^✅ Заказ ${orderId} отправлен\\.`));
      return done && told.push({ orderId, move: "shipped", text: done.text }) > 0;
    });
    if (shipped === true) return;
  }
  throw new Error(`the owner could not ship ${orderId} in 30 rounds`);
}

/** Starts the owner: every 200 ms, each new order notice in the chat is paid and shipped, one order at a time. */
export function startOwner(shop: CrashShop, user: User): CrashOwner {
  const owner = new Customer(shop, user);
  const told: OwnerTold[] = [];
  const handled = new Set<string>();
  let stopping: { readonly awaited: readonly string[]; readonly by: number } | undefined;
  const done = (async (): Promise<string[]> => {
    try {
      for (;;) {
        const noticed = [...new Set(shop.observer.chat(shop.token, user.id).flatMap((seen) => noticeOf.exec(seen.text)?.[1] ?? []))];
        const next = noticed.find((orderId) => !handled.has(orderId));
        if (next === undefined) {
          const missing = stopping?.awaited.filter((orderId) => !handled.has(orderId)) ?? [];
          if (stopping && missing.length === 0) return [];
          if (stopping && Date.now() > stopping.by) return [`the owner was never told of ${missing.join(", ")} (no order notice in 90 s)`];
          await new Promise((resolve) => setTimeout(resolve, 200));
          continue;
        }
        await markPaid(owner, next, told);
        await ship(owner, next, told);
        handled.add(next);
      }
    } catch (error) {
      return [error instanceof Error ? error.message : String(error)];
    }
  })();
  return {
    told,
    handled,
    done,
    stop: (orderIds) => {
      stopping = { awaited: orderIds, by: Date.now() + 90_000 };
    },
  };
}
