/**
 * A job the owner bot runs every minute (the morning report, the weekly export): one run at a time,
 * a press of `tick` joining the run in progress, and a failure of the run itself (the store
 * closed under it) reported through `onError` rather than left as an unhandled rejection.
 */
export function createTicker<T>(run: () => Promise<T>, onError: (error: unknown) => void) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<T> | null = null;

  /** Runs the job now, or joins the run in progress. */
  function tick(): Promise<T> {
    running ??= run().finally(() => {
      running = null;
    });
    return running;
  }

  const tickQuietly = (): void => void tick().catch(onError);

  /** Stops the timer and waits for a run in progress. */
  async function stop(): Promise<void> {
    if (timer) clearInterval(timer);
    timer = undefined;
    if (running) await running.catch(() => undefined);
  }

  /** Runs the job now and every `everyMs` (a minute) after; the timer does not keep the process alive. */
  function start(everyMs = 60_000): void {
    if (timer) clearInterval(timer);
    timer = setInterval(tickQuietly, everyMs);
    timer.unref();
    tickQuietly();
  }

  return { tick, start, stop };
}
