/**
 * The demo's progress on stderr while the customers play, so that a long run (thousands of
 * customers take a minute) does not look hung. stdout stays the printout alone, the same for the
 * same options; a terminal gets a bar redrawn in place, anything else a line every few seconds.
 */

/** Options for {@link progressReporter}. */
export interface ProgressOptions {
  readonly write: (text: string) => void;
  /** A terminal: one bar redrawn in place. Otherwise whole lines, few of them (a log or a pipe). */
  readonly isTTY: boolean;
  readonly now?: () => number;
  /** The least time between two updates (default: 100 ms on a terminal, 5 s otherwise). */
  readonly everyMs?: number;
  /** What is being done, and what is counted (default: "playing customers", "visits"); `npm run rebuild` names its own. */
  readonly label?: string;
  readonly unit?: string;
}

/** Told of each step; `finish` clears the bar or writes the last line. */
export interface ProgressReporter {
  update(done: number, total: number): void;
  finish(): void;
}

const barWidth = 24;

function bar(done: number, total: number): string {
  const share = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(share * barWidth);
  return `[${"█".repeat(filled)}${"░".repeat(barWidth - filled)}] ${String(Math.floor(share * 100)).padStart(3)} %`;
}

/** A progress reporter for visits played: `playing customers [████░░…]  42 % · 840 of 2000 visits`. */
export function progressReporter(options: ProgressOptions): ProgressReporter {
  const now = options.now ?? (() => performance.now());
  const everyMs = options.everyMs ?? (options.isTTY ? 100 : 5_000);
  let shownAt = Number.NEGATIVE_INFINITY;
  let last: { done: number; total: number } | null = null;
  let drawn = false;

  const label = options.label ?? "playing customers";
  const unit = options.unit ?? "visits";
  const line = (done: number, total: number): string => `${label} ${bar(done, total)} · ${done} of ${total} ${unit}`;
  const show = (done: number, total: number): void => {
    options.write(options.isTTY ? `\r${line(done, total)}` : `${line(done, total)}\n`);
    drawn = true;
  };

  return {
    update(done, total) {
      last = { done, total };
      const at = now();
      if (at - shownAt < everyMs && done < total) return;
      shownAt = at;
      show(done, total);
    },
    finish() {
      if (options.isTTY) {
        if (drawn) options.write("\r\x1b[2K");
        return;
      }
      // The last step is always shown by `update`; a run cut short says where it stopped.
      if (last && last.done < last.total) show(last.done, last.total);
    },
  };
}
