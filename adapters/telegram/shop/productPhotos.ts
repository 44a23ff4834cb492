import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { basename, isAbsolute } from "node:path";
import { GrammyError, InputFile } from "grammy";
import type { Message } from "grammy/types";
import type { SessionStore } from "../../../actors/store.port.ts";
import type { ScreenPhotos } from "../showScreen.ts";

/** The store key of a picture's file_id: per bot (a file_id is only good for the bot it was given to) and per content. */
export const photoKey = (botId: number, sha256: string): string => `photo:${botId}:${sha256}`;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null;

function storedFileId(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return isRecord(value) && typeof value["fileId"] === "string" && value["fileId"] !== "" ? value["fileId"] : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The catalog's picture files (absolute paths, see adapters/catalog): each is uploaded to Telegram
 * once, and the file_id Telegram gives it is kept in the store's key/value, the table the bots'
 * sessions live in, under {@link photoKey}, and sent from then on, across restarts. A changed
 * file has another hash, so it is uploaded again; a kept file_id Telegram refuses is dropped.
 * URLs and file_ids from the catalog go to Telegram as they are.
 */
export function productPhotos(store: SessionStore, botId: () => number): ScreenPhotos {
  /** file_ids known in this process, by path. */
  const known = new Map<string, string>();
  /** The store key of each path, from its content, read once per process. */
  const keys = new Map<string, string>();
  const keyOf = (path: string, bytes?: Buffer): string => {
    let key = keys.get(path);
    if (key === undefined) {
      key = photoKey(botId(), createHash("sha256").update(bytes ?? readFileSync(path)).digest("hex"));
      keys.set(path, key);
    }
    return key;
  };

  return {
    async input(photo) {
      if (!isAbsolute(photo)) return photo;
      const cached = known.get(photo);
      if (cached !== undefined) return cached;
      const bytes = readFileSync(photo);
      const stored = storedFileId(await store.readSession(keyOf(photo, bytes)));
      if (stored !== undefined) {
        known.set(photo, stored);
        return stored;
      }
      return new InputFile(bytes, basename(photo));
    },
    async shown(photo, input, message: Message) {
      const fileId = message.photo?.at(-1)?.file_id;
      if (!(input instanceof InputFile) || fileId === undefined) return;
      known.set(photo, fileId);
      await store.writeSession(keyOf(photo), JSON.stringify({ fileId }));
    },
    async failed(photo, input, error) {
      // A 5xx or a timeout says nothing about the file_id: it stays.
      if (!isAbsolute(photo) || input instanceof InputFile || !(error instanceof GrammyError && error.error_code === 400)) return;
      known.delete(photo);
      await store.deleteSession(keyOf(photo));
    },
  };
}
