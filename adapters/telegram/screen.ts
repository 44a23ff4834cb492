import type { InlineKeyboard } from "grammy";
import type { Page } from "../../actors/store.port.ts";

/** What both bots' screens are made of: translated text in Telegram HTML, and inline buttons. */

export type Translate = (key: string, vars?: Record<string, string | number>) => string;

export interface View {
  readonly t: Translate;
  /** A BCP 47 locale for numbers and dates, e.g. `ru-RU`. */
  readonly locale: string;
  readonly timeZone: string;
}

export interface Screen {
  readonly text: string;
  readonly keyboard?: InlineKeyboard;
  /** A photo (URL or file_id): the screen is sent as a photo with `text` as its caption. */
  readonly photo?: string;
}

/** ◀️ ▶️ under a paged list; nothing when everything fits on one page. */
export function pager(keyboard: InlineKeyboard, view: View, page: Page<unknown>, data: (offset: number) => string): void {
  if (page.offset === 0 && !page.hasMore) return;
  if (page.offset > 0) keyboard.text(view.t("btn-prev"), data(Math.max(0, page.offset - page.limit)));
  if (page.hasMore) keyboard.text(view.t("btn-next"), data(page.offset + page.limit));
  keyboard.row();
}

/** The 1-based number of a page. */
export const pageNumber = (page: Page<unknown>): number => Math.floor(page.offset / Math.max(1, page.limit)) + 1;
