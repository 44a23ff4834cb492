import { Buffer } from "node:buffer";
import { freeStorage } from "@grammyjs/storage-free";
import { Data } from "effect";
import type { StorageAdapter } from "grammy";
import type { SessionStore } from "../../actors/store.port.ts";
import { storeSessionStorage } from "./storeSessionStorage.ts";

/**
 * Where the bots keep their grammY sessions: in the CRM's own store (the default, same file and
 * backups as the customers), or in grammY's free session service, which needs no setup beyond the
 * bot token. The free service has hard limits and a client that retries outages without end, so
 * its adapter checks the limits before sending, bounds every call in time, and turns the client's
 * failures into tagged errors that never carry the bot token.
 */

/** The free service's limits, as the largest values it accepts (it refuses 16 KiB and 64 characters themselves). */
export const freeSessionLimits = {
  /** UTF-8 bytes of a session's JSON. */
  maxValueBytes: 16 * 1024 - 1,
  /** UTF-16 code units of a key, counted as it appears in the request path. */
  maxKeyLength: 63,
  /** Keys one bot may hold; past it every write is refused with 409, even an overwrite. */
  maxKeys: 50_000,
} as const;

/** A session too large for the free service, refused before sending. Names the key and sizes, never the content. */
export class SessionTooLarge extends Data.TaggedError("SessionTooLarge")<{
  readonly key: string;
  readonly bytes: number;
  readonly limit: number;
  readonly message: string;
}> {}

/** A session key too long for the free service, refused before sending. */
export class SessionKeyTooLong extends Data.TaggedError("SessionKeyTooLong")<{
  readonly key: string;
  readonly length: number;
  readonly limit: number;
  readonly message: string;
}> {}

/**
 * A key the free client cannot send faithfully: it puts keys in the URL unescaped, so `?`, `#`,
 * `\`, `.`/`..` segments or `%` escapes would reach the service as a different key.
 */
export class SessionKeyUnsafe extends Data.TaggedError("SessionKeyUnsafe")<{
  readonly key: string;
  readonly message: string;
}> {}

/** Why a free-service call failed: no answer in time, a refusal, a refused login, or no connection. */
export type FreeSessionFailure = "timeout" | "rejected" | "login" | "unreachable";

/** A failed call to the free session service. The message is redacted: it never holds the bot token. */
export class FreeSessionUnavailable extends Data.TaggedError("FreeSessionUnavailable")<{
  readonly operation: "read" | "write" | "delete" | "list";
  /** The key as sent (with the prefix); undefined for a listing. */
  readonly key: string | undefined;
  readonly reason: FreeSessionFailure;
  /** The service's HTTP status, when it answered with a refusal. */
  readonly status: number | undefined;
  readonly message: string;
}> {}

/** How the bots get their session storage; built from config by the entry point. */
export interface SessionStorageOptions {
  readonly kind: "store" | "free";
  /** Used for `kind: "store"`. */
  readonly store: SessionStore;
  /** Used for `kind: "free"`: the service logs in with it once and hands back its own token (a JWT). */
  readonly botToken: string;
  /** The free service's root URL; tests point it at a local stand-in. Default: the public service. */
  readonly freeRootUrl?: string;
  /** Put before every key, e.g. `"owner:"`, so two bots can share one store. Counts toward the key limit. */
  readonly prefix?: string;
  /**
   * How long one free-service call may take, waiting included, before it fails with reason
   * `"timeout"` (default 10 s). The client retries a 5xx answer forever, so without a bound an
   * outage would hold every update. A call given up on still completes in the background once the
   * service answers; calls on the same key stay in order, so a late write never overtakes a newer one.
   */
  readonly freeDeadlineMs?: number;
}

/**
 * The grammY storage for a bot's sessions, as configured.
 *
 * @example
 * bot.use(session({ initial, storage: sessionStorageFor<ShopSession>({ kind: config.sessions, store, botToken }) }));
 */
export function sessionStorageFor<T>(options: SessionStorageOptions): StorageAdapter<T> {
  const prefix = options.prefix ?? "";
  if (options.kind === "free") return freeSessionStorage<T>(options, prefix);
  const inner = storeSessionStorage<T>(options.store);
  if (prefix === "") return inner;
  return {
    read: (key) => inner.read(prefix + key),
    write: (key, value) => inner.write(prefix + key, value),
    delete: (key) => inner.delete(prefix + key),
  };
}

const defaultDeadlineMs = 10_000;

function freeSessionStorage<T>(options: SessionStorageOptions, prefix: string): StorageAdapter<T> {
  const client = freeStorage<T>(options.botToken, options.freeRootUrl === undefined ? undefined : { rootUrl: options.freeRootUrl });
  const deadlineMs = options.freeDeadlineMs ?? defaultDeadlineMs;
  const redact = redactorOf(options.botToken);
  /** The last call per key, settled or not: the next call on that key starts after it. */
  const lastCall = new Map<string, Promise<void>>();

  function call<R>(operation: FreeSessionUnavailable["operation"], key: string | undefined, run: () => Promise<R>): Promise<R> {
    const previous = key === undefined ? undefined : lastCall.get(key);
    const attempt = previous === undefined ? run() : previous.then(run);
    if (key !== undefined) {
      const settled = attempt.then(
        () => {},
        () => {},
      );
      lastCall.set(key, settled);
      void settled.then(() => {
        if (lastCall.get(key) === settled) lastCall.delete(key);
      });
    }
    return new Promise<R>((resolve, reject) => {
      const timer = setTimeout(() => {
        const message = `free session storage: ${operation} of ${describe(key)} got no answer within ${deadlineMs} ms`;
        reject(new FreeSessionUnavailable({ operation, key, reason: "timeout", status: undefined, message }));
      }, deadlineMs);
      attempt.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(failureOf(operation, key, error, redact));
        },
      );
    });
  }

  function checkedKey(key: string): string {
    const full = prefix + key;
    const sent = keyAsSent(full);
    if (sent === undefined) {
      const message = `free session storage: key ${JSON.stringify(full)} cannot be sent as it is (the client does not escape ?, #, \\, %, or . and .. segments)`;
      throw new SessionKeyUnsafe({ key: full, message });
    }
    if (sent.length > freeSessionLimits.maxKeyLength) {
      const message = `free session storage: key ${JSON.stringify(full)} is ${sent.length} characters as sent; the service accepts at most ${freeSessionLimits.maxKeyLength}`;
      throw new SessionKeyTooLong({ key: full, length: sent.length, limit: freeSessionLimits.maxKeyLength, message });
    }
    return full;
  }

  return {
    async read(key) {
      const full = checkedKey(key);
      return await call("read", full, () => client.read(full));
    },
    async write(key, value) {
      const full = checkedKey(key);
      const bytes = Buffer.byteLength(JSON.stringify(value) ?? "", "utf8");
      if (bytes > freeSessionLimits.maxValueBytes) {
        const message = `free session storage: session ${JSON.stringify(full)} is ${bytes} bytes of JSON; the service accepts at most ${freeSessionLimits.maxValueBytes}`;
        throw new SessionTooLarge({ key: full, bytes, limit: freeSessionLimits.maxValueBytes, message });
      }
      await call("write", full, () => client.write(full, value));
    },
    async delete(key) {
      const full = checkedKey(key);
      await call("delete", full, () => client.delete(full));
    },
    async *readAllKeys() {
      const keys = await call("list", undefined, () => client.readAllKeys());
      for (const key of keys) if (key.startsWith(prefix)) yield key.slice(prefix.length);
    },
  };
}

/** The key as the service will see it (the client appends it to the URL unescaped), or undefined if that changes it. */
function keyAsSent(key: string): string | undefined {
  const base = "http://session.invalid/session/";
  const url = new URL(base + key);
  if (url.search !== "" || url.hash !== "" || !url.href.startsWith(base)) return undefined;
  const sent = url.href.slice(base.length);
  try {
    return decodeURIComponent(sent) === key ? sent : undefined;
  } catch {
    return undefined;
  }
}

function describe(key: string | undefined): string {
  return key === undefined ? "all keys" : `key ${JSON.stringify(key)}`;
}

/** Replaces the bot token, and its secret half on its own, wherever a message might echo it. */
function redactorOf(token: string): (text: string) => string {
  const secretHalf = token.slice(token.indexOf(":") + 1);
  const secrets = [token, ...(secretHalf.length >= 8 && secretHalf !== token ? [secretHalf] : [])].filter((secret) => secret !== "");
  return (text) => secrets.reduce((out, secret) => out.split(secret).join("[bot token]"), text);
}

/**
 * The client's failures, by what it throws: `Error("<status>: <service's error>")` for a refusal,
 * `TypeError("Cannot use free session, invalid bot token!")` when `/login` gives no JWT,
 * fetch's `TypeError("fetch failed")` without a connection, and a `SyntaxError` for an answer
 * that is not JSON.
 */
function failureOf(
  operation: FreeSessionUnavailable["operation"],
  key: string | undefined,
  error: unknown,
  redact: (text: string) => string,
): FreeSessionUnavailable {
  const text = error instanceof Error ? error.message : String(error);
  const refusal = /^(\d{3}): ([\s\S]*)$/.exec(text);
  let reason: FreeSessionFailure = "unreachable";
  let status: number | undefined;
  let detail = text;
  if (refusal?.[1] !== undefined) {
    reason = "rejected";
    status = Number(refusal[1]);
    detail = `the service answered ${status}: ${refusal[2] ?? ""}`;
  } else if (/invalid bot token/i.test(text)) {
    reason = "login";
    detail = "the service refused to log in with the bot token";
  } else if (error instanceof SyntaxError) {
    reason = "rejected";
    detail = "the service answered with something other than JSON";
  } else if (error instanceof Error && error.cause instanceof Error && "code" in error.cause) {
    detail = `${text} (${String(error.cause.code)})`;
  }
  const message = redact(`free session storage: ${operation} of ${describe(key)} failed: ${detail}`);
  return new FreeSessionUnavailable({ operation, key, reason, status, message });
}
