import type { I18n } from "@grammyjs/i18n";
import { Composer } from "grammy";
import type { AiPort } from "../../../actors/ai.port.ts";
import { dayBounds, dayOf } from "../../../actors/calendar.ts";
import type { Clock, CustomerRuntime } from "../../../actors/customerRuntime.ts";
import type { Logger } from "../../../actors/log.port.ts";
import type { OrderCommands } from "../../../actors/orders.port.ts";
import type { CrmStore, Lead } from "../../../actors/store.port.ts";
import type { OwnerNavigationEvent } from "../../../machines/ownerNavigation.types.ts";
import type { Screen, View } from "../screen.ts";
import { showScreen } from "../showScreen.ts";
import { ownerButtons, type OwnerButton } from "./ownerButtons.ts";
import { languageOf, viewIn, type OwnerContext } from "./ownerContext.ts";
import type { OwnerFlows } from "./ownerFlows.ts";
import type { ReportClock } from "./ownerScreens.ts";

/** What every feature of the owner bot works with: the parts, the flows, and the small acts all of them share. */
export interface OwnerKit {
  readonly runtime: CustomerRuntime;
  readonly store: CrmStore;
  readonly currency: string;
  readonly timeZone: string;
  readonly clock: Clock;
  readonly log: Logger;
  readonly ai: AiPort | null;
  readonly tagSet: readonly string[];
  readonly flows: OwnerFlows;
  /** The order actors the owner's moves go to; null: orders are shown, not moved. */
  readonly orders: OrderCommands | null;
  view(ctx: OwnerContext): View;
  /** Answers a button press (with a toast, or an alert), or replies to a message when there is text. */
  answer(ctx: OwnerContext, text?: string, alert?: boolean): Promise<void>;
  /** Shows a screen in place of the pressed message when it can, as a new one otherwise. */
  show(ctx: OwnerContext, screen: Screen): Promise<void>;
  /** Sends a screen as a new message (after typed text). */
  send(ctx: OwnerContext, screen: Screen): Promise<void>;
  /** Today in the shop's zone, `YYYY-MM-DD`. */
  today(): string;
  reportClock(): ReportClock;
  /** The customer as the store has them once every commit in flight is done, or null. */
  leadOf(userId: number): Promise<Lead | null>;
  /** One tap of the menus, through the navigation flow. */
  go(ctx: OwnerContext, event: OwnerNavigationEvent): Promise<ReturnType<OwnerFlows["nav"]["of"]>>;
  /** Leaves every flow that waits for typed text, so the next text is not taken as a note or a tag. */
  dropInputFlows(ctx: OwnerContext): void;
}

export interface OwnerKitParts {
  readonly runtime: CustomerRuntime;
  readonly store: CrmStore;
  readonly currency: string;
  readonly timeZone: string;
  readonly clock: Clock;
  readonly log: Logger;
  readonly ai: AiPort | null;
  readonly tagSet: readonly string[];
  readonly flows: OwnerFlows;
  readonly orders: OrderCommands | null;
  readonly i18n: I18n<OwnerContext>;
}

export function createOwnerKit(parts: OwnerKitParts): OwnerKit {
  const { clock, timeZone, log, flows } = parts;
  return {
    ...parts,
    view: (ctx) => viewIn(parts.i18n, languageOf(ctx.from?.language_code), timeZone),
    async answer(ctx, text, alert = false) {
      if (ctx.callbackQuery) await ctx.answerCallbackQuery(text ? { text, show_alert: alert } : {}).catch(() => undefined);
      else if (text) await ctx.reply(text);
    },
    show: (ctx, screen) => showScreen(ctx, screen, log),
    async send(ctx, screen) {
      await ctx.reply(screen.text, { parse_mode: "HTML", ...(screen.keyboard ? { reply_markup: screen.keyboard } : {}) });
    },
    today: () => dayOf(clock.now(), timeZone),
    reportClock() {
      const now = clock.now();
      const day = dayOf(now, timeZone);
      return { today: day, yesterday: dayOf(dayBounds(day, timeZone).start - 1, timeZone), now };
    },
    async leadOf(userId) {
      await parts.runtime.settled();
      return parts.store.lead(userId);
    },
    go: (ctx, event) => flows.nav.step(ctx, event),
    dropInputFlows(ctx) {
      flows.note.clear(ctx);
      flows.search.clear(ctx);
      flows.tags.clear(ctx);
      if (flows.order.of(ctx).value !== "idle") flows.order.clear(ctx);
      ctx.session.catalogEdit = null;
      ctx.session.campaign = null;
      ctx.session.broadcast = null;
      ctx.session.segment = null;
      ctx.session.exportPeriod = null;
    },
  };
}

type ArgsOf<A extends OwnerButton["action"]> = Extract<OwnerButton, { action: A }>["args"];

/**
 * Handles the presses of one kind of button (`o1.<action>.…`), with its arguments decoded and
 * checked; any other press goes on to the next handler. A feature's composer registers its own.
 */
export function onButton<A extends OwnerButton["action"]>(composer: Composer<OwnerContext>, action: A, handler: (ctx: OwnerContext, args: ArgsOf<A>) => Promise<void>): void {
  composer.on("callback_query:data", (ctx, next) => {
    const button = ownerButtons.decode(ctx.callbackQuery.data);
    return button?.action === action ? handler(ctx, button.args as ArgsOf<A>) : next();
  });
}
