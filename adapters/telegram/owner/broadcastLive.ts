import type { Api } from "grammy";
import type { BroadcastProgress, BroadcastReport } from "../../../actors/broadcasts.port.ts";
import { describeError, type Logger } from "../../../actors/log.port.ts";
import type { View } from "../screen.ts";
import { isNotModified } from "../showScreen.ts";
import { progressScreen } from "./broadcastScreens.ts";

/** One progress message an owner is looking at. */
interface Watcher {
  readonly chatId: number;
  readonly messageId: number;
  readonly view: View;
  shownAt: number;
  status: BroadcastProgress["status"];
}

/** The owner messages that show a running broadcast, kept up to date from the broadcasts' `onProgress`. */
export interface LiveProgress {
  /** From now on, `messageId` in `chatId` shows this broadcast's progress (it shows `progress` already). */
  watch(progress: BroadcastProgress, chatId: number, messageId: number, view: View): void;
  /** Told by the broadcasts (`onProgress`): each watching message is edited, at most every few seconds unless the status changed. */
  onProgress(progress: BroadcastProgress): void;
  /** The report an ended broadcast's message turns into; the bot sets it so the edit reads the report, not the progress. */
  setReporter(reporter: (id: string) => Promise<BroadcastReport | null>): void;
  /** Every edit started so far has been answered. */
  settled(): Promise<void>;
  /** Edits made, for the figures and the tests. */
  readonly edits: () => number;
}

const ended = (status: BroadcastProgress["status"]): boolean => status === "finished" || status === "cancelled";

/**
 * The live progress messages: which owner message shows which broadcast, edited as its progress
 * comes (grammY's `editMessageText`, with the bot's own auto-retry), at most once per `everyMs`
 * per message unless the status changed, so a 100,000-recipient broadcast edits a few hundred
 * times, not 100,000. Kept in memory: after a restart, opening the broadcast from 📣 makes its
 * message live again. An ended broadcast's message becomes its report and is forgotten.
 */
export function createLiveProgress(options: { readonly api: Api; readonly log: Logger; readonly now: () => number; readonly everyMs: number; readonly currency: string }): LiveProgress {
  const watchers = new Map<string, Map<string, Watcher>>();
  let reporter: ((id: string) => Promise<BroadcastReport | null>) | null = null;
  let inFlight: Promise<void> = Promise.resolve();
  let edits = 0;

  async function edit(watcher: Watcher, progress: BroadcastProgress): Promise<void> {
    const report = ended(progress.status) && reporter ? await reporter(progress.id) : null;
    const screen = progressScreen(watcher.view, report ?? progress, report, options.currency);
    edits += 1;
    try {
      await options.api.editMessageText(watcher.chatId, watcher.messageId, screen.text, { parse_mode: "HTML", ...(screen.keyboard ? { reply_markup: screen.keyboard } : {}) });
    } catch (error) {
      if (!isNotModified(error)) options.log.warn("broadcast_progress_not_shown", { bot: "owner", broadcast: progress.id, ...describeError(error) });
    }
  }

  function show(watcher: Watcher, progress: BroadcastProgress): void {
    watcher.shownAt = options.now();
    watcher.status = progress.status;
    inFlight = inFlight.then(() => edit(watcher, progress));
  }

  return {
    watch(progress, chatId, messageId, view) {
      const byMessage = watchers.get(progress.id) ?? new Map<string, Watcher>();
      byMessage.set(`${chatId}:${messageId}`, { chatId, messageId, view, shownAt: options.now(), status: progress.status });
      watchers.set(progress.id, byMessage);
    },
    onProgress(progress) {
      const byMessage = watchers.get(progress.id);
      if (!byMessage) return;
      for (const watcher of byMessage.values()) {
        // A progress inside the window is dropped: the next one carries every count anew.
        if (watcher.status !== progress.status || options.now() - watcher.shownAt >= options.everyMs) show(watcher, progress);
      }
      if (ended(progress.status)) watchers.delete(progress.id);
    },
    setReporter(next) {
      reporter = next;
    },
    settled: () => inFlight,
    edits: () => edits,
  };
}
