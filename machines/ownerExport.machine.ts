import { assign, setup } from "xstate";
import { maxExportDays, type OwnerExportContext, type OwnerExportError, type OwnerExportEvent } from "./ownerExport.types.ts";

/**
 * Bump this whenever the machine's states or context change shape.
 * A stored flow of another version is dropped, and the owner taps the period again.
 */
export const ownerExportVersion = 1;

const datePattern = /(\d{4})-(\d{2})-(\d{2})|(\d{1,2})\.(\d{1,2})\.(\d{4})/g;

/** A calendar day as `YYYY-MM-DD` when it exists (no 31 February), else null. */
function calendarDay(year: number, month: number, day: number): string | null {
  const at = Date.UTC(year, month - 1, day);
  const date = new Date(at);
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

/**
 * Two days typed as `2026-11-01 2026-11-30` or `01.11.2026 - 30.11.2026` (any separator), both
 * included; one day alone is that day. The reason it cannot be read otherwise.
 */
export function exportPeriodOf(text: string): { readonly from: string; readonly to: string } | OwnerExportError {
  const days = [...text.matchAll(datePattern)].map((m) =>
    m[1] !== undefined ? calendarDay(Number(m[1]), Number(m[2]), Number(m[3])) : calendarDay(Number(m[6]), Number(m[5]), Number(m[4])),
  );
  const leftover = text.replace(datePattern, "").replace(/[\s\-–—,.:;]|по|до|to|until/gi, "");
  if (days.length === 0 || days.length > 2 || leftover !== "" || days.some((day) => day === null)) return "unreadable";
  const from = days[0] ?? "";
  const to = days[1] ?? from;
  if (from > to) return "reversed";
  return (Date.parse(to) - Date.parse(from)) / 86_400_000 + 1 > maxExportDays ? "too_long" : { from, to };
}

/**
 * The owner typing a period of orders to export: idle → awaitingPeriod → chosen (the format is
 * then picked by a button, which reads the period from here). A text that is not one or two real
 * days, or whose days are reversed, stays in `awaitingPeriod` and says why in `error`.
 *
 * @example
 * const [idle] = initialTransition(ownerExportMachine);
 * const [waiting] = transition(ownerExportMachine, idle, { type: "START" });
 * transition(ownerExportMachine, waiting, { type: "TEXT", text: "01.11.2026 - 30.11.2026" })[0].context.to; // "2026-11-30"
 */
export const ownerExportMachine = setup({
  types: {
    context: {} as OwnerExportContext,
    events: {} as OwnerExportEvent,
  },
  actions: {
    begin: assign({ from: null, to: null, error: null }),
    keep: assign((_, params: { text: string }) => {
      const period = exportPeriodOf(params.text);
      return typeof period === "string" ? {} : { from: period.from, to: period.to, error: null };
    }),
    refuse: assign((_, params: { text: string }) => {
      const period = exportPeriodOf(params.text);
      return { error: typeof period === "string" ? period : null };
    }),
    drop: assign({ from: null, to: null, error: null }),
  },
  guards: {
    isRefused: (_, params: { text: string }) => typeof exportPeriodOf(params.text) === "string",
  },
}).createMachine({
  id: "ownerExport",
  initial: "idle",
  context: { from: null, to: null, error: null },
  on: {
    START: { target: ".awaitingPeriod", actions: "begin" },
    CANCEL: { target: ".idle", actions: "drop" },
  },
  states: {
    idle: {},
    awaitingPeriod: {
      on: {
        TEXT: [
          { guard: { type: "isRefused", params: ({ event }) => ({ text: event.text }) }, actions: { type: "refuse", params: ({ event }) => ({ text: event.text }) } },
          { target: "chosen", actions: { type: "keep", params: ({ event }) => ({ text: event.text }) } },
        ],
      },
    },
    chosen: {},
  },
});
