import { I18n, type I18nFlavor } from "@grammyjs/i18n";
import type { Context, SessionFlavor } from "grammy";
import { fileURLToPath } from "node:url";
import type { Language } from "../../../machines/customer.types.ts";
import { rememberBundleMatches } from "../i18nCache.ts";
import type { View } from "../screen.ts";
import type { OwnerSession } from "./ownerSession.ts";

/** What every handler of the owner bot sees: grammY's context, the owner's session and the translations. */
export type OwnerContext = Context & SessionFlavor<OwnerSession> & I18nFlavor;

const localesDir = fileURLToPath(new URL("./locales", import.meta.url));

/** The owner's language from their Telegram client: English for `en*`, Russian (the shop's default) otherwise. */
export const languageOf = (code: string | undefined): Language => (code?.toLowerCase().startsWith("en") ? "en" : "ru");

const localeOf = (lang: Language): string => (lang === "en" ? "en-US" : "ru-RU");

/**
 * The owner bot's translations (locales/ru.ftl and en.ftl). One instance serves the bot and the
 * notices sent outside any update (new orders, failures), so both speak the same words.
 */
export function ownerI18n(): I18n<OwnerContext> {
  const i18n = new I18n<OwnerContext>({
    defaultLocale: "ru",
    directory: localesDir,
    localeNegotiator: (ctx) => languageOf(ctx.from?.language_code),
    fluentBundleOptions: { useIsolating: false },
  });
  rememberBundleMatches(i18n);
  return i18n;
}

/** What a screen needs to be written in one language: its words, its number and date formats, the shop's zone. */
export function viewIn(i18n: I18n<OwnerContext>, lang: Language, timeZone: string): View {
  return { t: (key, vars) => i18n.t(lang, key, vars), locale: localeOf(lang), timeZone };
}
