import { autoRetry } from "@grammyjs/auto-retry";
import { I18n, type I18nFlavor } from "@grammyjs/i18n";
import { Bot, Context, GrammyError, session, type SessionFlavor, type StorageAdapter } from "grammy";
import type { UserFromGetMe } from "grammy/types";
import { fileURLToPath } from "node:url";
import { aiFailureOf, type AiPort, type SummaryInput } from "../../../actors/ai.port.ts";
import { dayBounds, dayOf } from "../../../actors/calendar.ts";
import { formatMessagesForDisplay, recentWithin } from "../../../actors/conversation.ts";
import { systemClock, type Clock, type CustomerRuntime } from "../../../actors/customerRuntime.ts";
import { describeError, silentLogger, type Logger } from "../../../actors/log.port.ts";
import type { OrderNotifications } from "../../../actors/orders.port.ts";
import type { CrmStore, Lead, StoredOrder } from "../../../actors/store.port.ts";
import { aiSummaryMachine, aiSummaryVersion } from "../../../machines/aiSummary.machine.ts";
import { stages } from "../../../machines/customer.types.ts";
import { ownerNavigationMachine, ownerNavigationVersion } from "../../../machines/ownerNavigation.machine.ts";
import { maxNoteChars, ownerNoteMachine, ownerNoteVersion } from "../../../machines/ownerNote.machine.ts";
import { maxQueryChars, ownerSearchMachine, ownerSearchVersion } from "../../../machines/ownerSearch.machine.ts";
import { ownerTagsMachine, ownerTagsVersion } from "../../../machines/ownerTags.machine.ts";
import { persistFlow, restoreFlow, startFlow, stepFlow } from "../flowState.ts";
import type { Screen, View } from "../screen.ts";
import { clip, escapeHtml } from "../format.ts";
import { rememberBundleMatches } from "../i18nCache.ts";
import { isBlockedError, lastResort, logEachUpdate, oneUpdatePerChat, updateBoundary } from "../botPlumbing.ts";
import { showScreen } from "../showScreen.ts";
import { storeSessionStorage } from "../storeSessionStorage.ts";
import { ownerButtons as b, tagHash, type OwnerButton } from "./ownerButtons.ts";
import {
  cardScreen,
  crmMenu,
  funnelScreen,
  historyScreen,
  isErased,
  leadName,
  leadsPerPage,
  leadsScreen,
  newOrderScreen,
  notePromptScreen,
  ordersScreen,
  ownerMenu,
  reportPush,
  reportScreen,
  type ReportClock,
  searchPromptScreen,
  searchResultsScreen,
  summaryScreen,
  tagPromptScreen,
  tagsScreen,
} from "./ownerScreens.ts";
import { initialOwnerSession, ownerSessionKey, type OwnerSession } from "./ownerSession.ts";
import { readStoredState } from "./storedState.ts";

export type OwnerContext = Context & SessionFlavor<OwnerSession> & I18nFlavor;

export interface OwnerBotOptions {
  readonly token: string;
  readonly apiRoot?: string;
  readonly botInfo?: UserFromGetMe;
  readonly runtime: CustomerRuntime;
  readonly store: CrmStore;
  /** Telegram user ids let in; everyone else gets one polite refusal and nothing else. */
  readonly ownerIds: readonly number[];
  /** The tag set offered as toggles on every card (the owner can add more). */
  readonly tagSet?: readonly string[];
  /** Absent: the AI summary button is hidden. */
  readonly ai?: AiPort | null;
  readonly aiTimeoutMs?: number;
  /** The shop's currency, for lifetime values and revenue. */
  readonly currency: string;
  readonly timeZone?: string;
  /** How long one notice to one owner may take before it is left for the next start (default 15 s). */
  readonly noticeTimeoutMs?: number;
  /** Where owner sessions live; by default in the CRM's own store. */
  readonly sessionStorage?: StorageAdapter<OwnerSession>;
  readonly clock?: Clock;
  readonly log?: Logger;
}

const localesDir = fileURLToPath(new URL("./locales", import.meta.url));
const historyMessages = 500;

const languageOf = (code: string | undefined): "ru" | "en" => (code?.toLowerCase().startsWith("en") ? "en" : "ru");
const localeOf = (lang: "ru" | "en"): string => (lang === "en" ? "en-US" : "ru-RU");

/**
 * The owner's CRM in Telegram: funnel, recent leads, search, client cards with notes, tags,
 * history and an AI summary, orders and the daily report. Only `ownerIds` get in, and every button
 * press is checked again. Each flow is a machine persisted in the owner's session, so a restart in
 * the middle of one (waiting for a note, say) resumes where it was.
 */
export function createOwnerBot(options: OwnerBotOptions) {
  const { runtime, store, currency } = options;
  const owners: ReadonlySet<number> = new Set(options.ownerIds);
  const tagSet = options.tagSet ?? ["vip", "wholesale", "problem"];
  const ai = options.ai ?? null;
  const aiTimeoutMs = options.aiTimeoutMs ?? 30_000;
  const noticeTimeoutMs = options.noticeTimeoutMs ?? 15_000;
  // grammY types its signal with the abort-controller package's AbortSignal; Node's is the same at run time.
  const noticeDeadline = () => AbortSignal.timeout(noticeTimeoutMs) as unknown as Parameters<typeof bot.api.sendMessage>[3];
  const clock = options.clock ?? systemClock;
  const log = options.log ?? silentLogger;
  const timeZone = options.timeZone ?? "Europe/Moscow";
  const sessions = options.sessionStorage ?? storeSessionStorage<OwnerSession>(store);

  const bot = new Bot<OwnerContext>(options.token, {
    ...(options.botInfo ? { botInfo: options.botInfo } : {}),
    client: { ...(options.apiRoot ? { apiRoot: options.apiRoot } : {}) },
  });
  bot.api.config.use(autoRetry({ maxRetryAttempts: 5, maxDelaySeconds: 60 }));

  const i18n = new I18n<OwnerContext>({
    defaultLocale: "ru",
    directory: localesDir,
    localeNegotiator: (ctx) => languageOf(ctx.from?.language_code),
    fluentBundleOptions: { useIsolating: false },
  });
  rememberBundleMatches(i18n);

  const viewFor = (lang: "ru" | "en"): View => ({ t: (key, vars) => i18n.t(lang, key, vars), locale: localeOf(lang), timeZone });
  const view = (ctx: OwnerContext): View => viewFor(languageOf(ctx.from?.language_code));
  const keyOf = (ctx: OwnerContext, what: string): string => `owner:${ctx.update.update_id}:${what}`;
  const today = (): string => dayOf(clock.now(), timeZone);
  const reportClock = (): ReportClock => {
    const now = clock.now();
    const day = dayOf(now, timeZone);
    return { today: day, yesterday: dayOf(dayBounds(day, timeZone).start - 1, timeZone), now };
  };
  const show = (ctx: OwnerContext, screen: Screen): Promise<void> => showScreen(ctx, screen, log);
  const send = async (ctx: OwnerContext, screen: Screen): Promise<void> => {
    await ctx.reply(screen.text, { parse_mode: "HTML", ...(screen.keyboard ? { reply_markup: screen.keyboard } : {}) });
  };
  async function answer(ctx: OwnerContext, text?: string, alert = false): Promise<void> {
    if (ctx.callbackQuery) await ctx.answerCallbackQuery(text ? { text, show_alert: alert } : {}).catch(() => undefined);
    else if (text) await ctx.reply(text);
  }

  // ── plumbing, and the door: everything below runs inside the one boundary ───
  bot.use(updateBoundary<OwnerContext>({ bot: "owner", log, failureText: (ctx) => i18n.t(languageOf(ctx.from?.language_code), "error-generic") }));
  bot.use(oneUpdatePerChat);
  bot.use(logEachUpdate("owner", log));
  bot.use(i18n);
  bot.catch(lastResort("owner", log));
  bot.use(async (ctx, next) => {
    // The bot's own membership changes (blocked, restarted) are nobody's request: no answer, for anyone.
    if (ctx.myChatMember) return;
    const userId = ctx.from?.id;
    if (userId !== undefined && owners.has(userId) && ctx.chat?.type === "private") return next();
    if (ctx.chat?.type !== "private") return;
    const kind = ctx.callbackQuery ? "button" : "message";
    const refused = ctx.callbackQuery ? ctx.answerCallbackQuery({ text: ctx.t("refusal"), show_alert: true }) : ctx.reply(ctx.t("refusal"));
    // One line per refusal, whatever became of it: a stranger who blocked the bot is not a failure.
    const failure = await refused.then(() => null, (error: unknown) => error);
    const fields = { updateId: ctx.update.update_id, userId: userId ?? null, kind };
    if (failure === null) log.warn("owner_refused", fields);
    else log.warn("owner_refused", { ...fields, answered: false, ...(isBlockedError(failure) ? { blocked: true } : describeError(failure)) });
  });

  // Past the door: owners only.
  const guarded = bot;
  guarded.use(session({ initial: initialOwnerSession, storage: sessions, getSessionKey: (ctx) => (ctx.chat ? ownerSessionKey(ctx.chat.id) : undefined) }));
  guarded.use(async (ctx, next) => {
    ctx.session.lang = languageOf(ctx.from?.language_code);
    await next();
  });

  // ── flows kept in the session ───────────────────────────────────────────────
  const nav = {
    of: (ctx: OwnerContext) => restoreFlow(ownerNavigationMachine, ownerNavigationVersion, ctx.session.nav) ?? startFlow(ownerNavigationMachine, undefined),
    keep: (ctx: OwnerContext, snapshot: ReturnType<typeof startFlow<typeof ownerNavigationMachine>>) => {
      ctx.session.nav = persistFlow(ownerNavigationMachine, ownerNavigationVersion, snapshot);
      return snapshot;
    },
  };
  type NavEvent = Parameters<typeof stepFlow<typeof ownerNavigationMachine>>[2];
  const go = (ctx: OwnerContext, event: NavEvent) => nav.keep(ctx, stepFlow(ownerNavigationMachine, nav.of(ctx), event));

  const searchOf = (ctx: OwnerContext) => restoreFlow(ownerSearchMachine, ownerSearchVersion, ctx.session.search) ?? startFlow(ownerSearchMachine, undefined);
  const keepSearch = (ctx: OwnerContext, snapshot: ReturnType<typeof searchOf>) => {
    ctx.session.search = snapshot.value === "idle" ? null : persistFlow(ownerSearchMachine, ownerSearchVersion, snapshot);
    return snapshot;
  };
  const noteOf = (ctx: OwnerContext) => restoreFlow(ownerNoteMachine, ownerNoteVersion, ctx.session.note) ?? startFlow(ownerNoteMachine, undefined);
  const keepNote = (ctx: OwnerContext, snapshot: ReturnType<typeof noteOf>) => {
    ctx.session.note = snapshot.value === "idle" ? null : persistFlow(ownerNoteMachine, ownerNoteVersion, snapshot);
    return snapshot;
  };
  const tagsOf = (ctx: OwnerContext) => restoreFlow(ownerTagsMachine, ownerTagsVersion, ctx.session.tags) ?? startFlow(ownerTagsMachine, undefined);
  const keepTags = (ctx: OwnerContext, snapshot: ReturnType<typeof tagsOf>) => {
    ctx.session.tags = snapshot.value === "idle" ? null : persistFlow(ownerTagsMachine, ownerTagsVersion, snapshot);
    return snapshot;
  };
  const summaryOf = (ctx: OwnerContext) => restoreFlow(aiSummaryMachine, aiSummaryVersion, ctx.session.summary) ?? startFlow(aiSummaryMachine, undefined);
  const keepSummary = (ctx: OwnerContext, snapshot: ReturnType<typeof summaryOf>) => {
    // A shown summary is already on screen; keeping its text would only crowd the session (16 KiB
    // on storage-free). Loading and failed (for its retry) are kept.
    ctx.session.summary = snapshot.value === "idle" || snapshot.value === "shown" ? null : persistFlow(aiSummaryMachine, aiSummaryVersion, snapshot);
    return snapshot;
  };

  /** Leaves any flow that waits for typed text, so the next text is not taken as a note or a tag. */
  function dropInputFlows(ctx: OwnerContext): void {
    ctx.session.note = null;
    ctx.session.search = null;
    ctx.session.tags = null;
  }

  async function leadOf(userId: number): Promise<Lead | null> {
    await runtime.settled();
    return store.lead(userId);
  }

  // ── screens by place ────────────────────────────────────────────────────────
  async function cardOf(ctx: OwnerContext, lead: Lead, notice?: string): Promise<Screen> {
    const from = nav.of(ctx).context.cardFrom;
    const backTo = from === "leads" ? b.encode("leads", nav.of(ctx).context.leadsOffset) : from === "search" && searchOf(ctx).value === "results" ? b.encode("sp", searchOf(ctx).context.offset) : b.encode("crm");
    return cardScreen(view(ctx), { lead, currency, aiEnabled: ai !== null, backTo }, notice);
  }

  async function openCard(ctx: OwnerContext, userId: number, notice?: string): Promise<void> {
    const lead = await leadOf(userId);
    if (!lead) {
      await answer(ctx, ctx.t("lead-missing"), true);
      return show(ctx, crmMenu(view(ctx), today()));
    }
    const place = nav.of(ctx).value;
    const from = place === "leads" ? "leads" : searchOf(ctx).value === "results" && (place === "crm" || place === "card") ? "search" : place === "card" || place === "history" ? (nav.of(ctx).context.cardFrom ?? "notification") : "notification";
    go(ctx, { type: "CARD", userId, from });
    await answer(ctx);
    await show(ctx, await cardOf(ctx, lead, notice));
  }

  async function openLeads(ctx: OwnerContext, offset: number): Promise<void> {
    const snapshot = go(ctx, { type: "LEADS", offset });
    await answer(ctx);
    await show(ctx, leadsScreen(view(ctx), await store.recentLeads({ offset: snapshot.context.leadsOffset, limit: leadsPerPage })));
  }

  async function openReport(ctx: OwnerContext, day: string): Promise<void> {
    const when = reportClock();
    const now = when.today;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(Date.parse(`${day}T00:00:00Z`)) || day > now) {
      await answer(ctx, ctx.t("button-outdated"));
      return show(ctx, crmMenu(view(ctx), now));
    }
    go(ctx, { type: "REPORT", day });
    const { start } = dayBounds(day, timeZone);
    const previous = dayOf(start - 1, timeZone);
    const next = day < now ? dayOf(dayBounds(day, timeZone).end, timeZone) : null;
    await answer(ctx);
    await show(ctx, reportScreen(view(ctx), await store.dailyStats(day, timeZone), currency, { previous, next }, when));
  }

  async function openOrders(ctx: OwnerContext): Promise<void> {
    go(ctx, { type: "ORDERS" });
    const now = clock.now();
    const { start } = dayBounds(today(), timeZone);
    const day = 24 * 60 * 60_000;
    const [todays, week, month] = await Promise.all([
      store.ordersSummary({ from: start, to: now + 1, latest: 5 }),
      store.ordersSummary({ from: start - 6 * day, to: now + 1 }),
      store.ordersSummary({ from: start - 29 * day, to: now + 1, latest: 5 }),
    ]);
    const latest = await Promise.all(
      month.latest.map(async (line) => {
        const [order, lead] = await Promise.all([store.order(line.orderId), store.lead(line.userId)]);
        return { ...(order ?? { ...line, items: [], phone: null, delivery: null }), who: lead ? leadName(lead) : `#${line.userId}` };
      }),
    );
    await answer(ctx);
    await show(
      ctx,
      ordersScreen(view(ctx), {
        periods: [
          { key: "period-today", summary: todays },
          { key: "period-7", summary: week },
          { key: "period-30", summary: month },
        ],
        latest,
        currency,
      }),
    );
  }

  async function renderPlace(ctx: OwnerContext): Promise<void> {
    const place = nav.of(ctx);
    switch (place.value) {
      case "menu":
        await answer(ctx);
        return show(ctx, ownerMenu(view(ctx)));
      case "crm":
        await answer(ctx);
        return show(ctx, crmMenu(view(ctx), today()));
      case "funnel":
        await answer(ctx);
        return show(ctx, funnelScreen(view(ctx), await store.funnel()));
      case "leads":
        return openLeads(ctx, place.context.leadsOffset);
      case "orders":
        return openOrders(ctx);
      case "report":
        return openReport(ctx, place.context.day ?? today());
      case "card":
      case "history":
        return place.context.userId === null ? show(ctx, crmMenu(view(ctx), today())) : openCard(ctx, place.context.userId);
    }
  }

  /** The customer, when they may be acted on; otherwise a clear answer and null. */
  async function actionable(ctx: OwnerContext, userId: number): Promise<Lead | null> {
    const lead = await leadOf(userId);
    if (!lead) {
      await answer(ctx, ctx.t("lead-missing"), true);
      return null;
    }
    if (isErased(lead)) {
      await answer(ctx, ctx.t("erased-action"), true);
      await show(ctx, await cardOf(ctx, lead, ctx.t("erased-action")));
      return null;
    }
    return lead;
  }

  // ── history and summary ─────────────────────────────────────────────────────
  async function openHistory(ctx: OwnerContext, userId: number, page: number): Promise<void> {
    const lead = await actionable(ctx, userId);
    if (!lead) return;
    go(ctx, { type: "HISTORY", userId, offset: page });
    const messages = await store.messages(userId, { limit: historyMessages });
    const pages = formatMessagesForDisplay(messages, { timeZone, locale: view(ctx).locale, limit: 3_600 });
    await answer(ctx);
    await show(ctx, historyScreen(view(ctx), lead, pages, page));
  }

  async function summaryInput(ctx: OwnerContext, lead: Lead): Promise<SummaryInput> {
    const [messages, orders] = await Promise.all([store.messages(lead.userId, { limit: 200 }), store.orders(lead.userId, { limit: 10 })]);
    return {
      language: languageOf(ctx.from?.language_code),
      timeZone,
      chat: recentWithin(messages, 6_000).map((message) => ({ role: message.direction === "in" ? "customer" : "shop", text: message.text, at: message.at })),
      stage: lead.stage,
      stageHistory: stages.flatMap((stage) => {
        const at = lead.stageEnteredAt[stage];
        return at === undefined ? [] : [{ stage, at: new Date(at).toISOString() }];
      }),
      ordersCount: lead.ordersCount,
      lifetimeValue: lead.lifetimeValue,
      currency,
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

  async function runSummary(ctx: OwnerContext, userId: number, retry: boolean): Promise<void> {
    if (!ai) {
      await answer(ctx, ctx.t("ai-off"), true);
      return;
    }
    const lead = await actionable(ctx, userId);
    if (!lead) return;
    const current = summaryOf(ctx);
    const loading = keepSummary(ctx, stepFlow(aiSummaryMachine, current, retry && current.value === "failed" && current.context.userId === userId ? { type: "RETRY" } : { type: "REQUEST", userId }));
    await answer(ctx);
    await show(ctx, summaryScreen(view(ctx), lead, { value: "loading", text: null, error: null }));
    let done;
    try {
      const text = (await ai.summarize(await summaryInput(ctx, lead), AbortSignal.timeout(aiTimeoutMs))).trim();
      if (text.length === 0) throw new Error("an empty summary");
      done = keepSummary(ctx, stepFlow(aiSummaryMachine, loading, { type: "LOADED", text }));
    } catch (error) {
      const reason = aiFailureOf(error) === "timeout" ? "timeout" : "unavailable";
      log.warn("summary_failed", { bot: "owner", reason, ...describeError(error) });
      done = keepSummary(ctx, stepFlow(aiSummaryMachine, loading, { type: "FAILED", reason }));
    }
    const state = done.value === "shown" ? "shown" : "failed";
    await show(ctx, summaryScreen(view(ctx), lead, { value: state, text: done.context.text, error: done.context.error }));
  }

  // ── notes, tags, search ─────────────────────────────────────────────────────
  async function startNote(ctx: OwnerContext, userId: number): Promise<void> {
    const lead = await actionable(ctx, userId);
    if (!lead) return;
    dropInputFlows(ctx);
    keepNote(ctx, stepFlow(ownerNoteMachine, noteOf(ctx), { type: "START", userId }));
    await answer(ctx);
    await show(ctx, notePromptScreen(view(ctx), lead));
  }

  async function takeNote(ctx: OwnerContext, text: string): Promise<void> {
    const waiting = noteOf(ctx);
    const userId = waiting.context.userId;
    const lead = userId === null ? null : await actionable(ctx, userId);
    if (!lead || userId === null) {
      keepNote(ctx, stepFlow(ownerNoteMachine, waiting, { type: "CANCEL" }));
      return;
    }
    const typed = keepNote(ctx, stepFlow(ownerNoteMachine, waiting, { type: "TEXT", text }));
    if (typed.value !== "saving" || typed.context.text === null) {
      const notice = typed.context.error === "too_long" ? ctx.t("note-too-long", { max: maxNoteChars }) : ctx.t("note-empty");
      return send(ctx, notePromptScreen(view(ctx), lead, notice));
    }
    try {
      await runtime.addNote(userId, typed.context.text, keyOf(ctx, "note"));
    } catch (error) {
      log.error("note_failed", { userId, ...describeError(error) });
      keepNote(ctx, stepFlow(ownerNoteMachine, typed, { type: "FAILED" }));
      return send(ctx, notePromptScreen(view(ctx), lead, ctx.t("note-failed")));
    }
    keepNote(ctx, stepFlow(ownerNoteMachine, typed, { type: "SAVED" }));
    go(ctx, { type: "CARD", userId, from: nav.of(ctx).context.cardFrom ?? "notification" });
    await send(ctx, await cardOf(ctx, (await leadOf(userId)) ?? lead, ctx.t("note-saved")));
  }

  async function openTags(ctx: OwnerContext, userId: number, notice?: string): Promise<void> {
    const lead = await actionable(ctx, userId);
    if (!lead) return;
    dropInputFlows(ctx);
    keepTags(ctx, stepFlow(ownerTagsMachine, tagsOf(ctx), { type: "OPEN", userId }));
    await answer(ctx);
    await show(ctx, tagsScreen(view(ctx), lead, tagSet, notice));
  }

  async function toggleTag(ctx: OwnerContext, userId: number, hash: string): Promise<void> {
    const lead = await actionable(ctx, userId);
    if (!lead) return;
    const tag = [...tagSet, ...lead.tags].find((candidate) => tagHash(candidate) === hash);
    if (!tag) {
      await answer(ctx, ctx.t("button-outdated"));
      return show(ctx, tagsScreen(view(ctx), lead, tagSet));
    }
    await runtime.toggleTag(userId, tag, keyOf(ctx, "tag"));
    await answer(ctx);
    await show(ctx, tagsScreen(view(ctx), (await leadOf(userId)) ?? lead, tagSet));
  }

  async function takeTag(ctx: OwnerContext, text: string): Promise<void> {
    const waiting = tagsOf(ctx);
    const userId = waiting.context.userId;
    const lead = userId === null ? null : await actionable(ctx, userId);
    if (!lead || userId === null) {
      keepTags(ctx, stepFlow(ownerTagsMachine, waiting, { type: "CLOSE" }));
      return;
    }
    const next = keepTags(ctx, stepFlow(ownerTagsMachine, waiting, { type: "TAG", text }));
    if (next.value !== "choosing" || next.context.added === null) return send(ctx, tagPromptScreen(view(ctx), lead, ctx.t("tag-invalid")));
    if (!lead.tags.includes(next.context.added)) await runtime.dispatch(userId, { type: "tags_changed", added: [next.context.added], key: keyOf(ctx, "tag") });
    await send(ctx, tagsScreen(view(ctx), (await leadOf(userId)) ?? lead, tagSet));
  }

  async function startSearch(ctx: OwnerContext, notice?: string): Promise<void> {
    dropInputFlows(ctx);
    keepSearch(ctx, stepFlow(ownerSearchMachine, startFlow(ownerSearchMachine, undefined), { type: "START" }));
    await answer(ctx);
    await show(ctx, searchPromptScreen(view(ctx), notice));
  }

  async function runSearch(ctx: OwnerContext, text: string): Promise<void> {
    let waiting = searchOf(ctx);
    if (waiting.value !== "awaitingQuery") {
      dropInputFlows(ctx);
      waiting = stepFlow(ownerSearchMachine, startFlow(ownerSearchMachine, undefined), { type: "START" });
    }
    const asked = keepSearch(ctx, stepFlow(ownerSearchMachine, waiting, { type: "QUERY", text }));
    if (asked.value !== "searching" || asked.context.query === null) {
      const notice = asked.context.error === "too_long" ? ctx.t("search-too-long", { max: maxQueryChars }) : ctx.t("search-empty");
      return send(ctx, searchPromptScreen(view(ctx), notice));
    }
    const query = asked.context.query;
    const page = await store.search(query, { offset: 0, limit: leadsPerPage });
    const found = keepSearch(ctx, stepFlow(ownerSearchMachine, asked, { type: "FOUND", count: page.items.length + (page.hasMore ? 1 : 0) }));
    go(ctx, { type: "CRM" });
    if (found.value !== "results") return send(ctx, searchPromptScreen(view(ctx), ctx.t("search-none", { query: escapeHtml(clip(query, 60)) })));
    await send(ctx, searchResultsScreen(view(ctx), query, page));
  }

  async function searchPage(ctx: OwnerContext, offset: number): Promise<void> {
    const current = searchOf(ctx);
    if (current.value !== "results" || current.context.query === null) {
      await answer(ctx, ctx.t("button-outdated"));
      return show(ctx, crmMenu(view(ctx), today()));
    }
    const paged = keepSearch(ctx, stepFlow(ownerSearchMachine, current, { type: "PAGE", offset }));
    go(ctx, { type: "CRM" });
    await answer(ctx);
    await show(ctx, searchResultsScreen(view(ctx), paged.context.query ?? "", await store.search(paged.context.query ?? "", { offset: paged.context.offset, limit: leadsPerPage })));
  }

  // ── commands ────────────────────────────────────────────────────────────────
  guarded.command(["start", "menu"], async (ctx) => {
    dropInputFlows(ctx);
    go(ctx, { type: "MENU" });
    await send(ctx, ownerMenu(view(ctx)));
  });
  guarded.command("crm", async (ctx) => {
    dropInputFlows(ctx);
    go(ctx, { type: "CRM" });
    await send(ctx, crmMenu(view(ctx), today()));
  });
  guarded.command("cancel", async (ctx) => {
    dropInputFlows(ctx);
    go(ctx, { type: "CRM" });
    await send(ctx, crmMenu(view(ctx), today()));
  });

  // ── buttons ─────────────────────────────────────────────────────────────────
  async function onButton(ctx: OwnerContext, button: OwnerButton): Promise<void> {
    switch (button.action) {
      case "menu":
        dropInputFlows(ctx);
        go(ctx, { type: "MENU" });
        return renderPlace(ctx);
      case "crm":
        go(ctx, { type: "CRM" });
        return renderPlace(ctx);
      case "fun":
        go(ctx, { type: "FUNNEL" });
        return renderPlace(ctx);
      case "leads":
        return openLeads(ctx, button.args[0]);
      case "card":
        return openCard(ctx, button.args[0]);
      case "back":
        go(ctx, { type: "BACK" });
        return renderPlace(ctx);
      case "hist":
        return openHistory(ctx, button.args[0], button.args[1]);
      case "note":
        return startNote(ctx, button.args[0]);
      case "ncan": {
        const userId = noteOf(ctx).context.userId;
        keepNote(ctx, stepFlow(ownerNoteMachine, noteOf(ctx), { type: "CANCEL" }));
        if (userId === null) return renderPlace(ctx);
        return openCard(ctx, userId, ctx.t("note-cancelled"));
      }
      case "tags":
        return openTags(ctx, button.args[0]);
      case "tag":
        return toggleTag(ctx, button.args[0], button.args[1]);
      case "tnew": {
        const lead = await actionable(ctx, button.args[0]);
        if (!lead) return;
        const opened = tagsOf(ctx).value === "idle" ? stepFlow(ownerTagsMachine, tagsOf(ctx), { type: "OPEN", userId: lead.userId }) : tagsOf(ctx);
        keepTags(ctx, stepFlow(ownerTagsMachine, opened, { type: "ADD_NEW" }));
        await answer(ctx);
        return show(ctx, tagPromptScreen(view(ctx), lead));
      }
      case "tcan":
        keepTags(ctx, stepFlow(ownerTagsMachine, tagsOf(ctx), { type: "CANCEL" }));
        return openTags(ctx, button.args[0]);
      case "ai":
        return runSummary(ctx, button.args[0], false);
      case "airt":
        return runSummary(ctx, button.args[0], true);
      case "orders":
        return openOrders(ctx);
      case "rep":
        return openReport(ctx, button.args[0]);
      case "srch":
        return startSearch(ctx);
      case "sp":
        return searchPage(ctx, button.args[0]);
      case "scan":
        keepSearch(ctx, stepFlow(ownerSearchMachine, searchOf(ctx), { type: "CANCEL" }));
        go(ctx, { type: "CRM" });
        await answer(ctx, ctx.t("search-cancelled"));
        return show(ctx, crmMenu(view(ctx), today()));
    }
  }

  guarded.on("callback_query:data", async (ctx) => {
    const button = b.decode(ctx.callbackQuery.data);
    if (!button) {
      await answer(ctx, ctx.t("button-outdated"));
      go(ctx, { type: "MENU" });
      return send(ctx, { ...ownerMenu(view(ctx)), text: ctx.t("button-outdated") });
    }
    await onButton(ctx, button);
  });
  guarded.on("callback_query", (ctx) => answer(ctx, ctx.t("button-outdated")));

  // ── typed text ──────────────────────────────────────────────────────────────
  guarded.on("message:text", async (ctx) => {
    const text = ctx.message.text;
    if (noteOf(ctx).value === "awaitingText") return takeNote(ctx, text);
    if (tagsOf(ctx).value === "awaitingTag") return takeTag(ctx, text);
    if (text.startsWith("/")) return send(ctx, ownerMenu(view(ctx)));
    return runSearch(ctx, text);
  });

  guarded.on("message", async (ctx) => {
    if (noteOf(ctx).value === "awaitingText" || tagsOf(ctx).value === "awaitingTag" || searchOf(ctx).value === "awaitingQuery") {
      await ctx.reply(ctx.t("text-needed"));
      return;
    }
    await send(ctx, ownerMenu(view(ctx)));
  });

  // ── outside updates: notifications and reports ──────────────────────────────
  async function ownerLanguage(ownerId: number): Promise<"ru" | "en"> {
    try {
      return (await sessions.read(ownerSessionKey(ownerId)))?.lang ?? "ru";
    } catch {
      return "ru";
    }
  }

  /** Sends to every owner; one who blocked the bot or cannot be reached does not stop the others. */
  async function toEveryOwner(what: string, render: (view: View, ownerId: number) => Promise<Screen>): Promise<number[]> {
    const reached: number[] = [];
    for (const ownerId of owners) {
      try {
        const screen = await render(viewFor(await ownerLanguage(ownerId)), ownerId);
        // Bounded: auto-retry waits out a network outage indefinitely, and a notice must not hold the
        // customer's chat; an order not announced in time is announced at the next start.
        await bot.api.sendMessage(ownerId, screen.text, { parse_mode: "HTML", ...(screen.keyboard ? { reply_markup: screen.keyboard } : {}) }, noticeDeadline());
        reached.push(ownerId);
      } catch (error) {
        const blocked = error instanceof GrammyError && (error.error_code === 403 || error.error_code === 400);
        log[blocked ? "warn" : "error"](`${what}_failed`, { ownerId, ...describeError(error) });
        if (blocked) reached.push(ownerId);
      }
    }
    return reached;
  }

  /**
   * Which orders the owners have been told of: the newest order time told, and the ids told at that
   * time. Kept in the store, so orders placed while the process was going down (committed, but not
   * yet announced) are announced at the next start by `catchUpOrderNotices`, and none twice.
   */
  const noticeKey = "owner:order-notices";
  interface NoticeMark {
    readonly at: number;
    readonly ids: readonly string[];
  }
  const readMark = (): Promise<NoticeMark | null> =>
    readStoredState(store, noticeKey, ({ at, ids }) =>
      typeof at === "number" && Array.isArray(ids) ? { at, ids: ids.filter((id): id is string => typeof id === "string") } : null,
    );
  let marking: Promise<unknown> = Promise.resolve();
  /** Serialised, so two orders announced at once do not overwrite each other's mark. */
  function mark(order: StoredOrder): Promise<unknown> {
    marking = marking.then(async () => {
      const current = await readMark();
      const next =
        current === null || order.at > current.at
          ? { at: order.at, ids: [order.orderId] }
          : order.at === current.at
            ? { at: current.at, ids: [...new Set([...current.ids, order.orderId])] }
            : current;
      if (next !== current) await store.writeSession(noticeKey, JSON.stringify(next));
    });
    return marking;
  }

  async function announce(order: StoredOrder): Promise<void> {
    const lead = await store.lead(order.userId);
    const reached = await toEveryOwner("order_notification", async (ownerView) => newOrderScreen(ownerView, order, lead));
    // Telegram unreachable for every owner: left unmarked, so the next start announces it.
    if (reached.length > 0) await mark(order);
  }

  const notifications: OrderNotifications = { orderPlaced: announce };

  /**
   * Announces the orders committed since the last one announced (a crash between an order's commit
   * and its notice loses nothing). On the very first start, it only marks where it stands.
   */
  async function catchUpOrderNotices(limit = 50): Promise<number> {
    const current = await readMark();
    const now = clock.now();
    if (current === null) {
      await store.writeSession(noticeKey, JSON.stringify({ at: now, ids: [] }));
      return 0;
    }
    const summary = await store.ordersSummary({ from: current.at, to: now + 1, latest: limit });
    const missed = summary.latest.filter((line) => !(line.at === current.at && current.ids.includes(line.orderId))).sort((a, b) => a.at - b.at);
    let told = 0;
    for (const line of missed) {
      const order = await store.order(line.orderId);
      if (!order) continue;
      await announce(order);
      told += 1;
    }
    if (told > 0) log.info("order_notices_caught_up", { orders: told });
    return told;
  }

  /**
   * The report of `day` (the scheduler's: yesterday, the whole day) to one owner, with a button to
   * today so far; the scheduler calls it once per owner per day.
   */
  async function sendDailyReport(ownerId: number, day: string): Promise<void> {
    const stats = await store.dailyStats(day, timeZone);
    const ownerView = viewFor(await ownerLanguage(ownerId));
    const push = reportPush(ownerView, stats, currency, reportClock());
    try {
      await bot.api.sendMessage(ownerId, push.text, { parse_mode: "HTML", ...(push.keyboard ? { reply_markup: push.keyboard } : {}) });
    } catch (error) {
      // An owner who blocked the bot (or never started it) cannot be reached today; retrying every
      // minute would only fill the log. Anything else is thrown, and the scheduler tries again.
      if (!(error instanceof GrammyError && (error.error_code === 403 || error.error_code === 400))) throw error;
      log.warn("daily_report_unreachable", { ownerId, day, ...describeError(error) });
    }
  }

  /** A plain-text notice to every owner (e.g. the Sheets mirror stopped); the text is escaped. */
  async function tellOwners(text: string): Promise<void> {
    await toEveryOwner("owner_notice", async () => ({ text: `⚠️ ${escapeHtml(text)}` }));
  }

  return { bot, notifications, catchUpOrderNotices, sendDailyReport, tellOwners, ownerIds: [...owners] };
}

export type OwnerBot = ReturnType<typeof createOwnerBot>;
