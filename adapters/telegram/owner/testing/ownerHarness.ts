import { Api, type StorageAdapter } from "grammy";
import type { Update, User, UserFromGetMe } from "grammy/types";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createCustomerActors, type CustomerActors } from "../../../../actors/customerActors.ts";
import type { DispatchInput } from "../../../../actors/customerRuntime.ts";
import type { EffectHandlers } from "../../../../actors/effects.port.ts";
import type { LogFields, Logger } from "../../../../actors/log.port.ts";
import type { CrmStore, Lead } from "../../../../actors/store.port.ts";
import type { OrderEffectHandlers } from "../../../../actors/orders.port.ts";
import type { CustomerEffectParams } from "../../../../machines/customer.types.ts";
import { localConsultant, type LocalConsultantMode } from "../../../ai/testing/localConsultant.ts";
import { openJsonStore } from "../../../json/jsonStore.ts";
import { openSqliteStore } from "../../../sqlite/sqliteStore.ts";
import { manualClock } from "../../../storeContract.ts";
import { startBotApiStandIn, testBotInfo, type StoredMessage } from "../../testing/botApiStandIn.ts";
import * as updates from "../../testing/telegramUpdates.ts";
import { createOwnerBot, type OwnerBot } from "../ownerBot.ts";
import { ownerOrderEffects } from "../orderNotices.ts";
import { ownerEffects } from "../ownerEffects.ts";
import type { BroadcastParts } from "../broadcastKit.ts";
import { startUserFiles } from "../../testing/userFilesStandIn.ts";
import type { OwnerSession } from "../ownerSession.ts";
import type { SegmentParts } from "../segments.ts";

export const ownerToken = "7003:owner-test-token-not-real";
export const ownerBotInfo: UserFromGetMe = testBotInfo({ id: 7003, first_name: "CRM", username: "shop_crm_owner_bot", can_join_groups: false });
/** The shop's token: only the customers' own effects (an answer, a reminder) are sent with it here. */
export const shopToken = "7001:shop-test-token-not-real";

export interface OwnerHarnessOptions {
  readonly ownerIds: readonly number[];
  readonly tagSet?: readonly string[];
  /** `null`: no AI configured for the owner bot. */
  readonly ai?: LocalConsultantMode | null;
  readonly aiTimeoutMs?: number;
  /** Sessions elsewhere than the store (storage-free); built afresh at every boot. */
  readonly sessionStorage?: () => StorageAdapter<OwnerSession>;
  /** The store the process runs on (SQLite by default). */
  readonly store?: "sqlite" | "json";
  /** The effect worker's attempts before it gives up on an effect (default 8). */
  readonly maxAttempts?: number;
  /** Broadcasts for the owner bot, built on this process's parts at every boot; absent: off. */
  readonly broadcasts?: (env: { readonly store: CrmStore; readonly actors: CustomerActors; readonly standInRoot: string; readonly log: Logger; readonly clock: ReturnType<typeof manualClock> }) => BroadcastParts;
  /** The owner bot's requests pass through the file server (userFilesStandIn.ts), for photos the owner sends. */
  readonly userFiles?: boolean;
  /** The segment builder's settings (the terms' version, the ✉️ hand-off); absent: the bot's defaults. */
  readonly segments?: Partial<SegmentParts>;
  /** The largest export file the owner bot sends (a test lowers it to see a split). */
  readonly exportLimitBytes?: number;
}

/**
 * The customers' effects that are not the owner's (the consultant's answer, the cart reminder):
 * sent to the customer's chat with the shop's token, plainly. The shop bot's own handlers are
 * tested with the shop; here they only have to happen, so that the customer machine moves on.
 */
function customerEffects(standInRoot: string, ai: ReturnType<typeof localConsultant>): Omit<EffectHandlers<CustomerEffectParams>, "notifyOwnersOfOrder"> {
  const shop = new Api(shopToken, { apiRoot: standInRoot });
  const chatOf = (actor: string): number => Number(actor.split(":")[1]);
  return {
    askConsultant: async ({ params }, signal) => {
      const text = await ai.port.consult({ question: params.question, catalog: "Эфиопия Иргачеффе, 250 г — 890 ₽", language: params.language }, signal);
      return { outcome: "done", reply: { type: "consultant_answered", text } };
    },
    sendConsultantAnswer: async ({ actor, params }) => {
      await shop.sendMessage(chatOf(actor), params.text);
      return { outcome: "done" };
    },
    sendConsultantFailure: async ({ actor }) => {
      await shop.sendMessage(chatOf(actor), "The consultant could not answer.");
      return { outcome: "done" };
    },
    sendCartReminder: async ({ actor }) => {
      await shop.sendMessage(chatOf(actor), "Your cart is waiting.");
      return { outcome: "done", reply: { type: "reminder_sent" } };
    },
    sendSecondReminder: async ({ actor }) => {
      await shop.sendMessage(chatOf(actor), "Your cart is still waiting.");
      return { outcome: "done", reply: { type: "second_reminder_sent" } };
    },
    sendWinBack: async ({ actor }) => {
      await shop.sendMessage(chatOf(actor), "We miss you.");
      return { outcome: "done", reply: { type: "winback_sent" } };
    },
  };
}

/**
 * The order effects that reach the customer (told of a move, an invoice, a rating asked), sent to
 * the customer's chat with the shop's token, plainly; a Stars refund tells the order it went
 * through (the stand-in's `refundStarPayment` is the shop's to test), except for a charge whose id
 * starts `stxSlow`, whose refund stays pending, and one that starts `stxLost`, whose refund fails
 * as Telegram's does for a charge it does not know: either way the order stays `refunding`. The shop bot's own handlers are tested
 * with the shop; here they only have to happen, so that the order moves on.
 */
function customerOrderEffects(standInRoot: string): Omit<OrderEffectHandlers, "notifyOwnersOfOrderMove" | "askOwnersToRefund"> {
  const shop = new Api(shopToken, { apiRoot: standInRoot });
  return {
    notifyCustomerOfOrder: async ({ params }) => {
      await shop.sendMessage(params.userId, `Order ${params.orderId}: ${params.status}${params.reason ? ` (${params.reason})` : ""}${params.tracking ? ` [${params.tracking}]` : ""}`);
      return { outcome: "done" };
    },
    sendInvoice: async ({ params }) => {
      await shop.sendMessage(params.userId, `Invoice for ${params.orderId}: ${params.invoice.amount} ${params.invoice.currency}`);
      return { outcome: "done" };
    },
    refundStarPayment: async ({ params }) => {
      if (params.chargeId.startsWith("stxSlow")) return { outcome: "retry", reason: "Telegram is slow to refund this one" };
      if (params.chargeId.startsWith("stxLost")) return { outcome: "done", reply: { type: "refund_failed", by: "payment", reason: "CHARGE_NOT_FOUND", chargeId: params.chargeId } };
      await shop.sendMessage(params.userId, `Stars of ${params.orderId} given back`);
      return { outcome: "done", reply: { type: "refund_completed", by: "payment", chargeId: params.chargeId } };
    },
    askForRating: async ({ params }) => {
      await shop.sendMessage(params.userId, `Rate ${params.orderId}`);
      return { outcome: "done" };
    },
  };
}

/**
 * The owner bot as it runs, on real parts: a store in a temporary folder, the customer and order
 * actors (the runtimes, the effect worker delivering new-order notices through `ownerEffects` and
 * the orders' moves through `ownerOrderEffects`, the timers), and
 * grammY talking over HTTP to a local Bot API stand-in. Customers act by dispatching their events to
 * the runtime, as the shop bot does; the owner's updates go in through `bot.handleUpdate`. Timers
 * fire only when a test says so (`fireTimers`), on its manual clock.
 */
export async function startOwnerHarness(options: OwnerHarnessOptions) {
  const dir = mkdtempSync(join(tmpdir(), "owner-bot-"));
  const clock = manualClock(Date.parse("2026-11-23T10:00:00Z"));
  updates.setUpdateClock(clock.now);
  const standIn = await startBotApiStandIn({ botInfo: ownerBotInfo, now: clock.now });
  const files = options.userFiles ? await startUserFiles(standIn.apiRoot) : null;
  const ownerAi = localConsultant(options.ai === null ? "answer" : (options.ai ?? "answer"));
  const customerAi = localConsultant("answer");
  const logLines: { level: string; event: string; fields: LogFields }[] = [];
  const line = (level: string) => (event: string, fields: LogFields = {}) => void logLines.push({ level, event, fields });
  const log: Logger = { info: line("info"), warn: line("warn"), error: line("error") };

  let store: CrmStore;
  let actors: CustomerActors;
  let owner: OwnerBot;
  /** The owners' notices of effects that gave up, which the worker does not wait for; `settle` does. */
  const failureNotices = new Set<Promise<void>>();

  async function boot(): Promise<void> {
    store = options.store === "json" ? await openJsonStore({ dir: join(dir, "json"), log }) : openSqliteStore({ path: join(dir, "crm.sqlite") });
    const sessions = options.sessionStorage?.();
    const ownerSide = { api: new Api(ownerToken, { apiRoot: standIn.apiRoot }), store, ownerIds: options.ownerIds, timeZone: "Europe/Moscow", log, ...(sessions ? { sessions } : {}) };
    const notices = ownerEffects(ownerSide);
    actors = createCustomerActors({
      store,
      clock,
      log,
      handlers: { ...customerEffects(standIn.apiRoot, customerAi), ...notices },
      orders: { handlers: { ...customerOrderEffects(standIn.apiRoot), ...ownerOrderEffects(ownerSide) } },
      onEffectFailed: (effect, reason) => {
        const notice = owner.effectFailed(effect, reason);
        failureNotices.add(notice);
        void notice.finally(() => failureNotices.delete(notice));
      },
      ...(options.maxAttempts ? { effects: { maxAttempts: options.maxAttempts } } : {}),
    });
    owner = createOwnerBot({
      token: ownerToken,
      apiRoot: files?.apiRoot ?? standIn.apiRoot,
      botInfo: ownerBotInfo,
      runtime: actors.runtime,
      orders: actors.orders,
      store,
      ownerIds: options.ownerIds,
      ...(options.tagSet ? { tagSet: options.tagSet } : {}),
      ai: options.ai === null ? null : ownerAi.port,
      ...(options.aiTimeoutMs ? { aiTimeoutMs: options.aiTimeoutMs } : {}),
      ...(sessions ? { sessionStorage: sessions } : {}),
      currency: "RUB",
      timeZone: "Europe/Moscow",
      clock,
      log,
      ...(options.broadcasts ? { broadcasts: options.broadcasts({ store, actors, standInRoot: standIn.apiRoot, log, clock }) } : {}),
      ...(options.segments ? { segments: options.segments } : {}),
      ...(options.exportLimitBytes ? { exportLimitBytes: options.exportLimitBytes } : {}),
    });
    await owner.bot.init();
    await actors.runtime.recover();
    await actors.orders?.recover();
    actors.effects.start();
  }
  await boot();

  /** Every commit done, and every effect due on the test's clock delivered (or scheduled for a retry). */
  async function settle(): Promise<void> {
    await actors.runtime.settled();
    await actors.orders?.settled();
    await actors.effects.drain();
    await actors.runtime.settled();
    await actors.orders?.settled();
    await Promise.all([...failureNotices]);
  }

  async function deliverToOwnerBot(update: Update): Promise<void> {
    standIn.observe(update);
    await owner.bot.handleUpdate(update);
  }

  /** Drives one owner's private chat with the owner bot, and reads back what they see. */
  function ownerChat(id: number, profile: Parameters<typeof updates.user>[1] = {}) {
    const from: User = updates.user(id, { first_name: "Ольга", username: `owner${id}`, language_code: "ru", ...profile });
    const deliver = deliverToOwnerBot;
    const last = (): StoredMessage | undefined => standIn.viewedMessage(id, ownerToken);
    return {
      from,
      id,
      command: (name: string, payload?: string) => deliver(updates.command(from, name, payload)),
      send: (text: string) => deliver(updates.privateText(from, text)),
      /** Presses a button on the newest message that has it. */
      press: (text: string) => deliver(updates.press(from, standIn.messageWithButton(id, ownerToken, text), text)),
      /** Presses a button on one particular (maybe old) message. */
      pressOn: (message: StoredMessage | undefined, text: string) => deliver(updates.press(from, message, text)),
      pressData: (data: string) => {
        const message = last();
        if (!message) throw new Error("no message to press on");
        return deliver(updates.callback(from, data, message));
      },
      sticker: () => deliver(updates.sticker(from)),
      deliver,
      last,
      /** Text and button labels of the newest message. */
      screen: () => {
        const message = last();
        return { text: message?.text ?? message?.caption ?? "", buttons: standIn.buttonsOf(message).map((button) => button.text) };
      },
      messages: () => standIn.messages(id, ownerToken),
      /** The toast or alert of the newest answered button press. */
      toast: () => standIn.callbackAnswers.findLast((answer) => answer.token === ownerToken)?.text,
    };
  }

  async function stop(): Promise<void> {
    await actors.stop();
    await store.close();
  }

  return {
    dir,
    clock,
    standIn,
    /** The file server in front of the stand-in (`userFiles: true`), or null. */
    files,
    ownerAi,
    /** The AI the customers' consultant asks (through the effect worker). */
    customerAi,
    logLines,
    get store() {
      return store;
    },
    get runtime() {
      return actors.runtime;
    },
    get actors() {
      return actors;
    },
    get owner() {
      return owner;
    },
    ownerChat,
    deliverToOwnerBot,
    settle,
    /** A customer's event, as the shop bot would dispatch it, with its effects delivered. */
    async dispatch(userId: number, input: DispatchInput) {
      const result = await actors.runtime.dispatch(userId, input);
      await settle();
      return result;
    },
    /** Fires the timers due on the test's clock, then delivers what they queued. */
    async fireTimers(): Promise<void> {
      await actors.timers.fireDue(clock.now());
      await settle();
    },
    async lead(userId: number): Promise<Lead | null> {
      await actors.runtime.settled();
      return store.lead(userId);
    },
    /** Stops and starts the process's parts on the same files, as a restart would. */
    async restart(): Promise<void> {
      await stop();
      await boot();
    },
    async close(): Promise<void> {
      await stop();
      await files?.close();
      await standIn.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type OwnerHarness = Awaited<ReturnType<typeof startOwnerHarness>>;
export type OwnerChat = ReturnType<OwnerHarness["ownerChat"]>;
