import { autoRetry } from "@grammyjs/auto-retry";
import { Bot, type StorageAdapter } from "grammy";
import type { UserFromGetMe } from "grammy/types";
import type { AiPort } from "../../../actors/ai.port.ts";
import { systemClock, type Clock, type CustomerRuntime } from "../../../actors/customerRuntime.ts";
import { silentLogger, type Logger } from "../../../actors/log.port.ts";
import type { OrderCommands } from "../../../actors/orders.port.ts";
import type { CrmStore } from "../../../actors/store.port.ts";
import { lastResort } from "../botPlumbing.ts";
import { storeSessionStorage } from "../storeSessionStorage.ts";
import { card } from "./card.ts";
import { history } from "./history.ts";
import { journey } from "./journey.ts";
import { leftovers } from "./leftovers.ts";
import { navigation } from "./navigation.ts";
import { notes } from "./notes.ts";
import { orderActions } from "./orderActions.ts";
import { orderCard } from "./orderCard.ts";
import { orderList } from "./orderList.ts";
import { orders as ordersSummary } from "./orders.ts";
import { ownerI18n, type OwnerContext } from "./ownerContext.ts";
import { ownerCommandsFirst } from "./ownerCommands.ts";
import { ownerDoor } from "./ownerDoor.ts";
import { ownerNotices } from "./ownerEffects.ts";
import { createOwnerFlows } from "./ownerFlows.ts";
import { createOwnerKit, type OwnerKit } from "./ownerKit.ts";
import type { OwnerSession } from "./ownerSession.ts";
import { redelivered } from "./redelivered.ts";
import { reports, sendDailyReport } from "./reports.ts";
import type { ExportWeek } from "./weeklyExport.ts";
import { sendWeeklyExport, weeklyExportScreen } from "./weeklyExportScreen.ts";
import { search } from "./search.ts";
import { summary } from "./summary.ts";
import { tags } from "./tags.ts";
import { catalogEdit } from "./catalogEdit.ts";
import { createCatalogKit } from "./catalogFlows.ts";
import { catalogImport } from "./catalogImport.ts";
import { campaigns } from "./campaigns.ts";
import { charts } from "./charts.ts";
import { exportScreen } from "./exportScreen.ts";
import type { CampaignSettingsStore } from "../../../actors/campaignSettings.ts";
import { broadcastCompose, segmentToBroadcast } from "./broadcastCompose.ts";
import { createBroadcastKit, type BroadcastParts } from "./broadcastKit.ts";
import { broadcastProgress } from "./broadcastProgress.ts";
import { segments, type SegmentParts } from "./segments.ts";

export type { OwnerContext } from "./ownerContext.ts";

export interface OwnerBotOptions {
  readonly token: string;
  readonly apiRoot?: string;
  readonly botInfo?: UserFromGetMe;
  readonly runtime: CustomerRuntime;
  readonly store: CrmStore;
  /** The order actors the owner's moves (paid, shipped, delivered, cancel, refund) go to; absent: orders are only shown. */
  readonly orders?: OrderCommands | null;
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
  /** How long a plain notice (tellOwners, a failed effect) to one owner may take (default 15 s). */
  readonly noticeTimeoutMs?: number;
  /** Where owner sessions live; by default in the CRM's own store. Pass the same to `ownerEffects`. */
  readonly sessionStorage?: StorageAdapter<OwnerSession>;
  readonly clock?: Clock;
  readonly log?: Logger;
  /** Where photos the owner sends for products are kept, and `CATALOG_PATH` to import on demand; absent: neither is offered. */
  readonly catalog?: { readonly photoDir?: string; readonly seedPath?: string };
  /** The process's campaign settings, shared with the customer machine and the shop's effects, for 📣 Campaigns; absent: read from the store. */
  readonly campaigns?: CampaignSettingsStore;
  /** The broadcast actors and the segments, for 📣 Broadcasts; absent: the menu's 📣 says broadcasts are off. */
  readonly broadcasts?: BroadcastParts | null;
  /**
   * The segment builder's settings: the terms' version "consented" is read against (default: the
   * broadcasts' `consentVersion`, else "1"), and the ✉️ hand-off to the broadcast composer.
   */
  readonly segments?: Partial<SegmentParts> | null;
  /** The largest export file sent (default Telegram's 50 MB upload limit). */
  readonly exportLimitBytes?: number;
  /** The local hour of the morning push and of Monday's weekly export (REPORT_HOUR, default 9). */
  readonly reportHour?: number;
}

/**
 * The owner's CRM in Telegram: funnel, recent leads, search, client cards with notes, tags,
 * history and an AI summary, orders (by status, each order's card and its moves) and the daily report. Only `ownerIds` get in, and every button
 * press is checked again. Each flow is a machine persisted in the owner's session whose effects
 * (save a note, toggle a tag, ask for the summary) are named actions provided in ownerFlows.ts, so
 * a restart in the middle of one (waiting for a note, say) resumes where it was. This function
 * only composes: each feature is a Composer of its own file. New orders reach the owners through
 * the effect worker (`ownerEffects`), not through this bot.
 *
 * @throws FlowActionError when a flow names an action this bot does not provide, before any update.
 */
export function createOwnerBot(options: OwnerBotOptions) {
  const { runtime, store, currency } = options;
  const owners: ReadonlySet<number> = new Set(options.ownerIds);
  const log = options.log ?? silentLogger;
  const timeZone = options.timeZone ?? "Europe/Moscow";
  const sessions = options.sessionStorage ?? storeSessionStorage<OwnerSession>(store);
  const ai = options.ai ?? null;
  const orders = options.orders ?? null;

  const bot = new Bot<OwnerContext>(options.token, {
    ...(options.botInfo ? { botInfo: options.botInfo } : {}),
    client: { ...(options.apiRoot ? { apiRoot: options.apiRoot } : {}) },
  });
  bot.api.config.use(autoRetry({ maxRetryAttempts: 5, maxDelaySeconds: 60 }));
  const i18n = ownerI18n();
  const flows = createOwnerFlows({ runtime, store, ai, aiTimeoutMs: options.aiTimeoutMs ?? 30_000, currency, timeZone, log, orders });
  const kit = createOwnerKit({ runtime, store, currency, timeZone, clock: options.clock ?? systemClock, log, ai, tagSet: options.tagSet ?? ["vip", "wholesale", "problem"], flows, orders, i18n });
  const notices = ownerNotices({ api: bot.api, store, ownerIds: [...owners], sessions, timeZone, log, i18n, ...(options.noticeTimeoutMs ? { noticeTimeoutMs: options.noticeTimeoutMs } : {}) });

  bot.catch(lastResort("owner", log));
  bot.use(ownerDoor({ owners, i18n, sessions, log }));
  // A text already applied goes no further; commands and menus first (/crm leaves a note unwritten);
  // the flows that wait for text before search, which takes any other text; what none of them took last.
  const catalog = createCatalogKit({
    store,
    clock: kit.clock,
    log,
    currency,
    files: { api: bot.api, token: options.token, ...(options.apiRoot ? { apiRoot: options.apiRoot } : {}) },
    photoDir: options.catalog?.photoDir ?? null,
    seedPath: options.catalog?.seedPath ?? null,
  });
  const catalogFeatures = [(k: OwnerKit) => catalogEdit(k, catalog), (k: OwnerKit) => catalogImport(k, catalog)];
  const campaignFeature = (k: OwnerKit) => campaigns(k, options.campaigns);
  const files = { api: bot.api, token: options.token, ...(options.apiRoot ? { apiRoot: options.apiRoot } : {}) };
  const broadcastKit = options.broadcasts ? createBroadcastKit(options.broadcasts, { files, log, now: () => kit.clock.now(), currency }) : null;
  if (broadcastKit) broadcastKit.broadcasts.onProgress((progress) => broadcastKit.live.onProgress(progress));
  const broadcastFeatures = [(k: OwnerKit) => broadcastProgress(k, broadcastKit), ...(broadcastKit ? [(k: OwnerKit) => broadcastCompose(k, broadcastKit)] : [])];
  const segmentParts: SegmentParts = {
    consentVersion: options.segments?.consentVersion ?? options.broadcasts?.consentVersion ?? "1",
    toBroadcast: options.segments?.toBroadcast ?? (broadcastKit ? segmentToBroadcast(kit, broadcastKit) : null),
  };
  const segmentFeature = (k: OwnerKit) => segments(k, segmentParts);
  const exportFeature = (k: OwnerKit) => exportScreen(k, { context: { consentVersion: segmentParts.consentVersion }, ...(options.exportLimitBytes ? { limitBytes: options.exportLimitBytes } : {}) });
  const weeklyFeature = (k: OwnerKit) => weeklyExportScreen(k, { hour: options.reportHour ?? 9 });
  for (const feature of [redelivered, ownerCommandsFirst, navigation, card, notes, tags, history, journey, summary, ordersSummary, orderList, orderCard, orderActions, reports, ...catalogFeatures, ...broadcastFeatures, campaignFeature, charts, segmentFeature, exportFeature, weeklyFeature, search, leftovers]) bot.use(feature(kit));
  const weeklyDeps = { api: bot.api, viewFor: notices.viewFor, context: { consentVersion: segmentParts.consentVersion }, ...(options.exportLimitBytes ? { limitBytes: options.exportLimitBytes } : {}) };

  return {
    bot,
    /** The report of `day` to one owner (the morning push's `send`). */
    sendDailyReport: (ownerId: number, day: string): Promise<void> => sendDailyReport(kit, { api: bot.api, viewFor: notices.viewFor }, ownerId, day),
    /** Monday's export of `week` to one owner (the weekly scheduler's `send`). */
    sendWeeklyExport: (ownerId: number, week: ExportWeek): Promise<void> => sendWeeklyExport(kit, weeklyDeps, ownerId, week),
    /** A plain-text notice to every owner (e.g. the Sheets mirror stopped); the text is escaped. */
    tellOwners: notices.tellOwners,
    /** For `createCustomerActors({ onEffectFailed })`: tells every owner, in their language, which effect gave up and why. */
    effectFailed: notices.effectFailed,
    ownerIds: [...owners],
    /** The live progress messages of broadcasts (null when broadcasts are off): tests await its edits. */
    broadcastLive: broadcastKit?.live ?? null,
  };
}

export type OwnerBot = ReturnType<typeof createOwnerBot>;
