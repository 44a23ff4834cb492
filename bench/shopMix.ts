import type { DispatchInput } from "../actors/customerRuntime.ts";
import type { CustomerEventInput } from "../machines/customer.types.ts";
import { random } from "./figures.ts";

/** One planned dispatch: to whom, and what. */
export interface Planned {
  readonly userId: number;
  readonly input: DispatchInput;
}

/**
 * The shop's mix of events the dispatch figures share (P1, P11_rebuild, P12_pg): mostly browsing,
 * some carts, checkouts and orders, one a second from 2026-01-01, each keyed as a Telegram update
 * would be (`firstUpdateId` onwards), over `customers` chosen at random by `seed`.
 */
export function shopMix(options: { readonly events: number; readonly customers: number; readonly seed: number; readonly firstUpdateId?: number }): Planned[] {
  const start = Date.parse("2026-01-01T00:00:00Z");
  const next = random(options.seed);
  const planned: Planned[] = [];
  for (let i = 0; i < options.events; i++) {
    const userId = 1 + Math.floor(next() * options.customers);
    const r = next();
    const event: CustomerEventInput =
      r < 0.05 ? { type: "start", source: "ads" }
      : r < 0.3 ? { type: "catalog_view" }
      : r < 0.6 ? { type: "product_view", productId: `p${Math.floor(next() * 200)}` }
      : r < 0.75 ? { type: "search", query: "зелёный чай" }
      : r < 0.9 ? { type: "add_to_cart", productId: `p${Math.floor(next() * 200)}`, qty: 1 }
      : r < 0.97 ? { type: "checkout_started" }
      : { type: "order_created", orderId: `A-${i}`, total: 990, currency: "RUB" };
    planned.push({ userId, input: { ...event, key: `tg:${(options.firstUpdateId ?? 0) + i}:${event.type}`, at: start + i * 1_000 } });
  }
  return planned;
}
