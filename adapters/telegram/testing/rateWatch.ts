/**
 * Counts sends to the Bot API stand-in that broke Telegram's broadcast limits: more than 30
 * messages in any second overall (per bot), or more than one a second to one chat. Wired into the
 * stand-in with its `rateWatch` option; it keeps a second's worth of times, not the calls.
 */

/** The methods that put a message in a chat. */
const sendMethods: ReadonlySet<string> = new Set([
  "sendMessage",
  "sendPhoto",
  "sendVideo",
  "sendAnimation",
  "sendDocument",
  "sendAudio",
  "sendVoice",
  "sendSticker",
  "sendMediaGroup",
  "sendInvoice",
  "copyMessage",
  "forwardMessage",
]);

export interface RateViolations {
  /** Sends counted (to any chat). */
  readonly sends: number;
  /** Sends that made more than `perSecond` in the second before them (their own included). */
  readonly overall: number;
  /** Sends to a chat that had one less than a second before. */
  readonly perChat: number;
}

export interface RateWatch {
  /** The stand-in's hook: one request, at its arrival time on the stand-in's clock. */
  record(call: { readonly token: string; readonly method: string; readonly payload: Readonly<Record<string, unknown>>; readonly at: number }): void;
  violations(): RateViolations;
}

/**
 * A watch of Telegram's limits: 30 a second overall and 1 a second per chat, unless told otherwise.
 * `timeOf` reads a call's time another way: a sender on a simulated clock in another process says
 * its time in each request (see bench/p10Broadcast.ts), since the stand-in cannot see that clock.
 */
export function createRateWatch(limits: { readonly perSecond?: number; readonly perChatMs?: number; readonly timeOf?: (call: Parameters<RateWatch["record"]>[0]) => number } = {}): RateWatch {
  const perSecond = limits.perSecond ?? 30;
  const perChatMs = limits.perChatMs ?? 1_000;
  const windows = new Map<string, number[]>();
  const lastInChat = new Map<string, number>();
  const counts = { sends: 0, overall: 0, perChat: 0 };

  function sweep(now: number): void {
    for (const [chat, at] of lastInChat) if (now - at >= perChatMs) lastInChat.delete(chat);
  }

  return {
    record(received) {
      if (!sendMethods.has(received.method)) return;
      const call = limits.timeOf ? { ...received, at: limits.timeOf(received) } : received;
      counts.sends += 1;
      const window = windows.get(call.token) ?? [];
      windows.set(call.token, window);
      while (window.length > 0 && (window[0] ?? 0) <= call.at - 1_000) window.shift();
      window.push(call.at);
      if (window.length > perSecond) counts.overall += 1;
      const chat = `${call.token}:${String(call.payload["chat_id"])}`;
      const last = lastInChat.get(chat);
      if (last !== undefined && call.at - last < perChatMs) counts.perChat += 1;
      lastInChat.set(chat, call.at);
      if (lastInChat.size > 50_000) sweep(call.at);
    },
    violations: () => ({ ...counts }),
  };
}
