/**
 * What the Bot API stand-in's parts share: Telegram's failed answer, and reading parameters that
 * may arrive as JSON values or as form strings (grammY sends JSON, multipart sends strings).
 */

import type { ResponseParameters } from "grammy/types";

/** A failed Bot API answer: thrown by a method handler, sent as `{ ok: false, error_code, description }`. */
export class ApiFailure extends Error {
  readonly errorCode: number;
  readonly parameters: ResponseParameters | undefined;
  constructor(errorCode: number, description: string, parameters?: ResponseParameters) {
    super(description);
    this.errorCode = errorCode;
    this.parameters = parameters;
  }
}

/** Telegram's 400, whose description always starts with "Bad Request: ". */
export const badRequest = (text: string): ApiFailure => new ApiFailure(400, `Bad Request: ${text}`);

/** A JSON object (not an array, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** An integer parameter, as a JSON number or as the digits of a form field. */
export function asInt(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isSafeInteger(value)) return value;
  if (typeof value === "string" && /^-?\d{1,16}$/.test(value)) return Number(value);
  return undefined;
}

/** A string parameter; a number is taken as its digits, as the Bot API server takes it. */
export function asString(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  return undefined;
}

/** A boolean parameter, from JSON or from a form field. */
export const asBool = (value: unknown): boolean => value === true || value === "true";

let lastUpdateId = 0;

/**
 * The next update id of the test process, shared by the update factories (telegramUpdates.ts) and
 * the stand-in (the updates it queues and those it hands to a bot with a payment's `deliver`), so
 * that the two never give one id twice: the bots key what an update did by its id, and take a reused one for a redelivery.
 * A `given` id is returned as it is and moves the counter past it.
 */
export function nextUpdateId(given?: number): number {
  if (given !== undefined) {
    lastUpdateId = Math.max(lastUpdateId, given);
    return given;
  }
  lastUpdateId += 1;
  return lastUpdateId;
}
