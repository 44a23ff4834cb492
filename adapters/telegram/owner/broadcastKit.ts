import { InputFile, type Api } from "grammy";
import type { Broadcasts, BroadcastMessage } from "../../../actors/broadcasts.port.ts";
import { dayBounds, dayOf } from "../../../actors/calendar.ts";
import { describeError, type Logger } from "../../../actors/log.port.ts";
import type { SegmentFilter, SegmentStore } from "../../../actors/segments.port.ts";
import { ownerBroadcastMachine, ownerBroadcastVersion } from "../../../machines/ownerBroadcast.machine.ts";
import type { DraftAudience, OwnerBroadcastActionParams, OwnerBroadcastEvent } from "../../../machines/ownerBroadcast.types.ts";
import { createFlow, type FlowActionImplementations } from "../flowState.ts";
import { fetchTelegramFile, maxPhotoBytes, type FileSource } from "./catalogFiles.ts";
import type { OwnerContext } from "./ownerContext.ts";
import { slot, type FlowSlot } from "./ownerFlows.ts";
import { createLiveProgress, type LiveProgress } from "./broadcastLive.ts";

/** What the owner bot needs to offer broadcasts: the broadcast actors, the segments, and the shop bot's hand for photos. */
export interface BroadcastParts {
  readonly broadcasts: Broadcasts;
  readonly segments: SegmentStore;
  /** The terms' current version (`CONSENT_VERSION`), which segments are read against. */
  readonly consentVersion: string;
  /**
   * Uploads a photo's bytes through the shop bot once and returns the shop bot's file id for it (a
   * file id of the owner bot is no use to the shop bot). Null: a broadcast cannot carry a photo.
   */
  readonly uploadPhoto: ((bytes: Uint8Array, ownerId: number) => Promise<string>) | null;
  /** The least time between two edits of a live progress message (default 3 s); a change of status is shown at once. */
  readonly progressEveryMs?: number;
}

/** What the broadcast features work with, besides the owner kit. */
export interface BroadcastKit extends BroadcastParts {
  /** The owner's composition (machines/ownerBroadcast.machine.ts), kept in the session while it waits. */
  readonly compose: FlowSlot<typeof ownerBroadcastMachine>;
  /** The live progress messages, edited as the broadcasts move. */
  readonly live: LiveProgress;
  /** Where the owner bot fetches the photos the owner sends (for the preview and the shop bot's upload). */
  readonly files: FileSource;
  /** The filter of an audience as it is now (a saved segment read again), or null when it is gone. */
  filterOf(audience: DraftAudience): Promise<SegmentFilter | null>;
  /** The recipients an audience has now: who the broadcast would message. */
  count(audience: DraftAudience): Promise<number>;
}

/**
 * Who a broadcast may message within an audience: never the unsubscribed (a broadcast is news), nor
 * those who blocked the bot (a send would only fail); the store never counts the erased.
 */
export const recipientsOf = (filter: SegmentFilter): SegmentFilter => ({ ...filter, unsubscribed: false, blocked: false });

async function filterOf(parts: BroadcastParts, audience: DraftAudience): Promise<SegmentFilter | null> {
  if (audience.kind === "all") return {};
  if (audience.kind === "built") return audience.filter as SegmentFilter;
  const saved = (await parts.segments.savedSegments()).find((segment) => segment.id === audience.id);
  return saved ? saved.filter : null;
}

/** `startBroadcast`: the photo uploaded for the shop bot, the audience read again, and the start under the composition's key. */
function composeActions(parts: BroadcastParts, files: FileSource, log: Logger): FlowActionImplementations<OwnerBroadcastActionParams, OwnerBroadcastEvent, OwnerContext> {
  return {
    startBroadcast: async ({ key, draft, button, audience, at }, ctx) => {
      const by = ctx.from?.id ?? 0;
      const filter = await filterOf(parts, audience);
      if (filter === null) return { type: "REFUSED", reason: "no_recipients" };
      let photo: string | null = null;
      if (draft.photo !== null) {
        try {
          if (!parts.uploadPhoto) throw new Error("no shop bot to upload the photo through");
          const { bytes } = await fetchTelegramFile(files, draft.photo, maxPhotoBytes);
          photo = await parts.uploadPhoto(bytes, by);
        } catch (error) {
          log.warn("broadcast_photo_failed", { bot: "owner", ...describeError(error) });
          return { type: "REFUSED", reason: "failed" };
        }
      }
      const message: BroadcastMessage = { text: draft.text, entities: draft.entities, photo, button };
      try {
        const result = await parts.broadcasts.start({ key, by, segment: recipientsOf(filter), message, ...(at === null ? {} : { at }) });
        if (result.kind === "applied") return { type: "STARTED", id: result.progress.id, at };
        return { type: "REFUSED", reason: result.reason === "no_recipients" || result.reason === "another_is_sending" ? result.reason : "failed" };
      } catch (error) {
        log.error("broadcast_start_failed", { bot: "owner", ...describeError(error) });
        return { type: "REFUSED", reason: "failed" };
      }
    },
  };
}

/** The broadcast features' parts, created once per bot. */
export function createBroadcastKit(parts: BroadcastParts, env: { readonly files: FileSource; readonly log: Logger; readonly now: () => number; readonly currency: string }): BroadcastKit {
  const { files, log, now, currency } = env;
  const context = { consentVersion: parts.consentVersion };
  return {
    ...parts,
    files,
    compose: slot(createFlow(ownerBroadcastMachine, ownerBroadcastVersion, composeActions(parts, files, log)), "broadcast", (snapshot) => snapshot.value !== "idle"),
    live: createLiveProgress({ api: files.api, log, now, currency, everyMs: parts.progressEveryMs ?? 3_000 }),
    filterOf: (audience) => filterOf(parts, audience),
    async count(audience) {
      const filter = await filterOf(parts, audience);
      return filter === null ? 0 : parts.segments.countSegment(recipientsOf(filter), context);
    },
  };
}

const timePattern = /^(\d{4}-\d{2}-\d{2})[ T](\d{1,2}):(\d{2})$/;

/** A typed `YYYY-MM-DD HH:MM` in the shop's zone as epoch ms, or null when it is not one (a 31 February, a 25:00). */
export function readTime(text: string, timeZone: string): number | null {
  const match = timePattern.exec(text.trim());
  if (!match?.[1] || match[2] === undefined || match[3] === undefined) return null;
  const [day, hours, minutes] = [match[1], Number(match[2]), Number(match[3])];
  if (hours > 23 || minutes > 59) return null;
  try {
    const { start } = dayBounds(day, timeZone);
    return dayOf(start, timeZone) === day ? start + hours * 3_600_000 + minutes * 60_000 : null;
  } catch {
    return null;
  }
}

/** The quick times of the ✅ screen: in an hour, or tomorrow at 10:00 in the shop's zone. */
export function quickTime(choice: "hour" | "tomorrow", now: number, timeZone: string): number {
  if (choice === "hour") return now + 3_600_000;
  const tomorrow = dayOf(dayBounds(dayOf(now, timeZone), timeZone).end, timeZone);
  return dayBounds(tomorrow, timeZone).start + 10 * 3_600_000;
}

/**
 * `uploadPhoto` through the shop bot: the photo is sent once to the owner's own chat with the shop
 * bot (silently, and deleted at once), and the shop bot's file id of its largest size is what every
 * recipient gets. The owner must have pressed Start in their shop once, as they do to try it.
 */
export function uploadThroughShopBot(api: Api): (bytes: Uint8Array, ownerId: number) => Promise<string> {
  return async (bytes, ownerId) => {
    const sent = await api.sendPhoto(ownerId, new InputFile(bytes, "broadcast.jpg"), { disable_notification: true });
    await api.deleteMessage(ownerId, sent.message_id).catch(() => undefined);
    const fileId = sent.photo?.reduce((best, size) => (size.width * size.height > best.width * best.height ? size : best)).file_id;
    if (!fileId) throw new Error("Telegram kept no photo");
    return fileId;
  };
}
