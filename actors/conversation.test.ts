import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { escapeHtml, formatMessagesForDisplay, telegramMessageLimit, truncateText } from "./conversation.ts";
import type { StoredMessage } from "./store.port.ts";

const message = (id: number, text: string, direction: "in" | "out" = "in"): StoredMessage => ({
  id,
  userId: 1,
  direction,
  type: direction === "in" ? "text" : "ai_response",
  text,
  at: Date.parse("2026-01-27T10:00:00Z") + id * 60_000,
});

describe("truncateText", () => {
  it("never splits a surrogate pair and never exceeds the limit", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 3000 }), fc.integer({ min: 1, max: 2500 }), (text, max) => {
        const cut = truncateText(text, max);
        expect(cut.length).toBeLessThanOrEqual(max);
        expect(text.startsWith(cut)).toBe(true);
        expect(cut).toBe(Buffer.from(cut, "utf8").toString("utf8"));
      }),
    );
  });
});

describe("formatMessagesForDisplay", () => {
  it("escapes HTML, marks direction and keeps chronological order", () => {
    const pages = formatMessagesForDisplay([message(2, "ok", "out"), message(1, "<b>5 & 6</b>")], { timeZone: "Europe/Moscow" });
    expect(pages).toHaveLength(1);
    expect(pages[0]).toBe("<i>27.01, 13:01</i> 👤 &lt;b&gt;5 &amp; 6&lt;/b&gt;\n\n<i>27.01, 13:02</i> 🤖 ok");
  });

  it("splits a long conversation into pages that each fit one Telegram message, losing nothing", () => {
    const messages = Array.from({ length: 40 }, (_, i) => message(i, `${i}:${"<&>".repeat(600)}`));
    const pages = formatMessagesForDisplay(messages, { timeZone: "UTC" });
    expect(pages.length).toBeGreaterThan(10);
    for (const page of pages) {
      expect(page.length).toBeLessThan(telegramMessageLimit);
      expect(page).not.toMatch(/&[a-z]*$/);
    }
    const escapedTotal = messages.map((m) => escapeHtml(m.text)).join("").length;
    expect(pages.join("").length).toBeGreaterThan(escapedTotal);
  });
});
