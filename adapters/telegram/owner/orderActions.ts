import { Composer } from "grammy";
import { orderActor } from "../../../actors/actorLog.port.ts";
import type { OrderSendResult } from "../../../actors/orders.port.ts";
import { maxOrderInputChars } from "../../../machines/ownerOrderInput.machine.ts";
import type { OrderInputOutcome } from "../../../machines/ownerOrderInput.types.ts";
import { escapeHtml } from "../format.ts";
import type { OwnerContext } from "./ownerContext.ts";
import { ownerUpdateKey } from "./ownerFlows.ts";
import { onButton, type OwnerKit } from "./ownerKit.ts";
import { showOrder, loadOrder, type CardPlace } from "./orderCard.ts";
import { openOrders } from "./orders.ts";
import { actOfInput, eventOf, inputOfAct, sendOrderEvent } from "./orderMoves.ts";
import { allOrders, isOrderAct, listOf, onNotice, orderInputPromptScreen, statusName, type OrderAct } from "./orderScreens.ts";
import { refundDone } from "./orderRefunds.ts";

/** The key of an owner's order event: the update's, so a redelivered update is a duplicate. */
const moveKey = (ctx: OwnerContext): string => ownerUpdateKey(ctx, "order");

/** What the owner is told of how the order took the move, in words for the top of the card. */
async function outcomeText(kit: OwnerKit, ctx: OwnerContext, orderId: string, act: OrderAct, outcome: OrderInputOutcome): Promise<string> {
  if (outcome === "applied") return ctx.t(`ord-done-${act}`, { orderId: escapeHtml(orderId) });
  if (outcome === "duplicate") return ctx.t("ord-duplicate", { orderId: escapeHtml(orderId) });
  if (outcome === "unknown_order") return ctx.t("ord-missing");
  const status = kit.orders?.view(orderId)?.status ?? (await kit.store.order(orderId))?.status;
  return ctx.t("ord-refused", { orderId: escapeHtml(orderId), status: status ? statusName(kit.view(ctx), status) : "—", act: ctx.t(`ord-btn-${act}`) });
}

/**
 * Sends an act's event, unless this update already did (a redelivery: a duplicate) or the order
 * no longer offers the act (an old button, a second tap): the machine alone would take a second
 * refund of a Stars order in `refunding` as a retry, so the card's offer is checked first.
 */
async function sendAct(kit: OwnerKit, ctx: OwnerContext, orderId: string, act: OrderAct, text: string | null): Promise<OrderSendResult["kind"]> {
  const loaded = await loadOrder(kit, orderId);
  if (!loaded || !kit.orders) return "unknown_order";
  if (loaded.history.some((event) => event.key === moveKey(ctx))) return "duplicate";
  if (!loaded.acts.includes(act)) return "refused";
  return (await sendOrderEvent(kit.orders, orderId, eventOf(act, text), moveKey(ctx))).kind;
}

/** A tap on an order's move: sent at once (paid, delivered, refunded), or the words asked for first (shipped, cancel, refund). */
async function onAct(kit: OwnerKit, ctx: OwnerContext, orderId: string, code: string, place: CardPlace): Promise<void> {
  if (!isOrderAct(code)) {
    await kit.answer(ctx, ctx.t("button-outdated"));
    return openOrders(kit, ctx);
  }
  if (!kit.orders) return showOrder(kit, ctx, orderId, place, "show", ctx.t("ord-off"), true);
  const input = inputOfAct(code);
  if (input === null) {
    const outcome = await sendAct(kit, ctx, orderId, code, null);
    return showOrder(kit, ctx, orderId, place, "show", await outcomeText(kit, ctx, orderId, code, outcome), outcome === "refused");
  }
  const loaded = await loadOrder(kit, orderId);
  if (!loaded?.acts.includes(code)) {
    return showOrder(kit, ctx, orderId, place, "show", await outcomeText(kit, ctx, orderId, code, loaded ? "refused" : "unknown_order"), true);
  }
  kit.dropInputFlows(ctx);
  await kit.flows.order.step(ctx, { type: "START", orderId, action: input, returnTo: place }, kit.flows.order.fresh());
  await kit.answer(ctx);
  const prompt = orderInputPromptScreen(kit.view(ctx), orderId, input, maxOrderInputChars);
  // A notice stays a notice: the prompt comes under it.
  await (place.list === onNotice ? kit.send(ctx, prompt) : kit.show(ctx, prompt));
}

/** Typed words, or "skip": the flow sends the move; the owner sees the order with how it went, or why not and the prompt again. */
async function takeInput(kit: OwnerKit, ctx: OwnerContext, event: { readonly type: "TEXT"; readonly text: string } | { readonly type: "SKIP" }): Promise<void> {
  const waiting = kit.flows.order.of(ctx);
  const { orderId, action, returnTo } = waiting.context;
  if (waiting.value !== "awaitingText" || orderId === null || action === null) {
    await kit.answer(ctx, ctx.t("button-outdated"));
    return openOrders(kit, ctx);
  }
  const after = await kit.flows.order.step(ctx, event, waiting);
  if (after.value !== "idle") {
    const prompt = orderInputPromptScreen(kit.view(ctx), orderId, action, maxOrderInputChars, after.context.error ?? "empty");
    await kit.answer(ctx);
    return ctx.callbackQuery ? kit.show(ctx, prompt) : kit.send(ctx, prompt);
  }
  const outcome = after.context.last?.outcome ?? "unknown_order";
  const notice = await outcomeText(kit, ctx, orderId, actOfInput(action), outcome);
  const place = returnTo && returnTo.list !== onNotice ? returnTo : { list: listAfter(kit, orderId), offset: 0 };
  return showOrder(kit, ctx, orderId, place, ctx.callbackQuery ? "show" : "send", notice, outcome === "refused");
}

/** The list a card that was a notice goes back to: the order's status now. */
function listAfter(kit: OwnerKit, orderId: string): number {
  const status = kit.orders?.view(orderId)?.status;
  return status ? listOf(status) : allOrders;
}

/**
 * A text Telegram delivers again after the move it carried was sent (the order's log has its key)
 * but before the owner's session kept that the flow was done: the order is shown, and nothing is
 * sent twice. Any other text goes on (to the search).
 */
async function redeliveredInput(kit: OwnerKit, ctx: OwnerContext): Promise<boolean> {
  const last = kit.flows.order.of(ctx).context.last;
  if (!last) return false;
  const history = await kit.store.actorEvents(orderActor(last.orderId));
  if (!history.some((event) => event.key === moveKey(ctx))) return false;
  await showOrder(kit, ctx, last.orderId, { list: listAfter(kit, last.orderId), offset: 0 }, "send", ctx.t("ord-duplicate", { orderId: escapeHtml(last.orderId) }));
  return true;
}

/** An order's moves: mark paid, shipped (a tracking note or skip), delivered, cancel (a reason), refund, and a refund done by hand. */
export function orderActions(kit: OwnerKit): Composer<OwnerContext> {
  const composer = new Composer<OwnerContext>();
  onButton(composer, "oa", (ctx, [orderId, act, list, offset]) => onAct(kit, ctx, orderId, act, { list, offset }));
  onButton(composer, "oskip", (ctx) => takeInput(kit, ctx, { type: "SKIP" }));
  onButton(composer, "ocan", async (ctx) => {
    const { orderId, returnTo } = kit.flows.order.of(ctx).context;
    await kit.flows.order.step(ctx, { type: "CANCEL" });
    if (orderId === null) return openOrders(kit, ctx);
    return showOrder(kit, ctx, orderId, returnTo && returnTo.list !== onNotice ? returnTo : { list: listAfter(kit, orderId), offset: 0 }, "show", ctx.t("ord-input-cancelled"));
  });
  onButton(composer, "orfd", (ctx, [orderId, chargeHash]) => refundDone(kit, ctx, orderId, chargeHash, moveKey(ctx)));
  composer.on("message:text", async (ctx, next) => {
    if (ctx.message.text.startsWith("/")) return next();
    if (kit.flows.order.of(ctx).value === "awaitingText") return takeInput(kit, ctx, { type: "TEXT", text: ctx.message.text });
    if (!(await redeliveredInput(kit, ctx))) await next();
  });
  return composer;
}
