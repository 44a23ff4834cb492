import type { Context } from "grammy";
import type { I18n } from "@grammyjs/i18n";

interface BundleMatcher {
  matchBundles(locales: readonly string[]): unknown;
}

/**
 * @grammyjs/i18n negotiates which Fluent bundles serve a locale on every single translation
 * (`Fluent.matchBundles` runs @fluent/langneg each time: about a tenth of a shop update's own CPU).
 * The bundles are loaded once at start-up and never change, so the match per locale list is
 * remembered. This reaches into the plugin's private method; `i18nCache.test.ts` fails if it moves.
 */
export function rememberBundleMatches<C extends Context>(i18n: I18n<C>): void {
  const fluent = i18n.fluent as unknown as BundleMatcher;
  const match = fluent.matchBundles.bind(fluent);
  const remembered = new Map<string, unknown>();
  fluent.matchBundles = (locales) => {
    const key = locales.join("\u0000");
    if (!remembered.has(key)) remembered.set(key, match(locales));
    return remembered.get(key);
  };
}
