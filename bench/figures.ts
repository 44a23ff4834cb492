/** What every benchmark reports: figures by id, each with how to read it. */
export interface Figure {
  readonly id: string;
  readonly what: string;
  readonly value: number;
  /** How the value reads: a ratio to a same-run baseline, milliseconds, megabytes. */
  readonly unit: "ratio" | "ms" | "MB" | "requests" | "min" | "count";
  /** The bar, e.g. ">= 0.5"; null for a figure shown for context only. */
  readonly bar: string | null;
  /** The raw measurements behind the figure, for the table. */
  readonly detail: string;
}

export const meets = (figure: Figure): boolean | null => {
  if (figure.bar === null) return null;
  const [op, raw] = figure.bar.split(" ");
  const bar = Number(raw);
  return op === ">=" ? figure.value >= bar : figure.value <= bar;
};

/** A deterministic PRNG (mulberry32), so that every run generates the same data. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const round = (value: number, digits = 2): number => Math.round(value * 10 ** digits) / 10 ** digits;

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** The best of repeated throughput runs: noise on a shared machine only ever slows a run down. */
export const best = (values: readonly number[]): number => Math.max(...values);

/** A rate for the table, e.g. "49,813". */
export const perSecond = (rate: number): string => Math.round(rate).toLocaleString("en");

/** The value below which a share `q` (0 to 1) of the samples fall (nearest rank). */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
}
