import { Composer } from "grammy";
import { describeError } from "../../../actors/log.port.ts";
import { segmentFilterProblem } from "../../../actors/segmentFilter.ts";
import type { SavedSegment, SegmentContext, SegmentFilter } from "../../../actors/segments.port.ts";
import { stages } from "../../../machines/customer.types.ts";
import { maxSegmentNameChars, ownerSegmentMachine, ownerSegmentVersion } from "../../../machines/ownerSegment.machine.ts";
import type { OwnerSegmentActionParams, OwnerSegmentEvent, SegmentField, SegmentFilterJson } from "../../../machines/ownerSegment.types.ts";
import { createFlow } from "../flowState.ts";
import { escapeHtml } from "../format.ts";
import { tagHash } from "./ownerButtons.ts";
import type { OwnerContext } from "./ownerContext.ts";
import { slot } from "./ownerFlows.ts";
import { onButton, type OwnerKit } from "./ownerKit.ts";
import { crmMenu } from "./ownerScreens.ts";
import { cycledFlag, cycledTag, tidy, toggledStage, withinDays, withoutField, withTyped } from "./segmentsInput.ts";
import { builderScreen, deleteScreen, promptScreen, savedScreen, segmentDays, segmentFields, segmentFlags, stagesScreen, tagsScreen, timeScreen } from "./segmentsScreens.ts";

/**
 * A segment handed to the broadcast composer by the builder's ✉️: a saved one as it is stored (the
 * broadcast reads it again when it starts), or the one being built, with its filter. The same shape
 * as the composer's `DraftAudience` of a segment.
 */
export type SegmentAudience =
  | { readonly kind: "saved"; readonly id: number; readonly name: string }
  | { readonly kind: "built"; readonly name: string; readonly filter: SegmentFilter };

/** What the broadcast UI provides to take a segment from the builder and go on composing with it. */
export type SegmentToBroadcast = (ctx: OwnerContext, audience: SegmentAudience) => Promise<void>;

/** What the segment builder needs besides the owner kit. */
export interface SegmentParts {
  /** The terms' current version (`CONSENT_VERSION`): "consented" means to this one. */
  readonly consentVersion: string;
  /** Absent: the builder shows no ✉️. */
  readonly toBroadcast?: SegmentToBroadcast | null;
}

const sampleSize = 5;
/** Tags of leads offered beside the owner's set: a screen of buttons, not every tag ever typed. */
const knownTagsShown = 30;

/** A filter as the flow keeps it: plain JSON. */
const json = (filter: SegmentFilter): SegmentFilterJson => ({ ...filter });

function segmentFlow(kit: OwnerKit) {
  const flow = createFlow<typeof ownerSegmentMachine, OwnerContext, OwnerSegmentActionParams>(ownerSegmentMachine, ownerSegmentVersion, {
    saveSegment: async ({ name, filter }, ctx: OwnerContext): Promise<OwnerSegmentEvent> => {
      try {
        return { type: "SAVED", id: await kit.store.saveSegment({ name, filter: filter as SegmentFilter, by: ctx.from?.id ?? 0, at: kit.clock.now() }) };
      } catch (error) {
        kit.log.warn("segment_save_failed", describeError(error));
        return { type: "SAVE_FAILED" };
      }
    },
  });
  return slot(flow, "segment", (snapshot) => snapshot.value !== "idle");
}

type SegmentSlot = ReturnType<typeof segmentFlow>;
type Snapshot = ReturnType<SegmentSlot["of"]>;

/** What the builder's handlers share: the flow, and the acts of showing it. */
interface Builder {
  readonly kit: OwnerKit;
  readonly parts: SegmentParts;
  readonly flow: SegmentSlot;
  readonly context: SegmentContext;
  filterOf(snapshot: Snapshot): SegmentFilter;
  /** The builder's screen with the count and the sample now, in place of the pressed message or as a new one. */
  show(ctx: OwnerContext, snapshot: Snapshot, how: "show" | "send", notice?: string): Promise<void>;
  /** 📂 the saved segments with their counts now. */
  list(ctx: OwnerContext, notice?: string): Promise<void>;
  /** The builder under way, or null after "this button is out of date" and the saved list. */
  current(ctx: OwnerContext): Promise<Snapshot | null>;
  /** A button's change of the filter: stepped, then the builder with its count at once. */
  change(ctx: OwnerContext, make: (filter: SegmentFilter) => SegmentFilter | null): Promise<void>;
}

function builderOf(kit: OwnerKit, parts: SegmentParts): Builder {
  const flow = segmentFlow(kit);
  const context: SegmentContext = { consentVersion: parts.consentVersion };
  const filterOf = (snapshot: Snapshot): SegmentFilter => snapshot.context.filter as SegmentFilter;
  const self: Builder = {
    kit,
    parts,
    flow,
    context,
    filterOf,
    async show(ctx, snapshot, how, notice) {
      const filter = segmentFilterProblem(filterOf(snapshot)) === null ? filterOf(snapshot) : {};
      const [count, sample] = await Promise.all([kit.store.countSegment(filter, context), kit.store.sampleSegment(filter, context, sampleSize)]);
      const screen = builderScreen(kit.view(ctx), { filter, name: snapshot.context.name, count, sample, currency: kit.currency, canBroadcast: Boolean(parts.toBroadcast) }, notice);
      await (how === "show" ? kit.show(ctx, screen) : kit.send(ctx, screen));
    },
    async list(ctx, notice) {
      const saved = await kit.store.savedSegments();
      const counts = await Promise.all(saved.map((segment) => kit.store.countSegment(segment.filter, context)));
      await kit.show(ctx, savedScreen(kit.view(ctx), saved.map((segment, i) => ({ segment, count: counts[i] ?? 0 })), notice));
    },
    async current(ctx) {
      const snapshot = flow.of(ctx);
      if (snapshot.value !== "idle") return snapshot;
      await kit.answer(ctx, ctx.t("button-outdated"));
      await self.list(ctx);
      return null;
    },
    async change(ctx, make) {
      const snapshot = await self.current(ctx);
      if (!snapshot) return;
      const filter = make(filterOf(snapshot));
      if (filter === null || segmentFilterProblem(filter) !== null) return kit.answer(ctx, ctx.t("button-outdated"));
      const after = await flow.step(ctx, { type: "SET", filter: json(tidy(filter)) }, snapshot);
      await kit.answer(ctx);
      await self.show(ctx, after, "show");
    },
  };
  return self;
}

/** The builder's stages, tags, yes/no, periods and typed values. */
function conditionButtons(composer: Composer<OwnerContext>, b: Builder): void {
  const { kit, flow, filterOf } = b;
  onButton(composer, "sgstg", async (ctx) => {
    const snapshot = await b.current(ctx);
    if (snapshot) await kit.answer(ctx).then(() => kit.show(ctx, stagesScreen(kit.view(ctx), filterOf(snapshot))));
  });
  onButton(composer, "sgst", async (ctx, [index]) => {
    const stage = stages[index];
    await b.change(ctx, (filter) => (stage === undefined ? null : toggledStage(filter, stage)));
    const snapshot = flow.of(ctx);
    if (stage !== undefined && snapshot.value !== "idle") await kit.show(ctx, stagesScreen(kit.view(ctx), filterOf(snapshot)));
  });
  onButton(composer, "sgtg", async (ctx) => {
    const snapshot = await b.current(ctx);
    if (!snapshot) return;
    const tags = await offeredTags(kit, filterOf(snapshot));
    await kit.answer(ctx);
    await kit.show(ctx, tagsScreen(kit.view(ctx), filterOf(snapshot), tags));
  });
  onButton(composer, "sgt", async (ctx, [hash]) => {
    const tag = (await offeredTags(kit, filterOf(flow.of(ctx)))).find((offered) => tagHash(offered) === hash);
    await b.change(ctx, (filter) => (tag === undefined ? null : cycledTag(filter, tag)));
    const snapshot = flow.of(ctx);
    if (tag !== undefined && snapshot.value !== "idle") await kit.show(ctx, tagsScreen(kit.view(ctx), filterOf(snapshot), await offeredTags(kit, filterOf(snapshot))));
  });
  onButton(composer, "sgf", (ctx, [index]) => b.change(ctx, (filter) => (segmentFlags[index] === undefined ? null : cycledFlag(filter, segmentFlags[index]))));
  onButton(composer, "sgtm", async (ctx, [which]) => {
    const snapshot = await b.current(ctx);
    if (!snapshot) return;
    if (which > 1) return kit.answer(ctx, ctx.t("button-outdated"));
    await kit.answer(ctx);
    await kit.show(ctx, timeScreen(kit.view(ctx), which === 0 ? 0 : 1));
  });
  onButton(composer, "sgd", (ctx, [which, days]) =>
    b.change(ctx, (filter) => (which > 1 || !(segmentDays as readonly number[]).includes(days) ? null : withinDays(filter, which === 0 ? 0 : 1, days, kit.clock.now()))),
  );
  onButton(composer, "sgc", (ctx, [index]) => b.change(ctx, (filter) => (segmentFields[index] === undefined ? null : withoutField(filter, segmentFields[index]))));
  onButton(composer, "sgclr", (ctx) => b.change(ctx, () => ({})));
  onButton(composer, "sga", async (ctx, [index]) => {
    const field = segmentFields[index];
    const snapshot = await b.current(ctx);
    if (!snapshot) return;
    if (field === undefined) return kit.answer(ctx, ctx.t("button-outdated"));
    await flow.step(ctx, { type: "ASK", field }, snapshot);
    await kit.answer(ctx);
    await kit.show(ctx, promptScreen(kit.view(ctx), field, null));
  });
}

/** New, back to the builder, save, cancel, and ✉️. */
function builderButtons(composer: Composer<OwnerContext>, b: Builder): void {
  const { kit, flow } = b;
  onButton(composer, "sgo", async (ctx) => {
    kit.dropInputFlows(ctx);
    const started = await flow.step(ctx, { type: "START" }, flow.fresh());
    await kit.answer(ctx);
    await b.show(ctx, started, "show");
  });
  onButton(composer, "sgv", async (ctx) => {
    const snapshot = await b.current(ctx);
    if (!snapshot) return;
    const back = snapshot.value === "building" ? snapshot : await flow.step(ctx, { type: "CANCEL" }, snapshot);
    await kit.answer(ctx);
    await b.show(ctx, back, "show");
  });
  onButton(composer, "sgs", async (ctx) => {
    const snapshot = await b.current(ctx);
    if (!snapshot) return;
    const building = snapshot.value === "building" ? snapshot : await flow.step(ctx, { type: "CANCEL" }, snapshot);
    const naming = await flow.step(ctx, { type: "SAVE" }, building);
    await kit.answer(ctx);
    await kit.show(ctx, promptScreen(kit.view(ctx), "name", null, { max: maxSegmentNameChars, current: naming.context.name ?? "" }));
  });
  onButton(composer, "sgx", async (ctx) => {
    const snapshot = flow.of(ctx);
    const after = snapshot.value === "idle" ? snapshot : await flow.step(ctx, { type: "CANCEL" }, snapshot);
    await kit.answer(ctx);
    if (after.value === "idle") return kit.show(ctx, crmMenu(kit.view(ctx), kit.today()));
    await b.show(ctx, after, "show");
  });
  onButton(composer, "sgbc", (ctx) => toBroadcast(b, ctx));
}

/** 📂 the saved segments: listed, opened, deleted after a question. */
function savedButtons(composer: Composer<OwnerContext>, b: Builder): void {
  const { kit, flow } = b;
  const savedOr = async (ctx: OwnerContext, id: number, then: (segment: SavedSegment) => Promise<void>): Promise<void> => {
    const segment = (await kit.store.savedSegments()).find((saved) => saved.id === id);
    if (segment) return then(segment);
    await kit.answer(ctx, ctx.t("seg-gone"), true);
    await b.list(ctx);
  };
  onButton(composer, "sgl", async (ctx) => {
    await kit.answer(ctx);
    await b.list(ctx);
  });
  onButton(composer, "sgop", (ctx, [id]) =>
    savedOr(ctx, id, async (segment) => {
      kit.dropInputFlows(ctx);
      const opened = await flow.step(ctx, { type: "START", saved: { id: segment.id, name: segment.name, filter: json(segment.filter) } }, flow.fresh());
      await kit.answer(ctx);
      await b.show(ctx, opened, "show");
    }),
  );
  onButton(composer, "sgdel", (ctx, [id]) => savedOr(ctx, id, async (segment) => kit.answer(ctx).then(() => kit.show(ctx, deleteScreen(kit.view(ctx), segment)))));
  onButton(composer, "sgdok", (ctx, [id]) =>
    savedOr(ctx, id, async (segment) => {
      await kit.store.deleteSegment(segment.id);
      if (flow.of(ctx).context.savedId === segment.id) flow.clear(ctx);
      await kit.answer(ctx);
      await b.list(ctx, ctx.t("seg-deleted", { name: escapeHtml(segment.name) }));
    }),
  );
}

/**
 * 🎯 Segments: the builder (each condition a button or a typed value, the count and a sample of
 * five at once after each change), 📂 the saved ones with their counts now, and ✉️ to a broadcast.
 */
export function segments(kit: OwnerKit, parts: SegmentParts): Composer<OwnerContext> {
  const composer = new Composer<OwnerContext>();
  const b = builderOf(kit, parts);
  builderButtons(composer, b);
  conditionButtons(composer, b);
  savedButtons(composer, b);
  composer.on("message:text", (ctx, next) => typed(b, ctx, ctx.message.text, next));
  return composer;
}

/** The tags a filter can pick: the owner's set (OWNER_TAGS), the tags leads have now, and any the filter names already. */
async function offeredTags(kit: OwnerKit, filter: SegmentFilter): Promise<string[]> {
  const known = await kit.store.knownTags(knownTagsShown);
  return [...new Set([...kit.tagSet, ...known, ...(filter.tags?.any ?? []), ...(filter.tags?.all ?? []), ...(filter.tags?.none ?? [])])];
}

/** ✉️: the segment goes to the broadcast composer, as saved when it is unchanged since it was saved or opened. */
async function toBroadcast(b: Builder, ctx: OwnerContext): Promise<void> {
  const { kit, parts } = b;
  const snapshot = await b.current(ctx);
  if (!snapshot) return;
  if (!parts.toBroadcast) return kit.answer(ctx, ctx.t("button-outdated"));
  const filter = b.filterOf(snapshot);
  if ((await kit.store.countSegment(filter, b.context)) === 0) return kit.answer(ctx, ctx.t("seg-empty"), true);
  const saved = snapshot.context.savedId === null ? undefined : (await kit.store.savedSegments()).find((segment) => segment.id === snapshot.context.savedId);
  const unchanged = saved !== undefined && JSON.stringify(saved.filter) === JSON.stringify(filter);
  await kit.answer(ctx);
  await parts.toBroadcast(ctx, unchanged ? { kind: "saved", id: saved.id, name: saved.name } : { kind: "built", name: snapshot.context.name ?? ctx.t("seg-unnamed"), filter });
}

/** Text while a value or a name is awaited; any other text goes on (to search). */
async function typed(b: Builder, ctx: OwnerContext, text: string, next: () => Promise<void>): Promise<void> {
  const { kit, flow } = b;
  const snapshot = flow.of(ctx);
  if (text.startsWith("/") || (snapshot.value !== "typing" && snapshot.value !== "naming")) return next();
  if (snapshot.value === "naming") {
    const after = await flow.step(ctx, { type: "NAME", text }, snapshot);
    if (after.value === "building") return b.show(ctx, after, "send", ctx.t("seg-saved", { name: escapeHtml(after.context.name ?? "") }));
    return kit.send(ctx, promptScreen(kit.view(ctx), "name", after.context.error, { max: maxSegmentNameChars, current: snapshot.context.name ?? "" }));
  }
  const field: SegmentField = snapshot.context.field ?? "orders";
  const filter = withTyped(b.filterOf(snapshot), field, text, kit.timeZone);
  const after = await flow.step(ctx, filter === null ? { type: "BAD_VALUE" } : { type: "VALUE", filter: json(filter) }, snapshot);
  if (after.value === "building") return b.show(ctx, after, "send");
  await kit.send(ctx, promptScreen(kit.view(ctx), field, after.context.error));
}
