import { Api } from "grammy";
import type { Message, MessageEntity, Update } from "grammy/types";
import type { Pacer } from "../../../../actors/broadcastDelivery.port.ts";
import { broadcastCustomersOf } from "../../../../actors/broadcastCustomers.ts";
import { createBroadcasts, type BroadcastEngine } from "../../../../actors/broadcasts.ts";
import type { BroadcastProgress } from "../../../../actors/broadcasts.port.ts";
import { shopBroadcastDelivery } from "../../shop/shopBroadcastDelivery.ts";
import * as updates from "../../testing/telegramUpdates.ts";
import { uploadThroughShopBot } from "../broadcastKit.ts";
import { ownerToken, shopToken, startOwnerHarness, type OwnerChat, type OwnerHarness } from "./ownerHarness.ts";

/**
 * A pacer on the harness's manual clock whose sleeps can be held: while held, the sender waits at
 * its next pause between sends, so a test can press ⏸ or ✖️ on a broadcast that is still sending.
 */
function gatedPacer(clock: { now(): number; advance(ms: number): void }) {
  let held = false;
  let waiting: (() => void)[] = [];
  const pacer: Pacer & { hold(): void; release(): void } = {
    now: () => clock.now(),
    async sleep(ms) {
      if (held) await new Promise<void>((resolve) => waiting.push(resolve));
      clock.advance(Math.max(0, ms));
      await new Promise<void>((resolve) => setImmediate(resolve));
    },
    hold() {
      held = true;
    },
    release() {
      held = false;
      const woken = waiting;
      waiting = [];
      for (const wake of woken) wake();
    },
  };
  return pacer;
}

export const consentVersion = "2026-01";

/** A message of the owner with text and entities as Telegram gives them (`entities` may be forged). */
export function formatted(chat: OwnerChat, text: string, entities: readonly MessageEntity[]): Update {
  const update = updates.privateText(chat.from, text);
  return { ...update, message: { ...(update.message as Message), text, entities: [...entities] } as Update["message"] };
}

/** A photo of the owner, its largest size's bytes registered with the file server, with a caption. */
export function ownerPhoto(harness: OwnerHarness, chat: OwnerChat, bytes: Uint8Array, caption: string, entities: readonly MessageEntity[] = [], claimedSize?: number): Update {
  if (!harness.files) throw new Error("no file server");
  const large = harness.files.add(ownerToken, bytes, { name: "large.jpg", ...(claimedSize === undefined ? {} : { size: claimedSize }) });
  const small = harness.files.add(ownerToken, bytes.subarray(0, 8), { name: "small.jpg" });
  const update = updates.privateText(chat.from, caption);
  const { text: _text, entities: _entities, ...message } = update.message as Message;
  return {
    ...update,
    message: { ...message, photo: [{ ...small, width: 90, height: 90 }, { ...large, width: 1280, height: 960 }], caption, ...(entities.length > 0 ? { caption_entities: [...entities] } : {}) } as Update["message"],
  };
}

/** `count` customers who pressed Start, ids from `first`. */
async function startCustomers(harness: OwnerHarness, first: number, count: number, language: "ru" | "en"): Promise<number[]> {
  const ids = Array.from({ length: count }, (_, index) => first + index);
  for (const id of ids) await harness.dispatch(id, { type: "start", name: `Покупатель ${id}`, language, key: `bh:${id}:start` });
  return ids;
}

/** Waits (on real time, bounded) until the broadcast's progress passes `done`, and its live messages are edited. */
async function waitFor(harness: OwnerHarness, engine: BroadcastEngine, id: string, done: (progress: BroadcastProgress) => boolean): Promise<BroadcastProgress> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const progress = await engine.progress(id);
    if (progress && done(progress)) {
      await harness.owner.broadcastLive?.settled();
      return progress;
    }
    if (Date.now() > deadline) throw new Error(`broadcast ${id} stayed ${JSON.stringify(progress)}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * The owner bot with broadcasts on real parts: the owner harness (SQLite, the customer actors, the
 * Bot API stand-in, the file server for photos the owner sends), the real broadcast engine sending
 * through the shop bot's own delivery on a held-or-running pacer, and the shop bot uploading
 * broadcast photos once.
 */
export async function startBroadcastHarness(options: { readonly ownerIds?: readonly number[]; readonly perSecond?: number } = {}) {
  let engine: BroadcastEngine | null = null;
  let pacer: ReturnType<typeof gatedPacer> | null = null;
  const shopApi = (root: string): Api => new Api(shopToken, { apiRoot: root });
  const harness = await startOwnerHarness({
    ownerIds: options.ownerIds ?? [100],
    userFiles: true,
    broadcasts: ({ store, actors, standInRoot, log, clock }) => {
      pacer = gatedPacer(clock);
      engine = createBroadcasts({
        store,
        delivery: shopBroadcastDelivery(shopApi(standInRoot)),
        customers: broadcastCustomersOf(actors.runtime),
        consentVersion,
        pacer,
        perSecond: options.perSecond ?? 25,
        log,
      });
      return { broadcasts: engine, segments: store, consentVersion, uploadPhoto: uploadThroughShopBot(shopApi(standInRoot)), progressEveryMs: 3_000 };
    },
  });
  const current = (): BroadcastEngine => {
    if (!engine) throw new Error("no broadcast engine");
    return engine;
  };
  await current().startUp();

  return {
    harness,
    get engine() {
      return current();
    },
    get pacer() {
      if (!pacer) throw new Error("no pacer");
      return pacer;
    },
    customers: (first: number, count: number, language: "ru" | "en" = "ru") => startCustomers(harness, first, count, language),
    until: (id: string, done: (progress: BroadcastProgress) => boolean) => waitFor(harness, current(), id, done),
    formatted,
    /** A photo of the owner with a caption; `claimedSize` is what Telegram reports of its largest size. */
    photo: (chat: OwnerChat, bytes: Uint8Array, caption: string, entities: readonly MessageEntity[] = [], claimedSize?: number) => ownerPhoto(harness, chat, bytes, caption, entities, claimedSize),
    /** The newest broadcast's id. */
    async startedId(): Promise<string> {
      const id = (await current().list(1))[0]?.id;
      if (!id) throw new Error("no broadcast started");
      return id;
    },
    /** What customers got from the shop bot in their chat. */
    got: (userId: number) => harness.standIn.messages(userId, shopToken),
    /** Stops the engine (its sends in flight end), restarts the process's parts on the same files, and starts the engine up again (its pacer held, with `hold`). */
    async restart(options: { readonly hold?: boolean } = {}) {
      pacer?.release();
      await engine?.stop();
      await harness.restart();
      if (options.hold) pacer?.hold();
      await current().startUp();
    },
    async close() {
      pacer?.release();
      await engine?.stop();
      await harness.close();
    },
  };
}

export type BroadcastHarness = Awaited<ReturnType<typeof startBroadcastHarness>>;
