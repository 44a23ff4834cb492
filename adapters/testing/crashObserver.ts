/**
 * What the people of the crash test (adapters/crashUnderLoad.test.ts) were told, read from the Bot
 * API stand-in's record of calls as they arrive: the messages each bot sent or edited into each
 * chat, the answers to button presses, and how far each bot's long polling confirmed updates, which
 * says which updates a killed process took with it.
 */
import type { BotApiStandIn, RecordedCall } from "../telegram/testing/botApiStandIn.ts";

/** A message a bot sent or edited into a chat, as the person reads it. */
export interface Seen {
  /** Its place in the stand-in's calls: what was seen after a push has a higher index. */
  readonly index: number;
  readonly method: "sendMessage" | "editMessageText";
  /** The visible text: tags stripped, entities decoded. */
  readonly text: string;
  /** The callback data of its inline buttons. */
  readonly buttons: readonly string[];
}

/** The visible text of a message sent with parse_mode HTML (or none). */
export function visibleText(source: string): string {
  return source
    .replace(/<[^>]+>/g, "")
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&quot;", '"')
    .replaceAll("&amp;", "&");
}

function buttonData(markup: unknown): string[] {
  if (typeof markup !== "object" || markup === null || !("inline_keyboard" in markup) || !Array.isArray(markup.inline_keyboard)) return [];
  return markup.inline_keyboard.flat().flatMap((button: unknown) =>
    typeof button === "object" && button !== null && "callback_data" in button && typeof button.callback_data === "string" ? [button.callback_data] : [],
  );
}

/**
 * Follows the stand-in's calls every 20 ms. Customers wait on {@link TellingObserver.next} and then
 * look at their own chat, so a few dozen of them cost one pass over the new calls per tick.
 */
export class TellingObserver {
  private readonly api: BotApiStandIn;
  private cursor = 0;
  /** Calls whose answer was still pending when first read (a slow call): read again on later ticks. */
  private pending: number[] = [];
  private readonly chats = new Map<string, Seen[]>();
  private readonly answers = new Map<string, string>();
  private readonly offsets = new Map<string, number>();
  private readonly lost = new Map<string, number>();
  private waiters: (() => void)[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(api: BotApiStandIn) {
    this.api = api;
    this.timer = setInterval(() => this.tick(), 20);
  }

  /** Resolves after the next pass over the calls (at most 20 ms away). */
  next(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Where the calls stand now: what is seen from here on came after this moment. */
  mark(): number {
    return this.api.calls.length;
  }

  /** What a bot showed in a chat from call `from` on. */
  chat(token: string, chatId: number, from = 0): Seen[] {
    return (this.chats.get(`${token}:${chatId}`) ?? []).filter((seen) => seen.index >= from);
  }

  /** The text a button press was answered with ("" for an answer without text), or undefined while unanswered. */
  answer(queryId: string): string | undefined {
    return this.answers.get(queryId);
  }

  /**
   * Whether an update can no longer reach any process: a process that has since been killed took it
   * (its long polling confirmed it) and did not answer, so nothing ever will. Until the kill is
   * recorded with {@link killed}, an update is never lost.
   */
  isLost(token: string, updateId: number): boolean {
    return updateId < (this.lost.get(token) ?? 0);
  }

  /** Records a kill once the process has exited: every update its polling confirmed is gone with it. */
  killed(): void {
    this.tick();
    for (const [token, offset] of this.offsets) this.lost.set(token, offset);
  }

  stop(): void {
    clearInterval(this.timer);
    this.tick();
  }

  /** Reads the calls that arrived since the last tick, and those that were still pending then. */
  tick(): void {
    const { calls } = this.api;
    const retry = this.pending;
    this.pending = [];
    for (const index of retry) this.read(calls[index], index);
    for (; this.cursor < calls.length; this.cursor++) this.read(calls[this.cursor], this.cursor);
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  private read(call: RecordedCall | undefined, index: number): void {
    if (call === undefined) return;
    if (call.method === "getUpdates") {
      const offset = Number(call.payload["offset"] ?? 0);
      if (offset > (this.offsets.get(call.token) ?? 0)) this.offsets.set(call.token, offset);
      return;
    }
    if (call.method !== "sendMessage" && call.method !== "editMessageText" && call.method !== "answerCallbackQuery") return;
    if (call.ok === undefined) {
      this.pending.push(index);
      return;
    }
    if (!call.ok) return;
    if (call.method === "answerCallbackQuery") {
      this.answers.set(String(call.payload["callback_query_id"]), String(call.payload["text"] ?? ""));
      return;
    }
    const key = `${call.token}:${Number(call.payload["chat_id"])}`;
    const seen: Seen = { index, method: call.method, text: visibleText(String(call.payload["text"] ?? "")), buttons: buttonData(call.payload["reply_markup"]) };
    const list = this.chats.get(key);
    if (list) list.push(seen);
    else this.chats.set(key, [seen]);
  }
}
