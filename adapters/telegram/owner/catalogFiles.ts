import type { Api } from "grammy";
import { GrammyError } from "grammy";
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Files the owner sends to the owner bot (a catalog document, a product photo), fetched as the Bot
 * API serves them: `getFile`, then a GET of `<api root>/file/bot<token>/<file_path>`. The URL holds
 * the bot's token, so it is never logged nor put into an error.
 */

/** Why a file could not be had: over the size asked for (or Telegram's 20 MB for bots), or not fetched. */
export class FileFetchFailed extends Error {
  override readonly name = "FileFetchFailed";
  readonly reason: "too_big" | "unavailable";
  constructor(reason: "too_big" | "unavailable", detail: string) {
    super(`the file could not be fetched: ${detail}`);
    this.reason = reason;
  }
}

export interface FileSource {
  readonly api: Api;
  readonly token: string;
  /** Without a trailing slash; Telegram's by default. */
  readonly apiRoot?: string;
  /** How long a download may take (default 30 s). */
  readonly timeoutMs?: number;
}

export interface FetchedFile {
  readonly bytes: Uint8Array;
  /** Telegram's id of the file that is the same for every bot and over time: a stable name for it. */
  readonly uniqueId: string;
}

async function bodyWithin(response: Response, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (declared > maxBytes) throw new FileFetchFailed("too_big", `${declared} bytes`);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body ?? []) {
    const bytes = chunk instanceof Uint8Array ? chunk : new Uint8Array();
    size += bytes.byteLength;
    if (size > maxBytes) throw new FileFetchFailed("too_big", `over ${maxBytes} bytes`);
    chunks.push(bytes);
  }
  return Buffer.concat(chunks);
}

/**
 * Fetches a file the bot was sent, refusing one over `maxBytes` before or while downloading it.
 *
 * @throws {FileFetchFailed} `too_big` or `unavailable` (an unknown file_id, a network failure, a timeout).
 */
export async function fetchTelegramFile(source: FileSource, fileId: string, maxBytes: number): Promise<FetchedFile> {
  let file;
  try {
    file = await source.api.getFile(fileId);
  } catch (error) {
    if (error instanceof GrammyError && /too big/i.test(error.description)) throw new FileFetchFailed("too_big", error.description);
    throw new FileFetchFailed("unavailable", error instanceof GrammyError ? error.description : "getFile failed");
  }
  if (file.file_size !== undefined && file.file_size > maxBytes) throw new FileFetchFailed("too_big", `${file.file_size} bytes`);
  if (!file.file_path) throw new FileFetchFailed("unavailable", "Telegram gave no file_path");
  const root = source.apiRoot ?? "https://api.telegram.org";
  let response: Response;
  try {
    response = await fetch(`${root}/file/bot${source.token}/${file.file_path}`, { signal: AbortSignal.timeout(source.timeoutMs ?? 30_000) });
  } catch (error) {
    throw new FileFetchFailed("unavailable", error instanceof Error && error.name === "TimeoutError" ? "timed out" : "the download failed");
  }
  if (!response.ok) throw new FileFetchFailed("unavailable", `the download answered ${response.status}`);
  return { bytes: await bodyWithin(response, maxBytes), uniqueId: file.file_unique_id };
}

/** Telegram's limit for a photo a bot sends, which a product photo must keep to. */
export const maxPhotoBytes = 10 * 1024 * 1024;

/**
 * Keeps a product photo the owner sent as a file in `dir`, named by its unique id, and returns its
 * absolute path: the shop bot uploads it once and sends it by its own file_id from then on (a
 * file_id Telegram gave the owner bot is no use to the shop bot). Written whole or not at all.
 */
export async function keepPhoto(source: FileSource, dir: string, fileId: string): Promise<string> {
  const { bytes, uniqueId } = await fetchTelegramFile(source, fileId, maxPhotoBytes);
  if (bytes.byteLength === 0) throw new FileFetchFailed("unavailable", "the photo is empty");
  mkdirSync(dir, { recursive: true });
  const safe = uniqueId.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 64) || "photo";
  const path = join(dir, `${safe}.jpg`);
  const partial = `${path}.${process.pid}.part`;
  writeFileSync(partial, bytes);
  renameSync(partial, path);
  return path;
}
