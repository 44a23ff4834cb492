import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { normalizePhone } from "./customer.input.ts";

describe("normalizePhone", () => {
  it.each([
    ["8 (999) 123-45-67", "+89991234567"],
    ["+7 999 123 45 67", "+79991234567"],
    ["79991234567", "+79991234567"],
    ["+79991234567", "+79991234567"],
    ["  +7.999.123.45.67\n", "+79991234567"],
    ["\u200B+7\u2060 999 123\u200D45 67\uFEFF", "+79991234567"],
    ["+7\u00A0999\u00A0123\u201145\u201167", "+79991234567"],
    ["(+44) 20 7946 0958", "+442079460958"],
    ["1234567890", "+1234567890"],
    ["123456789012345", "+123456789012345"],
  ])("accepts %j as %s", (text, expected) => {
    expect(normalizePhone(text)).toBe(expected);
  });

  it.each([
    ["", "empty"],
    ["   ", "blank"],
    ["\u200B\u200C\u200D\u2060\uFEFF", "only zero-width characters"],
    ["+", "a lone plus"],
    ["123456789", "9 digits"],
    ["1234567890123456", "16 digits"],
    ["++79991234567", "two pluses"],
    ["7+9991234567", "a plus inside"],
    ["79991234567+", "a trailing plus"],
    ["8 999 CALL-ME", "letters"],
    ["+7 999 123 45 6x", "a letter among digits"],
    ["📞 +79991234567", "an emoji"],
    ["+7999123\u200A4567📱", "an emoji at the end"],
    ["٧٩٩٩١٢٣٤٥٦٧", "Arabic-Indic digits"],
    ["+7 999 123 45 67 ext 5", "an extension"],
    ["7".repeat(10_000), "10,000 digits"],
    ["+7 (999) ".repeat(1_000), "10,000 characters of repeated formatting"],
  ])("rejects %j (%s)", (text) => {
    expect(normalizePhone(text)).toBeNull();
  });

  it("returns null or a plus and 10 to 15 digits, for any text", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: "grapheme", maxLength: 40 }), fc.stringMatching(/^[+\d ()\-.]{0,30}$/)), (text) => {
        const phone = normalizePhone(text);
        if (phone !== null) expect(phone).toMatch(/^\+\d{10,15}$/);
      }),
      { numRuns: 20_000 },
    );
  });

  it("is unchanged by formatting noise and surrounding whitespace around a valid number", () => {
    const noise = fc.array(fc.constantFrom(" ", "-", ".", "(", ")", "\u00A0", "\u200B", "\u2013"), { maxLength: 2 });
    const digit = fc.constantFrom(..."0123456789");
    const edge = fc.array(fc.constantFrom(" ", "\t", "\n", "\u200B", "\uFEFF", "\u2060"), { maxLength: 3 }).map((parts) => parts.join(""));
    fc.assert(
      fc.property(fc.array(digit, { minLength: 10, maxLength: 15 }), fc.array(noise, { minLength: 16, maxLength: 16 }), fc.boolean(), edge, edge, (digits, gaps, plus, before, after) => {
        const formatted = digits.map((d, index) => `${gaps[index]?.join("") ?? ""}${d}`).join("");
        const text = `${before}${plus ? "+" : ""}${formatted}${after}`;
        expect(normalizePhone(text)).toBe(`+${digits.join("")}`);
      }),
      { numRuns: 20_000 },
    );
  });

  it("is idempotent: a stored phone normalises to itself", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\+?[\d ()\-.]{10,30}$/), (text) => {
        const phone = normalizePhone(text);
        if (phone !== null) expect(normalizePhone(phone)).toBe(phone);
      }),
      { numRuns: 5_000 },
    );
  });

  it("rejects any text with a letter in it", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\+?\d{10,15}$/), fc.nat(), fc.constantFrom(..."abcxyzабвЖ"), (valid, at, letter) => {
        const cut = at % (valid.length + 1);
        expect(normalizePhone(valid.slice(0, cut) + letter + valid.slice(cut))).toBeNull();
      }),
    );
  });
});
