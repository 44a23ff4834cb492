import { InlineKeyboard } from "grammy";
import { itemsCount, type Cart, type CartNotice, type PricedCart } from "../../../actors/cart.ts";
import type { Category, Product } from "../../../actors/catalog.port.ts";
import type { Lead, Page, StoredOrder } from "../../../actors/store.port.ts";
import { clip, escapeHtml, formatDateTime, formatMoney } from "../format.ts";
import { pageNumber, pager, type Screen, type View } from "../screen.ts";
import { shopButtons as b } from "./shopButtons.ts";

/**
 * The shop bot's screens as pure functions of the data they show: text (Telegram HTML) and inline
 * buttons. Handlers decide which screen to show; these decide how it looks.
 */

export type { Screen, Translate, View } from "../screen.ts";

export const productsPerPage = 6;
export const resultsPerPage = 6;

const money = (view: View, amount: number, currency: string): string => formatMoney(amount, currency, view.locale);

export function mainMenu(view: View, cart: Cart, options: { readonly aiEnabled: boolean; readonly text?: string; readonly askConsent?: boolean }): Screen {
  const count = itemsCount(cart);
  const keyboard = new InlineKeyboard();
  // The consent question rides on the menu itself: one message, and it stays until answered.
  if (options.askConsent) keyboard.text(view.t("btn-accept"), b.encode("cons", true)).text(view.t("btn-decline"), b.encode("cons", false)).row();
  keyboard
    .text(view.t("btn-catalog"), b.encode("cats"))
    .text(view.t("btn-search"), b.encode("find"))
    .row()
    .text(count > 0 ? view.t("btn-cart-count", { count }) : view.t("btn-cart"), b.encode("cart"))
    .row();
  if (options.aiEnabled) keyboard.text(view.t("btn-consultant"), b.encode("ai")).row();
  keyboard.text(view.t("btn-orders"), b.encode("ords", 0)).text(view.t("btn-mydata"), b.encode("mydata"));
  return { text: options.text ?? view.t("menu-title"), keyboard };
}

export function categoriesScreen(view: View, categories: readonly Category[], notice?: string): Screen {
  const head = notice ? `${escapeHtml(notice)}\n\n` : "";
  if (categories.length === 0) return { text: head + view.t("catalog-empty"), keyboard: new InlineKeyboard().text(view.t("btn-menu"), b.encode("menu")) };
  const keyboard = new InlineKeyboard();
  for (const category of categories) keyboard.text(`${category.emoji ?? "•"} ${category.title}`, b.encode("cat", category.id, 0)).row();
  keyboard.text(view.t("btn-menu"), b.encode("menu"));
  return { text: head + view.t("catalog-title"), keyboard };
}

function productButtonLabel(view: View, product: Product): string {
  const sold = product.stock === 0 ? " ⚠️" : "";
  return `${clip(product.title, 40)} — ${money(view, product.price, product.currency)}${sold}`;
}

export function categoryScreen(view: View, category: Category, page: Page<Product>): Screen {
  const keyboard = new InlineKeyboard();
  for (const product of page.items) keyboard.text(productButtonLabel(view, product), b.encode("prod", product.id)).row();
  pager(keyboard, view, page, (offset) => b.encode("cat", category.id, offset));
  keyboard.text(view.t("btn-back"), b.encode("cats")).text(view.t("btn-cart"), b.encode("cart"));
  const pages = Math.max(1, Math.ceil((page.offset + page.items.length + (page.hasMore ? 1 : 0)) / Math.max(1, page.limit)));
  const title = view.t("category-title", { emoji: category.emoji ?? "•", title: escapeHtml(category.title), page: pageNumber(page), pages: Math.max(pages, pageNumber(page)) });
  return { text: page.items.length === 0 ? `${title}\n\n${view.t("category-empty")}` : title, keyboard };
}

export function productScreen(view: View, product: Product, inCart: number): Screen {
  const lines = [`<b>${escapeHtml(product.title)}</b>`, "", escapeHtml(product.description), "", view.t("product-price", { price: money(view, product.price, product.currency) })];
  if (product.stock === 0) lines.push(view.t("product-stock-out"));
  else if (product.stock !== undefined && product.stock <= 5) lines.push(view.t("product-stock-left", { count: product.stock }));
  if (inCart > 0) lines.push(view.t("product-in-cart", { count: inCart }));
  const keyboard = new InlineKeyboard();
  if (product.stock !== 0) keyboard.text(view.t("btn-add"), b.encode("add", product.id)).row();
  keyboard.text(view.t("btn-back"), b.encode("cat", product.categoryId, 0)).text(inCart > 0 ? view.t("btn-cart-count", { count: inCart }) : view.t("btn-cart"), b.encode("cart"));
  return { text: lines.join("\n"), keyboard, ...(product.photo ? { photo: product.photo } : {}) };
}

export function noticeText(view: View, notice: CartNotice): string {
  switch (notice.kind) {
    case "gone":
      return view.t("cart-notice-gone");
    case "out_of_stock":
      return view.t("cart-notice-out", { title: escapeHtml(notice.title) });
    case "limited":
      return view.t("cart-notice-limited", { title: escapeHtml(notice.title), qty: notice.qty });
  }
}

export function cartScreen(view: View, priced: PricedCart, headline?: string): Screen {
  const notices = [...(headline ? [headline] : []), ...priced.notices.map((notice) => noticeText(view, notice))];
  const head = notices.length > 0 ? `${notices.join("\n")}\n\n` : "";
  if (priced.lines.length === 0) {
    return { text: head + view.t("cart-empty"), keyboard: new InlineKeyboard().text(view.t("btn-catalog"), b.encode("cats")).text(view.t("btn-menu"), b.encode("menu")) };
  }
  const rev = priced.cart.rev;
  const keyboard = new InlineKeyboard();
  const lines = priced.lines.map(({ product, qty, sum }) => {
    keyboard
      .text("−", b.encode("dec", product.id, rev))
      .text(`${clip(product.title, 18)} × ${qty}`, b.encode("prod", product.id))
      .text("+", b.encode("inc", product.id, rev))
      .text("✕", b.encode("rm", product.id, rev))
      .row();
    return view.t("cart-line", { title: escapeHtml(product.title), qty, sum: money(view, sum, product.currency) });
  });
  keyboard.text(view.t("btn-checkout"), b.encode("co")).row().text(view.t("btn-catalog"), b.encode("cats")).text(view.t("btn-menu"), b.encode("menu"));
  const total = view.t("cart-total", { total: money(view, priced.total, priced.currency ?? "RUB") });
  return { text: `${head}${view.t("cart-title")}\n\n${lines.join("\n")}\n\n${total}`, keyboard };
}

/**
 * A page of search results. `query` is what the customer just typed, shown back to them; a later
 * page comes from the product ids the session kept, which is why it has no query to show.
 */
export function searchScreen(view: View, query: string | null, page: Page<Product>): Screen {
  const shown = escapeHtml(clip(query ?? "", 60));
  if (page.items.length === 0 && page.offset === 0) {
    return { text: view.t("search-none", { query: shown }), keyboard: new InlineKeyboard().text(view.t("btn-catalog"), b.encode("cats")).text(view.t("btn-menu"), b.encode("menu")) };
  }
  const keyboard = new InlineKeyboard();
  for (const product of page.items) keyboard.text(productButtonLabel(view, product), b.encode("prod", product.id)).row();
  pager(keyboard, view, page, (offset) => b.encode("sp", offset));
  keyboard.text(view.t("btn-menu"), b.encode("menu"));
  const pages = Math.max(pageNumber(page), Math.ceil((page.offset + page.items.length + (page.hasMore ? 1 : 0)) / Math.max(1, page.limit)));
  const text = query === null ? view.t("search-results-page", { page: pageNumber(page), pages }) : view.t("search-results", { query: shown, page: pageNumber(page), pages });
  return { text, keyboard };
}

export function summaryScreen(view: View, priced: PricedCart, checkout: { readonly orderId: string; readonly phone: string | null; readonly delivery: string | null }, notice?: string): Screen {
  const lines = priced.lines.map(({ product, qty, sum }) => view.t("cart-line", { title: escapeHtml(product.title), qty, sum: money(view, sum, product.currency) }));
  const text = [
    ...(notice ? [notice, ""] : []),
    view.t("checkout-summary"),
    "",
    ...lines,
    "",
    view.t("cart-total", { total: money(view, priced.total, priced.currency ?? "RUB") }),
    view.t("checkout-summary-phone", { phone: escapeHtml(checkout.phone ?? "—") }),
    view.t("checkout-summary-delivery", { delivery: escapeHtml(checkout.delivery ?? "—") }),
    "",
    view.t("checkout-confirm-hint"),
  ].join("\n");
  const keyboard = new InlineKeyboard()
    .text(view.t("btn-confirm"), b.encode("ok", checkout.orderId))
    .row()
    .text(view.t("btn-edit-phone"), b.encode("editp"))
    .text(view.t("btn-edit-delivery"), b.encode("editd"))
    .row()
    .text(view.t("btn-cancel"), b.encode("cancel"));
  return { text, keyboard };
}

export function consentScreen(view: View, version: string): Screen {
  return {
    text: view.t("consent-ask", { version: escapeHtml(version) }),
    keyboard: new InlineKeyboard().text(view.t("btn-accept"), b.encode("cons", true)).text(view.t("btn-decline"), b.encode("cons", false)),
  };
}

export function privacyScreen(view: View, lead: Lead | null, currentVersion: string): Screen {
  const keyboard = new InlineKeyboard();
  let text: string;
  if (lead?.consentAt != null && lead.consentVersion === currentVersion) {
    text = view.t("privacy-on", { version: escapeHtml(currentVersion), date: formatDateTime(lead.consentAt, view.locale, view.timeZone) });
    keyboard.text(view.t("btn-revoke"), b.encode("revoke")).row();
  } else {
    text = lead?.consentAt != null ? view.t("privacy-outdated", { version: escapeHtml(currentVersion) }) : view.t("privacy-off");
    keyboard.text(view.t("btn-give-consent"), b.encode("cons", true)).row();
  }
  keyboard.text(view.t("btn-mydata"), b.encode("mydata")).text(view.t("btn-menu"), b.encode("menu"));
  return { text, keyboard };
}

export interface MyData {
  readonly lead: Lead | null;
  readonly messages: number;
  readonly orders: readonly StoredOrder[];
  readonly cartItems: number;
}

export function myDataScreen(view: View, data: MyData, consentVersion: string): Screen {
  const keyboard = new InlineKeyboard()
    .text(view.t("btn-privacy"), b.encode("priv"))
    .text(view.t("btn-forget"), b.encode("forget", false))
    .row()
    .text(view.t("btn-menu"), b.encode("menu"));
  const { lead } = data;
  if (!lead) return { text: `${view.t("mydata-title")}\n\n${view.t("mydata-empty")}`, keyboard };
  const none = view.t("mydata-none");
  const date = (at: number | null): string => (at === null ? none : formatDateTime(at, view.locale, view.timeZone));
  const text = (value: string | null | undefined): string => (value ? escapeHtml(value) : none);
  const consent =
    lead.consentAt !== null && lead.consentVersion !== null
      ? view.t("consent-yes", { version: escapeHtml(lead.consentVersion) }) + (lead.consentVersion === consentVersion ? "" : " ⚠️")
      : view.t("consent-no");
  const rows: [string, string][] = [
    ["label-user-id", String(lead.userId)],
    ["label-name", text(lead.name)],
    ["label-username", lead.username ? `@${escapeHtml(lead.username)}` : none],
    ["label-source", text(lead.source)],
    ["label-first-seen", date(lead.firstSeenAt)],
    ["label-last-seen", date(lead.lastSeenAt)],
    ["label-stage", view.t(`stage-${lead.stage}`)],
    ["label-orders", String(lead.ordersCount)],
    ["label-ltv", data.orders[0] ? money(view, lead.lifetimeValue, data.orders[0].currency) : String(lead.lifetimeValue)],
    ["label-last-order", text(lead.lastOrderId)],
    ["label-consent", consent],
    ["label-phone", text(lead.phone)],
    ["label-tags", lead.tags.length > 0 ? escapeHtml(lead.tags.join(", ")) : none],
    ["label-notes", String(lead.notes.length)],
    ["label-messages", String(data.messages)],
    ["label-cart", String(data.cartItems)],
    ["label-news", lead.unsubscribedAt === null ? view.t("news-on") : view.t("news-off", { date: date(lead.unsubscribedAt) })],
  ];
  const orders = data.orders.map((order) => `• ${escapeHtml(order.orderId)} — ${money(view, order.total, order.currency)}, ${date(order.at)}`);
  const body = rows.map(([label, value]) => view.t("mydata-line", { label: view.t(label), value })).join("\n");
  return { text: [view.t("mydata-title"), "", body, ...(orders.length > 0 ? ["", ...orders] : [])].join("\n"), keyboard };
}

export function forgetScreen(view: View): Screen {
  return {
    text: view.t("forget-ask"),
    keyboard: new InlineKeyboard().text(view.t("btn-forget-yes"), b.encode("forget", true)).row().text(view.t("btn-forget-no"), b.encode("mydata")),
  };
}

export function consultantScreen(view: View): Screen {
  return { text: view.t("consultant-intro"), keyboard: consultantKeyboard(view) };
}

/** Under every message of the consultant's chat: the way out. */
export function consultantKeyboard(view: View): InlineKeyboard {
  return new InlineKeyboard().text(view.t("btn-leave-consultant"), b.encode("aix"));
}

/** The consultant's door without consent to the current terms: it has to keep the question to answer it. */
export function consultantConsentScreen(view: View, version: string): Screen {
  return {
    text: view.t("consultant-needs-consent", { version: escapeHtml(version) }),
    keyboard: new InlineKeyboard().text(view.t("btn-accept"), b.encode("cons", true)).text(view.t("btn-decline"), b.encode("cons", false)).row().text(view.t("btn-menu"), b.encode("menu")),
  };
}

/** The abandoned-cart reminder: what the cart holds at today's prices, and the way back to it. */
export function reminderScreen(view: View, priced: PricedCart): Screen {
  const lines = priced.lines.map(({ product, qty, sum }) => view.t("cart-line", { title: escapeHtml(product.title), qty, sum: money(view, sum, product.currency) }));
  const total = view.t("cart-total", { total: money(view, priced.total, priced.currency ?? "RUB") });
  return {
    text: [view.t("reminder-title"), "", ...lines, "", total, "", view.t("reminder-hint")].join("\n"),
    keyboard: new InlineKeyboard().text(view.t("btn-open-cart"), b.encode("cart")),
  };
}
