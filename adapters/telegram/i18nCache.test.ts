import { I18n } from "@grammyjs/i18n";
import type { Context } from "grammy";
import { describe, expect, it } from "vitest";
import { rememberBundleMatches } from "./i18nCache.ts";

describe("remembered Fluent bundle matches", () => {
  it("negotiates each locale list once, and translates exactly as before", () => {
    const i18n = new I18n<Context>({ defaultLocale: "ru", fluentBundleOptions: { useIsolating: false } });
    i18n.loadLocaleSync("ru", { source: "hello = Привет, { $name }!" });
    i18n.loadLocaleSync("en", { source: "hello = Hello, { $name }!" });
    const fluent = i18n.fluent as unknown as { matchBundles(locales: readonly string[]): unknown };
    const before = [i18n.t("ru", "hello", { name: "Анна" }), i18n.t("en", "hello", { name: "Emma" })];
    let negotiations = 0;
    const original = fluent.matchBundles.bind(fluent);
    fluent.matchBundles = (locales) => {
      negotiations += 1;
      return original(locales);
    };
    rememberBundleMatches(i18n);
    for (let i = 0; i < 5; i++) {
      expect([i18n.t("ru", "hello", { name: "Анна" }), i18n.t("en", "hello", { name: "Emma" })]).toEqual(before);
    }
    expect(before).toEqual(["Привет, Анна!", "Hello, Emma!"]);
    expect(negotiations).toBe(2);
  });
});
