import { createHash } from "node:crypto";
import type { BroadcastMessage } from "./broadcasts.port.ts";
import { invalidKey } from "./customerRuntime.ts";

/** Telegram's limits: a message's text, and a photo's caption. */
export const maxTextChars = 4096;
export const maxCaptionChars = 1024;

/**
 * The broadcast id a start key gives: the same key is always the same broadcast, so a double press
 * (or a redelivered update) starts one. `B` and ten letters or digits; anything else is not an id.
 */
export function broadcastIdOfKey(key: string): string {
  const digest = createHash("sha256").update(key).digest();
  const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  let id = "B";
  for (let i = 0; i < 10; i++) id += alphabet[(digest[i] ?? 0) % 32];
  return id;
}

/** Whether `id` has the shape of a broadcast id (a forged button's may not). */
export const isBroadcastId = (id: unknown): id is string => typeof id === "string" && /^B[0-9A-Z]{10}$/.test(id);

function entityProblem(message: BroadcastMessage): string | null {
  if (!Array.isArray(message.entities)) return "entities must be a list";
  for (const [index, entity] of message.entities.entries()) {
    const { offset, length, type } = entity;
    if (typeof type !== "string" || !Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 1 || offset + length > message.text.length) {
      return `entity ${index + 1} (${String(type)}) does not fit the text at ${String(offset)}+${String(length)}`;
    }
    if (type === "text_link" && (typeof entity.url !== "string" || !/^(https?|tg):\/\//.test(entity.url))) return `entity ${index + 1} is a link without a valid URL`;
  }
  return null;
}

function buttonProblem(message: BroadcastMessage): string | null {
  const { button } = message;
  if (button === null) return null;
  if (typeof button !== "object" || typeof button.text !== "string" || button.text.length === 0 || button.text.length > 64) return "a button needs a text of 1 to 64 characters";
  if (button.kind === "url") return /^https?:\/\/\S+$/.test(button.url) ? null : "a URL button needs an http(s) URL";
  if (button.kind === "product") return typeof button.productId === "string" && button.productId.length > 0 && button.productId.length <= 64 ? null : "a product button needs a product id";
  return button.kind === "catalog" ? null : "a button is a product, the catalog or a URL";
}

/** Why a start cannot be taken (a caller's bug: the owner bot checks the message first), or null. */
export function startProblem(input: { readonly key: string; readonly by: number; readonly message: BroadcastMessage; readonly segment: unknown; readonly at?: number }): string | null {
  const keyProblem = invalidKey(input.key);
  if (keyProblem) return keyProblem;
  if (!Number.isSafeInteger(input.by) || input.by <= 0) return "a broadcast is started by an owner's Telegram id";
  if (input.at !== undefined && !Number.isFinite(input.at)) return "a start time is an epoch millisecond";
  if (typeof input.segment !== "object" || input.segment === null) return "a broadcast needs a segment";
  const { message } = input;
  if (typeof message !== "object" || message === null || typeof message.text !== "string") return "a broadcast needs a message";
  const limit = message.photo ? maxCaptionChars : maxTextChars;
  if (message.text.trim().length === 0) return "a broadcast's text is empty";
  if (message.text.length > limit) return `a broadcast's text is limited to ${limit} characters${message.photo ? " under a photo" : ""}`;
  if (message.photo !== null && (typeof message.photo !== "string" || message.photo.length === 0)) return "a photo is a file id";
  return entityProblem(message) ?? buttonProblem(message);
}
