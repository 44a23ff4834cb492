import type { AnyStateMachine, EventFrom, InputFrom, SnapshotFrom } from "xstate";
import { aiFailureOf, type AiPort, type SummaryInput } from "../../../actors/ai.port.ts";
import { recentWithin } from "../../../actors/conversation.ts";
import type { CustomerRuntime } from "../../../actors/customerRuntime.ts";
import { describeError, type Logger } from "../../../actors/log.port.ts";
import type { OrderCommands } from "../../../actors/orders.port.ts";
import type { CrmStore, Lead } from "../../../actors/store.port.ts";
import { aiSummaryMachine, aiSummaryVersion } from "../../../machines/aiSummary.machine.ts";
import type { AiSummaryActionParams, AiSummaryEvent } from "../../../machines/aiSummary.types.ts";
import { stages, type Language } from "../../../machines/customer.types.ts";
import { ownerNavigationMachine, ownerNavigationVersion } from "../../../machines/ownerNavigation.machine.ts";
import { ownerNoteMachine, ownerNoteVersion } from "../../../machines/ownerNote.machine.ts";
import { ownerOrderInputMachine, ownerOrderInputVersion } from "../../../machines/ownerOrderInput.machine.ts";
import type { OwnerNoteActionParams, OwnerNoteEvent } from "../../../machines/ownerNote.types.ts";
import { ownerSearchMachine, ownerSearchVersion } from "../../../machines/ownerSearch.machine.ts";
import { ownerTagsMachine, ownerTagsVersion } from "../../../machines/ownerTags.machine.ts";
import type { OwnerTagsActionParams } from "../../../machines/ownerTags.types.ts";
import { createFlow, persistFlow, restoreFlow, startFlow, stepFlow, type Flow, type FlowActionImplementations } from "../flowState.ts";
import { orderInputActions } from "./orderMoves.ts";
import { languageOf, type OwnerContext } from "./ownerContext.ts";
import type { OwnerSession } from "./ownerSession.ts";

/** What the owner flows' named actions reach: the customers, the store, the AI. */
export interface OwnerFlowDeps {
  readonly runtime: CustomerRuntime;
  readonly store: CrmStore;
  /** Null: no AI configured; `summarize` then answers `FAILED` (the bot hides the button anyway). */
  readonly ai: AiPort | null;
  readonly aiTimeoutMs: number;
  readonly currency: string;
  readonly timeZone: string;
  readonly log: Logger;
  /** The order actors an owner's moves go to; null: the order moves are not offered. */
  readonly orders: OrderCommands | null;
}

/** The idempotency key of what an owner's update records: a redelivered update records nothing twice. */
export const ownerUpdateKey = (ctx: OwnerContext, what: string): string => `owner:${ctx.update.update_id}:${what}`;

/** Messages of the chat the summary may draw on, newest last. */
const summaryMessages = 200;

/** Everything the AI summary of a client is drawn from, in the owner's language. */
async function summaryInput(deps: OwnerFlowDeps, language: Language, lead: Lead): Promise<SummaryInput> {
  const [messages, orders] = await Promise.all([deps.store.messages(lead.userId, { limit: summaryMessages }), deps.store.orders(lead.userId, { limit: 10 })]);
  return {
    language,
    timeZone: deps.timeZone,
    chat: recentWithin(messages, 6_000).map((message) => ({ role: message.direction === "in" ? "customer" : "shop", text: message.text, at: message.at })),
    stage: lead.stage,
    stageHistory: stages.flatMap((stage) => {
      const at = lead.stageEnteredAt[stage];
      return at === undefined ? [] : [{ stage, at: new Date(at).toISOString() }];
    }),
    ordersCount: lead.ordersCount,
    lifetimeValue: lead.lifetimeValue,
    currency: deps.currency,
    orders: orders.items.map((order) => ({
      orderId: order.orderId,
      total: order.total,
      at: new Date(order.at).toISOString(),
      items: order.items.map((item) => `${item.title} × ${item.qty}`).join(", "),
    })),
    notes: lead.notes.map((note) => note.text),
    tags: [...lead.tags],
  };
}

/** `saveNote`: the note as a `note_added` event, keyed by the update; the flow hears `SAVED` or `FAILED`. */
function noteActions(deps: OwnerFlowDeps): FlowActionImplementations<OwnerNoteActionParams, OwnerNoteEvent, OwnerContext> {
  return {
    saveNote: async ({ userId, text }, ctx) => {
      if (userId === null || text === null) return { type: "FAILED" };
      try {
        await deps.runtime.addNote(userId, text, ownerUpdateKey(ctx, "note"));
        return { type: "SAVED" };
      } catch (error) {
        deps.log.error("note_failed", { userId, ...describeError(error) });
        return { type: "FAILED" };
      }
    },
  };
}

/** `toggleTag` and `addTag`: one `tags_changed` each, keyed by the update. A failure is the update's failure. */
function tagActions(deps: OwnerFlowDeps): FlowActionImplementations<OwnerTagsActionParams, EventFrom<typeof ownerTagsMachine>, OwnerContext> {
  return {
    toggleTag: async ({ userId, tag }, ctx) => {
      await deps.runtime.toggleTag(userId, tag, ownerUpdateKey(ctx, "tag"));
    },
    addTag: async ({ userId, tag }, ctx) => {
      if (userId === null || tag === null) return;
      const { context } = await deps.runtime.snapshotOf(userId);
      if (!context.tags.includes(tag)) await deps.runtime.dispatch(userId, { type: "tags_changed", added: [tag], key: ownerUpdateKey(ctx, "tag") });
    },
  };
}

/** `summarize`: the AI's summary within its time limit, as `LOADED`; any failure as `FAILED` with why. */
function summaryActions(deps: OwnerFlowDeps): FlowActionImplementations<AiSummaryActionParams, AiSummaryEvent, OwnerContext> {
  return {
    summarize: async ({ userId }, ctx) => {
      if (!deps.ai || userId === null) return { type: "FAILED", reason: "unavailable" };
      await deps.runtime.settled();
      const lead = await deps.store.lead(userId);
      if (!lead) return { type: "FAILED", reason: "unavailable" };
      try {
        const text = (await deps.ai.summarize(await summaryInput(deps, languageOf(ctx.from?.language_code), lead), AbortSignal.timeout(deps.aiTimeoutMs))).trim();
        if (text.length === 0) throw new Error("an empty summary");
        return { type: "LOADED", text };
      } catch (error) {
        const reason = aiFailureOf(error) === "timeout" ? "timeout" : "unavailable";
        deps.log.warn("summary_failed", { bot: "owner", reason, ...describeError(error) });
        return { type: "FAILED", reason };
      }
    },
  };
}

export type SlotName = Exclude<keyof OwnerSession, "v" | "lang">;

/** One flow kept in the owner's session: read, stepped (its named actions run), and written back. */
export interface FlowSlot<M extends AnyStateMachine> {
  /** The flow as the session keeps it, or at its start. */
  of(ctx: OwnerContext): SnapshotFrom<M>;
  /** The flow at its start, whatever the session holds. */
  fresh(): SnapshotFrom<M>;
  /** Steps `event` from `from` (by default what the session holds), runs what the step names, and keeps the result. */
  step(ctx: OwnerContext, event: EventFrom<M>, from?: SnapshotFrom<M>): Promise<SnapshotFrom<M>>;
  /** Forgets the flow: the next read starts it afresh. */
  clear(ctx: OwnerContext): void;
}

export function slot<M extends AnyStateMachine>(flow: Flow<M, OwnerContext>, name: SlotName, kept: (snapshot: SnapshotFrom<M>) => boolean): FlowSlot<M> {
  const fresh = (): SnapshotFrom<M> => startFlow(flow.machine, undefined as InputFrom<M>);
  const of = (ctx: OwnerContext): SnapshotFrom<M> => restoreFlow(flow.machine, flow.version, ctx.session[name]) ?? fresh();
  return {
    of,
    fresh,
    async step(ctx, event, from = of(ctx)) {
      const after = await stepFlow(flow, from, event, ctx);
      ctx.session[name] = kept(after) ? persistFlow(flow.machine, flow.version, after) : null;
      return after;
    },
    clear(ctx) {
      ctx.session[name] = null;
    },
  };
}

/**
 * The owner's five flows, each a machine kept in the owner's session, with the named actions of
 * note, tags and summary provided here. Created once per bot: a named action without an
 * implementation refuses the bot at start-up (FlowActionError), never at a tap.
 */
export function createOwnerFlows(deps: OwnerFlowDeps) {
  return {
    nav: slot(createFlow(ownerNavigationMachine, ownerNavigationVersion, {}), "nav", () => true),
    search: slot(createFlow(ownerSearchMachine, ownerSearchVersion, {}), "search", (snapshot) => snapshot.value !== "idle"),
    note: slot(createFlow(ownerNoteMachine, ownerNoteVersion, noteActions(deps)), "note", (snapshot) => snapshot.value !== "idle"),
    tags: slot(createFlow(ownerTagsMachine, ownerTagsVersion, tagActions(deps)), "tags", (snapshot) => snapshot.value !== "idle"),
    // A shown summary is on screen already, and keeping its text would crowd the session (16 KiB on
    // storage-free); only a failure is kept, for its retry.
    summary: slot(createFlow(aiSummaryMachine, aiSummaryVersion, summaryActions(deps)), "summary", (snapshot) => snapshot.value === "failed"),
    // Kept while idle once a move was sent: its last move tells a redelivered text from a search.
    order: slot(createFlow(ownerOrderInputMachine, ownerOrderInputVersion, orderInputActions(deps, (ctx) => ownerUpdateKey(ctx, "order"))), "order", (snapshot) => snapshot.value !== "idle" || snapshot.context.last !== null),
  };
}

export type OwnerFlows = ReturnType<typeof createOwnerFlows>;
