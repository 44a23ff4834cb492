import { Api, type StorageAdapter } from "grammy";
import { createCustomerActors, type CustomerActors } from "../actors/customerActors.ts";
import type { CustomerRuntime, CustomerRuntimeOptions } from "../actors/customerRuntime.ts";
import type { CustomerMachine } from "../actors/customerSettings.ts";
import type { OrderEffectHandlers } from "../actors/orders.port.ts";
import type { OrderTransition } from "../actors/orderRuntime.ts";
import type { OrderMachine } from "../machines/order.machine.ts";
import { provideOrderSettings } from "../actors/orderSettings.ts";
import type { EffectNotice } from "../actors/effectWorker.ts";
import type { AiPort } from "../actors/ai.port.ts";
import type { Catalog } from "../actors/catalog.port.ts";
import type { Logger } from "../actors/log.port.ts";
import type { CrmStore } from "../actors/store.port.ts";
import { ownerIdsOf, paymentMethodsOf, type AppConfig } from "./config.ts";
import { ownerOrderEffects, ownerOrderEffectsOff, type OwnerOrderEffects } from "./telegram/owner/orderNotices.ts";
import { ownerEffects, ownerEffectsOff, ownerNotices } from "./telegram/owner/ownerEffects.ts";
import type { OwnerSession } from "./telegram/owner/ownerSession.ts";
import { createShopEffects } from "./telegram/shop/shopBot.ts";
import { shopBroadcastDelivery } from "./telegram/shop/shopBroadcastDelivery.ts";
import { broadcastCustomersOf } from "../actors/broadcastCustomers.ts";
import { createBroadcasts } from "../actors/broadcasts.ts";
import type { CampaignSettingsSource } from "../actors/campaignSettings.ts";

/** What the actors need of start-up's preparations. */
export interface ActorsPrepared {
  readonly shopToken: string;
  readonly ownerToken: string | undefined;
  readonly apiRoot: string | undefined;
  readonly catalog: Catalog;
  readonly ai: AiPort | null;
  readonly log: Logger;
}

/** The developer hooks the actors take (see `AppHooks`). */
export interface ActorsHooks {
  /** Told of every durable customer transition (the runtime's `observe`). */
  readonly observe?: CustomerRuntimeOptions["observe"];
  /** Told of every durable step of an order after its placement (the order runtime's `observe`). */
  readonly observeOrders?: (transition: OrderTransition) => void;
  /** Told of every effect delivery, retry, drop and failure (the effect worker's `observe`). */
  readonly observeEffects?: (notice: EffectNotice) => void;
  /** Called once the customer actors exist, before they start: the runtime, the store's queues and the machines. */
  readonly onActors?: (connection: { readonly runtime: CustomerRuntime; readonly queues: CrmStore; readonly machine: CustomerMachine; readonly orderMachine?: OrderMachine }) => void;
}

export interface ActorsDeps {
  readonly store: CrmStore;
  readonly machine: CustomerMachine;
  readonly ownerSessions: StorageAdapter<OwnerSession> | undefined;
  /**
   * The shop bot's handlers of the order machine's Telegram effects (the owners' are added here,
   * through the owner bot's API, or done at once without it); without them the order actors are off.
   */
  readonly orderHandlers?: Omit<OrderEffectHandlers, keyof OwnerOrderEffects>;
  /** The owner's campaign settings: the texts the second reminder and the win-back send (both off without them). */
  readonly campaigns?: CampaignSettingsSource;
}

/** The order actors' settings from the configuration: the machine's timings, and the payment methods the shop takes. */
export function orderActorsOf(config: Pick<AppConfig, "ORDER_PAYMENT_MINUTES" | "ORDER_FEEDBACK_HOURS" | "PAYMENTS">, handlers: OrderEffectHandlers) {
  return {
    handlers,
    machine: provideOrderSettings({ paymentMinutes: config.ORDER_PAYMENT_MINUTES, feedbackHours: config.ORDER_FEEDBACK_HOURS }),
    payments: paymentMethodsOf(config) ?? ["cash" as const],
  };
}

/**
 * The customer actors with their effect handlers: the shop's sends and the AI through the shop
 * bot's API, the order notices through the owner bot's (or nowhere, logged, when the CRM bot is
 * off). Plain `Api` clients without auto-retry: retries are the effect worker's, with its backoff
 * and its last attempt. An effect that gives up is told to the owners.
 *
 * With `orderHandlers` (the bots' handlers of the order effects that reach Telegram), orders are
 * actors of their own: `ORDER_PAYMENT_MINUTES` and `ORDER_FEEDBACK_HOURS` are given to the order
 * machine, and `PAYMENTS` says which methods an order may be placed with. A missing handler is
 * refused here, at start-up. Without them, no order actors run (an order that names a payment
 * method is refused; one that does not is an order row, as before).
 */
export function createActors(config: AppConfig, app: ActorsPrepared, hooks: ActorsHooks, deps: ActorsDeps): CustomerActors {
  const { store, machine, ownerSessions, orderHandlers, campaigns } = deps;
  const apiOptions = app.apiRoot ? { apiRoot: app.apiRoot } : {};
  const aiTimeoutMs = config.AI_TIMEOUT_SECONDS * 1_000;
  const shopEffects = createShopEffects({ api: new Api(app.shopToken, apiOptions), catalog: app.catalog, ai: app.ai, aiTimeoutMs, timeZone: config.TIME_ZONE, log: app.log, ...(campaigns ? { campaigns } : {}) });
  const ownerSide = app.ownerToken
    ? { api: new Api(app.ownerToken, apiOptions), store, ownerIds: ownerIdsOf(config), ...(ownerSessions ? { sessions: ownerSessions } : {}), timeZone: config.TIME_ZONE, log: app.log }
    : undefined;
  const notices = ownerSide ? ownerNotices(ownerSide) : undefined;
  const orders = orderHandlers ? orderActorsOf(config, { ...orderHandlers, ...(ownerSide ? ownerOrderEffects(ownerSide) : ownerOrderEffectsOff) }) : undefined;
  const actors = createCustomerActors({
    store,
    machine,
    log: app.log,
    handlers: { ...shopEffects, ...(ownerSide ? ownerEffects(ownerSide) : ownerEffectsOff) },
    ...(orders ? { orders: { ...orders, ...(hooks.observeOrders ? { observe: hooks.observeOrders } : {}) } } : {}),
    ...(notices ? { onEffectFailed: (effect, reason) => void notices.effectFailed(effect, reason) } : {}),
    ...(hooks.observe ? { observe: hooks.observe } : {}),
    // Broadcasts go through an API client of their own, so the customers' replies never queue behind them.
    broadcasts: ({ runtime, armed }) =>
      createBroadcasts({
        store,
        delivery: shopBroadcastDelivery(new Api(app.shopToken, apiOptions)),
        customers: broadcastCustomersOf(runtime),
        consentVersion: config.CONSENT_VERSION,
        perSecond: config.BROADCAST_PER_SECOND,
        onTimerArmed: armed,
        log: app.log,
      }),
    // An attempt outlives the AI's own deadline, so the worker never asks the same question twice.
    effects: { attemptTimeoutMs: aiTimeoutMs + 30_000, ...(hooks.observeEffects ? { observe: hooks.observeEffects } : {}) },
  });
  hooks.onActors?.({ runtime: actors.runtime, queues: store, machine, ...(orders ? { orderMachine: orders.machine } : {}) });
  return actors;
}

