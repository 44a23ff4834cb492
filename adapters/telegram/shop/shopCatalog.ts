import { Composer, InlineKeyboard } from "grammy";
import { qtyOf } from "../../../actors/cart.ts";
import type { Product } from "../../../actors/catalog.port.ts";
import type { Page } from "../../../actors/store.port.ts";
import { clip } from "../format.ts";
import { shopButtons } from "./shopButtons.ts";
import { answer, customerOf, dispatch, hasCurrentConsent, menuOf, onButtons, view, type Shop, type ShopContext } from "./shopContext.ts";
import { categoriesScreen, categoryScreen, productScreen, productsPerPage, resultsPerPage, searchScreen } from "./shopScreens.ts";
import { maxSearchIds } from "./shopSession.ts";

/**
 * The catalog: categories, their pages, product cards, and search by free text with its pages.
 * Viewing records `catalog_view`, `product_view` and `search` on the customer; the pages of a
 * search are the one thing kept in the chat's session (the found product ids, never the words).
 */

async function openCatalog(shop: Shop, ctx: ShopContext): Promise<void> {
  await dispatch(shop, ctx, { type: "catalog_view" });
  await shop.show(ctx, categoriesScreen(view(shop, ctx), shop.catalog.categories()));
}

async function openCategory(shop: Shop, ctx: ShopContext, categoryId: string, offset: number): Promise<void> {
  const category = shop.catalog.category(categoryId);
  if (!category) {
    await answer(ctx, ctx.t("category-gone"));
    return shop.show(ctx, categoriesScreen(view(shop, ctx), shop.catalog.categories(), ctx.t("category-gone")));
  }
  await answer(ctx);
  await shop.show(ctx, categoryScreen(view(shop, ctx), category, shop.catalog.products(category.id, { offset, limit: productsPerPage })));
}

async function openProduct(shop: Shop, ctx: ShopContext, productId: string): Promise<void> {
  const product = shop.catalog.product(productId);
  if (!product) {
    await answer(ctx, ctx.t("product-gone"));
    return shop.show(ctx, categoriesScreen(view(shop, ctx), shop.catalog.categories(), ctx.t("product-gone")));
  }
  const viewed = await dispatch(shop, ctx, { type: "product_view", productId: product.id });
  await answer(ctx);
  await shop.show(ctx, productScreen(view(shop, ctx), product, qtyOf(viewed.context.cart, product.id)));
}

/** Every match of a query, counted; the ids of the first {@link maxSearchIds}, in result order. */
function searchCatalog(shop: Shop, query: string): { readonly ids: readonly string[]; readonly results: number } {
  const ids: string[] = [];
  let results = 0;
  for (let page = shop.catalog.search(query, { offset: 0, limit: 100 }); ; page = shop.catalog.search(query, { offset: results, limit: 100 })) {
    for (const product of page.items) if (ids.length < maxSearchIds) ids.push(product.id);
    results += page.items.length;
    if (!page.hasMore || page.items.length === 0) return { ids, results };
  }
}

/** A page of a search's results from the product ids it kept; products gone from the catalog since are skipped. */
function resultsPage(shop: Shop, ids: readonly string[], offset: number): Page<Product> {
  const products = ids.flatMap((id) => shop.catalog.product(id) ?? []);
  return { items: products.slice(offset, offset + resultsPerPage), offset, limit: resultsPerPage, hasMore: products.length > offset + resultsPerPage };
}

/**
 * Free text typed outside the checkout and the consultant. Without consent to the current terms
 * the words are kept nowhere: the event records how many products were found, and the pages work
 * from their ids.
 */
async function runSearch(shop: Shop, ctx: ShopContext, query: string): Promise<void> {
  const trimmed = clip(query.trim(), 200);
  const { ids, results } = searchCatalog(shop, trimmed);
  const words = hasCurrentConsent(shop, (await customerOf(shop, ctx)).context) ? { query: trimmed } : {};
  await dispatch(shop, ctx, { type: "search", ...words, results });
  ctx.session = ids.length > 0 ? { v: 3, search: { ids } } : null;
  await shop.show(ctx, searchScreen(view(shop, ctx), trimmed, resultsPage(shop, ids, 0)));
}

async function searchPage(shop: Shop, ctx: ShopContext, offset: number): Promise<void> {
  const session = await ctx.session;
  const page = resultsPage(shop, session?.search?.ids ?? [], offset);
  if (page.items.length === 0) {
    await answer(ctx, ctx.t("search-expired"));
    return shop.show(ctx, menuOf(shop, ctx, await customerOf(shop, ctx)));
  }
  await answer(ctx);
  await shop.show(ctx, searchScreen(view(shop, ctx), null, page));
}

/**
 * The catalog's Composer. Its text handler is the last word on free text: install it after the
 * checkout and the consultant, which take text while they are under way.
 */
export function shopCatalog(shop: Shop): Composer<ShopContext> {
  const composer = new Composer<ShopContext>();
  composer.command("catalog", (ctx) => openCatalog(shop, ctx));
  onButtons(composer, {
    cats: async (ctx) => {
      await answer(ctx);
      await openCatalog(shop, ctx);
    },
    cat: (ctx, [categoryId, offset]) => openCategory(shop, ctx, categoryId, offset),
    prod: (ctx, [productId]) => openProduct(shop, ctx, productId),
    find: async (ctx) => {
      await answer(ctx);
      const keyboard = new InlineKeyboard().text(ctx.t("btn-catalog"), shopButtons.encode("cats")).text(ctx.t("btn-menu"), shopButtons.encode("menu"));
      await shop.show(ctx, { text: ctx.t("search-prompt"), keyboard });
    },
    sp: (ctx, [offset]) => searchPage(shop, ctx, offset),
  });
  composer.on("message:text", async (ctx) => {
    if (ctx.message.text.startsWith("/")) return void (await ctx.reply(ctx.t("help")));
    await runSearch(shop, ctx, ctx.message.text);
  });
  return composer;
}
