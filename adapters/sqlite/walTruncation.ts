import type { DatabaseSync } from "node:sqlite";

/**
 * Truncates the WAL after an erasure, so no copy of erased pages is left in it, without ever
 * blocking the process: the checkpoint runs with `busy_timeout = 0`, and when a reader holds an
 * older snapshot (a backup's `VACUUM INTO` takes minutes) it is tried again every `retryMs` until
 * it succeeds, rather than stalling every chat for the busy timeout and then giving up.
 */
export function createWalTruncation(db: DatabaseSync, options: { readonly busyTimeoutMs: number; readonly retryMs?: number; readonly onWaiting?: () => void }) {
  const checkpoint = db.prepare("PRAGMA wal_checkpoint(TRUNCATE)");
  let retry: NodeJS.Timeout | undefined;
  let stopped = false;
  let waiters: { resolve: () => void; reject: (error: Error) => void }[] = [];
  const settle = (error?: Error): void => {
    const settled = waiters;
    waiters = [];
    for (const waiter of settled) if (error) waiter.reject(error);
    else waiter.resolve();
  };

  /** Whether the checkpoint went through (no reader in the way). */
  function attempt(): boolean {
    db.exec("PRAGMA busy_timeout = 0");
    try {
      return Number(checkpoint.get()?.["busy"] ?? 1) === 0;
    } finally {
      db.exec(`PRAGMA busy_timeout = ${options.busyTimeoutMs}`);
    }
  }

  function schedule(): void {
    if (retry !== undefined || stopped) return;
    retry = setTimeout(() => {
      retry = undefined;
      if (stopped) return;
      if (!db.isTransaction && attempt()) settle();
      else schedule();
    }, options.retryMs ?? 1_000);
    retry.unref();
  }

  return {
    /** Truncates now, or schedules tries until it can. */
    truncate(): void {
      if (attempt()) return;
      if (retry === undefined) options.onWaiting?.();
      schedule();
    },
    /** Whether a truncation is still waiting for a reader to let go. */
    waiting: (): boolean => retry !== undefined,
    /** Resolves once no truncation waits (at once when none does); rejects if stopped first. */
    settled(): Promise<void> {
      if (retry === undefined) return Promise.resolve();
      return new Promise((resolve, reject) => waiters.push({ resolve, reject }));
    },
    stop(): void {
      stopped = true;
      if (retry !== undefined) clearTimeout(retry);
      retry = undefined;
      settle(new Error("the store closed before the WAL could be truncated after an erasure"));
    },
  };
}
