/**
 * The crash test's account of effects (adapters/crashUnderLoad.test.ts): every reminder, order
 * notice and consultant answer in the log reached the stand-in at least once; and the ones that
 * reached it twice, each of which must have been in flight at a kill, which the effect worker
 * says when it delivers a row again whose earlier attempt has no outcome
 * (`effect_redelivered_unknown_outcome`).
 */
import type { TellingObserver } from "./crashObserver.ts";
import type { StoreView } from "./crashStore.ts";
import { answerText, reminderText } from "./crashCustomers.ts";

/** A delivery the effect worker started again without knowing whether the last one had reached anyone. */
export interface Redelivery {
  readonly key: string;
  readonly type: string;
  /** `customer:<id>`, from the key `e:customer:<id>:<seq>:<i>`. */
  readonly actor: string;
}

/** The redeliveries of unknown outcome logged in the given stdouts of `npm start`. */
export function unknownOutcomes(outputs: readonly string[]): Redelivery[] {
  return outputs
    .flatMap((output) => output.split("\n"))
    .filter((line) => line.includes('"event":"effect_redelivered_unknown_outcome"'))
    .map((line) => JSON.parse(line) as { key: string; type: string })
    .map(({ key, type }) => ({ key, type, actor: key.split(":").slice(1, 3).join(":") }));
}

/** One effect's message seen more than once at the stand-in. */
export interface Duplicate {
  readonly kind: "reminder" | "order notice" | "answer";
  readonly effect: string;
  readonly actor: string;
  /** What was doubled: the customer's chat, or the order. */
  readonly what: string;
  /** Extra copies seen. */
  readonly extra: number;
}

export interface DeliveryAccount {
  /** Effects in the log that never reached the stand-in, in words. */
  readonly undelivered: string[];
  readonly duplicates: Duplicate[];
  /** Duplicates of an actor's effect type beyond its redeliveries of unknown outcome, in words. */
  readonly unbounded: string[];
}

interface Bots {
  readonly shop: string;
  readonly owner: string;
  readonly ownerIds: readonly number[];
}

const sentTexts = (observer: TellingObserver, token: string, chatId: number): string[] =>
  observer.chat(token, chatId).filter((seen) => seen.method === "sendMessage").map((seen) => seen.text);

function reminders(store: StoreView, observer: TellingObserver, bots: Bots, account: DeliveryAccount): void {
  const customers = new Set(store.events.map((event) => event.userId));
  for (const userId of customers) {
    const sent = store.events.filter((event) => event.userId === userId && event.type === "reminder_sent").length;
    const seen = sentTexts(observer, bots.shop, userId).filter((text) => reminderText.test(text)).length;
    if (seen < sent) account.undelivered.push(`customer ${userId} has ${sent} reminder_sent in the log and got ${seen} reminders`);
    if (seen > sent) account.duplicates.push({ kind: "reminder", effect: "sendCartReminder", actor: `customer:${userId}`, what: `customer ${userId}`, extra: seen - sent });
  }
}

function orderNotices(store: StoreView, observer: TellingObserver, bots: Bots, account: DeliveryAccount): void {
  for (const event of store.events.filter((row) => row.type === "order_created")) {
    const orderId = String(event.payload["orderId"]);
    const notice = new RegExp(`Новый заказ ${orderId}(?![0-9A-Z])`);
    for (const ownerId of bots.ownerIds) {
      const seen = sentTexts(observer, bots.owner, ownerId).filter((text) => notice.test(text)).length;
      if (seen === 0) account.undelivered.push(`owner ${ownerId} was never told of order ${orderId} (customer ${event.userId})`);
      if (seen > 1) account.duplicates.push({ kind: "order notice", effect: "notifyOwnersOfOrder", actor: `customer:${event.userId}`, what: `order ${orderId} to owner ${ownerId}`, extra: seen - 1 });
    }
  }
}

function answers(store: StoreView, observer: TellingObserver, bots: Bots, account: DeliveryAccount): void {
  for (const event of store.events.filter((row) => row.type === "consultant_answered" && row.payload["text"] !== "")) {
    if (!sentTexts(observer, bots.shop, event.userId).includes(String(event.payload["text"]))) account.undelivered.push(`customer ${event.userId} never got the answer "${String(event.payload["text"])}" in the log`);
  }
  for (const userId of new Set(store.events.map((event) => event.userId))) {
    const texts = sentTexts(observer, bots.shop, userId).filter((text) => answerText.test(text));
    const extra = texts.length - new Set(texts).size;
    if (extra > 0) account.duplicates.push({ kind: "answer", effect: "sendConsultantAnswer", actor: `customer:${userId}`, what: `customer ${userId}`, extra });
  }
}

/** What reached the stand-in of the effects in the log, what reached it twice, and whether every double was in flight at a kill. */
export function accountDeliveries(store: StoreView, observer: TellingObserver, bots: Bots, redeliveries: readonly Redelivery[]): DeliveryAccount {
  const account: DeliveryAccount = { undelivered: [], duplicates: [], unbounded: [] };
  reminders(store, observer, bots, account);
  orderNotices(store, observer, bots, account);
  answers(store, observer, bots, account);
  const extras = new Map<string, number>();
  for (const duplicate of account.duplicates) extras.set(`${duplicate.actor} ${duplicate.effect}`, (extras.get(`${duplicate.actor} ${duplicate.effect}`) ?? 0) + duplicate.extra);
  for (const [which, extra] of extras) {
    const inFlight = redeliveries.filter((redelivery) => `${redelivery.actor} ${redelivery.type}` === which).length;
    if (extra > inFlight) account.unbounded.push(`${which}: ${extra} extra deliveries, but only ${inFlight} redeliveries of unknown outcome after a kill`);
  }
  return account;
}
