/**
 * Reaching Telegram at start: `getMe` for a bot's token, with a deadline per attempt and a capped
 * backoff between attempts, one log line per failed attempt naming the API root and the reason.
 * Api.telegram.org is blocked in some places this shop runs, so this is often the first thing a
 * user sees: the line must come within seconds, and never hold the token (the request URL holds
 * it, so only the root is shown).
 *
 * The probe is a bare grammY `Api`, without the bots' auto-retry, which retries a network error
 * forever and would keep every attempt silent.
 */
import { Api, GrammyError, HttpError } from "grammy";
import type { UserFromGetMe } from "grammy/types";
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "../actors/log.port.ts";
import { StartupAborted, StartupError } from "./startupErrors.ts";

export interface ConnectOptions {
  /** The setting that holds the token, named in the line when Telegram rejects it. */
  readonly setting: "SHOP_BOT_TOKEN" | "OWNER_BOT_TOKEN";
  readonly token: string;
  /** A self-hosted Bot API server, without a trailing slash; Telegram's when absent. */
  readonly apiRoot?: string;
  /** How many attempts before giving up; unlimited when absent. */
  readonly attempts?: number;
  /** Ends the attempts (and the one in flight) at once: a stop signal. */
  readonly signal?: AbortSignal;
  readonly log: Logger;
}

/** The signal type grammY's methods declare (the abort-controller shim's). */
export type ApiSignal = NonNullable<Parameters<Api["getMe"]>[0]>;

/**
 * The platform's AbortSignal as grammY's declared type: grammY only listens for its "abort"
 * event, which the platform's signal sends, but types it with the abort-controller shim.
 */
export const apiSignal = (signal: AbortSignal): ApiSignal => signal as unknown as ApiSignal;

/** Seconds an attempt may take: short at first, so the first line comes fast; longer later, for slow links. */
export const attemptSeconds = (attempt: number): number => [5, 5, 10, 20][attempt - 1] ?? 30;

/** Seconds to wait after failed attempt `attempt`: 1, 2, 4 … capped at 60. */
export const retryDelaySeconds = (attempt: number): number => Math.min(60, 2 ** (attempt - 1));

/** The API root as it may be shown: scheme, host and path, without credentials or a token. */
export function shownApiRoot(apiRoot: string | undefined): string {
  if (!apiRoot) return "https://api.telegram.org";
  try {
    const url = new URL(apiRoot);
    return `${url.protocol}//${url.host}${url.pathname}`.replace(/\/$/, "");
  } catch {
    return "(the TELEGRAM_API_ROOT set)";
  }
}

const networkReasons: Readonly<Record<string, string>> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  ECONNABORTED: "connection aborted",
  EPIPE: "connection closed",
  ETIMEDOUT: "connection timed out",
  ENOTFOUND: "host not found (DNS)",
  EAI_AGAIN: "DNS lookup failed",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  EPROTO: "TLS handshake failed",
};

function codeOf(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const code = "code" in error ? error.code : undefined;
  if (typeof code === "string") return code;
  return "cause" in error ? codeOf(error.cause) : undefined;
}

/** Why an attempt failed, in a few words, recognised by code; never the request URL (it holds the token). */
export function unreachableReason(error: unknown): string {
  if (error instanceof GrammyError) return `Telegram answered ${error.error_code}: ${error.description.slice(0, 120)}`;
  const cause = error instanceof HttpError ? error.error : error;
  const code = codeOf(cause);
  if (code && networkReasons[code]) return `${networkReasons[code]} (${code})`;
  if (code && /CERT|TLS|SSL|SIGNATURE|ISSUER/.test(code)) return `TLS certificate not trusted (${code})`;
  if (typeof cause === "object" && cause !== null && "type" in cause && cause.type === "invalid-json") {
    return "the answer is not the Bot API's (not JSON); is this a Bot API server?";
  }
  const name = cause instanceof Error ? cause.name : typeof cause;
  return code ? `${name} (${code})` : name;
}

const rejects = (error: unknown): boolean => error instanceof GrammyError && (error.error_code === 401 || error.error_code === 404);

/**
 * The bot's own user, from `getMe`, once Telegram answers. Throws StartupError at once when the
 * token is rejected (401, 404), or after the last of `attempts`; StartupAborted when `signal` fires.
 */
export async function connectTelegram(options: ConnectOptions): Promise<UserFromGetMe> {
  const api = new Api(options.token, { ...(options.apiRoot ? { apiRoot: options.apiRoot } : {}), timeoutSeconds: 60 });
  const apiRoot = shownApiRoot(options.apiRoot);
  const bot = options.setting === "SHOP_BOT_TOKEN" ? "shop" : "owner";
  for (let attempt = 1; ; attempt++) {
    const seconds = attemptSeconds(attempt);
    const deadline = AbortSignal.timeout(seconds * 1_000);
    try {
      const me = await api.getMe(apiSignal(options.signal ? AbortSignal.any([options.signal, deadline]) : deadline));
      if (attempt > 1) options.log.info("telegram_reached", { bot, apiRoot, attempt });
      return me;
    } catch (error) {
      if (options.signal?.aborted) throw new StartupAborted();
      if (rejects(error)) throw new StartupError([`Telegram rejected ${options.setting}: check the token @BotFather gave you.`]);
      const reason = deadline.aborted ? `no answer within ${seconds} s` : unreachableReason(error);
      const last = options.attempts !== undefined && attempt >= options.attempts;
      if (last) {
        options.log.error("telegram_unreachable", { bot, apiRoot, reason, attempt, attempts: options.attempts, retrying: false });
        throw new StartupError([
          `Telegram cannot be reached at ${apiRoot}: ${reason}; gave up after ${attempt} attempt${attempt === 1 ? "" : "s"} (TELEGRAM_CONNECT_ATTEMPTS). Check the network, a firewall or proxy, or TELEGRAM_API_ROOT.`,
        ]);
      }
      const retryAfter = error instanceof GrammyError ? (error.parameters.retry_after ?? 0) : 0;
      const delay = Math.max(retryDelaySeconds(attempt), retryAfter);
      options.log.warn("telegram_unreachable", {
        bot,
        apiRoot,
        reason,
        attempt,
        attempts: options.attempts ?? "unlimited",
        retrying: true,
        retryInSeconds: delay,
        retryAt: new Date(Date.now() + delay * 1_000).toISOString(),
      });
      try {
        await sleep(delay * 1_000, undefined, options.signal ? { signal: options.signal } : {});
      } catch {
        throw new StartupAborted();
      }
    }
  }
}
