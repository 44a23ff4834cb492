import { Composer } from "grammy";
import { addToCart, priceCart, qtyOf, type PricedCart } from "../../../actors/cart.ts";
import type { Product } from "../../../actors/catalog.port.ts";
import type { CustomerSnapshot } from "../../../actors/customerRuntime.ts";
import { maxCartLines } from "../../../machines/customer.cart.ts";
import { answer, customerOf, dispatch, onButtons, view, type Shop, type ShopContext } from "./shopContext.ts";
import { cartScreen, categoriesScreen, productScreen } from "./shopScreens.ts";

/**
 * The cart: adding from a product card, +/−/✕ on the cart screen, and the cart itself. The cart
 * is the customer actor's: each change is an event (`add_to_cart`, `cart_item_decreased`,
 * `cart_item_removed`), checked against the catalog's stock and the cart's limits first, and the
 * screen is drawn from the cart the committed event left.
 */

/**
 * The customer's cart at today's prices and stock. When the catalog dropped or shortened lines,
 * the actor's cart is corrected first (`cart_adjusted`), so what is shown is what is kept.
 */
export async function priceCustomerCart(shop: Shop, ctx: ShopContext, snapshot: CustomerSnapshot): Promise<PricedCart> {
  const priced = priceCart(snapshot.context.cart, shop.catalog);
  if (priced.notices.length === 0) return priced;
  const adjusted = await dispatch(shop, ctx, { type: "cart_adjusted", lines: priced.cart.lines });
  return { ...priced, cart: adjusted.context.cart };
}

/** The cart screen, from the customer's cart checked against the catalog of the moment. */
export async function showCart(shop: Shop, ctx: ShopContext, headline?: string): Promise<void> {
  const priced = await priceCustomerCart(shop, ctx, await customerOf(shop, ctx));
  await shop.show(ctx, cartScreen(view(shop, ctx), priced, headline));
}

/** Why a product cannot go into the cart (one more of it), or null when it can. */
function refusal(ctx: ShopContext, snapshot: CustomerSnapshot, product: Product): string | null {
  const outcome = addToCart(snapshot.context.cart, product);
  switch (outcome.kind) {
    case "added":
      return null;
    case "out_of_stock":
      return ctx.t("out-of-stock", { title: product.title });
    case "limited":
      return ctx.t("limited", { count: outcome.limitedTo });
    case "cart_full":
      return ctx.t("cart-full", { count: maxCartLines });
  }
}

async function addProduct(shop: Shop, ctx: ShopContext, productId: string): Promise<void> {
  const product = shop.catalog.product(productId);
  if (!product) {
    await answer(ctx, ctx.t("product-gone"), true);
    return shop.show(ctx, categoriesScreen(view(shop, ctx), shop.catalog.categories(), ctx.t("product-gone")));
  }
  const refused = refusal(ctx, await customerOf(shop, ctx), product);
  if (refused !== null) return answer(ctx, refused, true);
  const added = await dispatch(shop, ctx, { type: "add_to_cart", productId: product.id, qty: 1 });
  const inCart = qtyOf(added.context.cart, product.id);
  await answer(ctx, ctx.t("added", { title: product.title, count: inCart }));
  await shop.show(ctx, productScreen(view(shop, ctx), product, inCart));
}

/** +, − or ✕ on a line of the cart screen; a press on an older rendering of the cart (another `rev`) is refused. */
async function changeLine(shop: Shop, ctx: ShopContext, action: "inc" | "dec" | "rm", productId: string, rev: number): Promise<void> {
  const snapshot = await customerOf(shop, ctx);
  const { cart } = snapshot.context;
  if (rev !== cart.rev) {
    await answer(ctx, ctx.t("cart-stale"));
    return showCart(shop, ctx, ctx.t("cart-stale"));
  }
  if (qtyOf(cart, productId) === 0) {
    await answer(ctx, ctx.t("cart-not-in"));
    return showCart(shop, ctx);
  }
  if (action === "inc") {
    const product = shop.catalog.product(productId);
    if (!product) return showCart(shop, ctx);
    const refused = refusal(ctx, snapshot, product);
    if (refused !== null) {
      await answer(ctx, refused, true);
      return showCart(shop, ctx);
    }
    await dispatch(shop, ctx, { type: "add_to_cart", productId, qty: 1 });
  } else {
    await dispatch(shop, ctx, action === "dec" ? { type: "cart_item_decreased", productId } : { type: "cart_item_removed", productId });
  }
  await answer(ctx);
  await showCart(shop, ctx);
}

/** The cart's Composer: `/cart`, and the add, cart, +, − and ✕ buttons. */
export function shopCart(shop: Shop): Composer<ShopContext> {
  const composer = new Composer<ShopContext>();
  composer.command("cart", (ctx) => showCart(shop, ctx));
  onButtons(composer, {
    add: (ctx, [productId]) => addProduct(shop, ctx, productId),
    cart: async (ctx) => {
      await answer(ctx);
      await showCart(shop, ctx);
    },
    inc: (ctx, [productId, rev]) => changeLine(shop, ctx, "inc", productId, rev),
    dec: (ctx, [productId, rev]) => changeLine(shop, ctx, "dec", productId, rev),
    rm: (ctx, [productId, rev]) => changeLine(shop, ctx, "rm", productId, rev),
  });
  return composer;
}
