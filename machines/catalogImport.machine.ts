import { assign, setup } from "xstate";
import type { CatalogImportActionParams, CatalogImportContext, CatalogImportEvent, ImportCounts, ImportSource } from "./catalogImport.types.ts";

/**
 * Bump this whenever the machine's states or context change shape.
 * A stored import of another version is dropped, and the owner sends the file again.
 */
export const catalogImportVersion = 1;

/**
 * The owner's import of a catalog file: idle → previewing → applying → idle.
 *
 * The bot reads and checks a file before the machine hears of it: only a file without a problem is
 * `PREVIEWED`. `CONFIRM` enters `applying`, which names `applyImport`; the bot applies the whole
 * import in one unit of work and answers `APPLIED`, or applies nothing and answers `CHANGED` (the
 * catalog moved since the preview: the new preview waits for another ✅) or `FAILED`. The runner
 * answers within the step, so `applying` is never what a session keeps, and a second ✅ of the
 * same preview finds the machine idle and applies nothing.
 *
 * @example
 * const [idle] = initialTransition(catalogImportMachine);
 * const [previewing] = transition(catalogImportMachine, idle, { type: "PREVIEWED", source: { kind: "seed" }, counts });
 * transition(catalogImportMachine, previewing, { type: "CONFIRM" })[1]; // [{ type: "applyImport", params: { source: { kind: "seed" }, counts } }]
 */
export const catalogImportMachine = setup({
  types: {
    context: {} as CatalogImportContext,
    events: {} as CatalogImportEvent,
  },
  actions: {
    /** Declared for its name and params; the bot's implementation runs it (adapters/telegram/flowState.ts). */
    applyImport: (_: unknown, _params: CatalogImportActionParams["applyImport"]) => {},
    preview: assign((_, params: { source: ImportSource; counts: ImportCounts }) => ({ source: params.source, counts: params.counts, changed: false, error: null })),
    changed: assign((_, params: { counts: ImportCounts }) => ({ counts: params.counts, changed: true, error: null })),
    failed: assign((_, params: { reason: CatalogImportContext["error"] }) => ({ error: params.reason, changed: false })),
    finish: assign((_, params: { counts: ImportCounts }) => ({ source: null, counts: null, changed: false, error: null, applied: params.counts })),
    drop: assign({ source: null, counts: null, changed: false, error: null }),
  },
}).createMachine({
  id: "catalogImport",
  initial: "idle",
  context: { source: null, counts: null, changed: false, error: null, applied: null },
  on: {
    PREVIEWED: { target: ".previewing", actions: { type: "preview", params: ({ event }) => ({ source: event.source, counts: event.counts }) } },
  },
  states: {
    idle: {},
    previewing: {
      on: {
        CONFIRM: { target: "applying" },
        CANCEL: { target: "idle", actions: "drop" },
      },
    },
    applying: {
      entry: { type: "applyImport", params: ({ context }) => ({ source: context.source, counts: context.counts }) },
      on: {
        APPLIED: { target: "idle", actions: { type: "finish", params: ({ event }) => ({ counts: event.counts }) } },
        CHANGED: { target: "previewing", actions: { type: "changed", params: ({ event }) => ({ counts: event.counts }) } },
        FAILED: { target: "previewing", actions: { type: "failed", params: ({ event }) => ({ reason: event.reason }) } },
      },
    },
  },
});
