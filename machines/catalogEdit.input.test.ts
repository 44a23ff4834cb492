import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { catalogLimits, checkDescription, checkId, checkPhotoReference, checkPrice, checkPriceNumber, checkStock, checkStockNumber, checkTitle, meansNone } from "./catalogEdit.input.ts";

describe("checkPrice", () => {
  it.each([
    ["890", 890],
    ["99.90", 99.9],
    ["99,9", 99.9],
    ["1 290", 1290],
    ["1\u202F290,50", 1290.5],
    ["0.01", 0.01],
    ["999999999.99", 999_999_999.99],
  ])("takes %j as %d", (text, price) => {
    expect(checkPrice(text)).toEqual({ ok: true, value: price });
  });

  it.each([
    ["", "price_not_number"],
    ["abc", "price_not_number"],
    ["12 руб", "price_not_number"],
    ["1,290.50", "price_not_number"],
    ["1e3", "price_not_number"],
    ["0", "price_not_positive"],
    ["0,00", "price_not_positive"],
    ["-5", "price_not_positive"],
    ["−5", "price_not_positive"],
    ["10.999", "price_decimals"],
    ["10.500", "price_decimals"],
    ["0.001", "price_decimals"],
    ["1000000000", "price_too_large"],
  ])("refuses %j with %s", (text, code) => {
    expect(checkPrice(text)).toEqual({ ok: false, error: { code } });
  });

  it("refuses a number price that is not whole cents, or not finite", () => {
    expect(checkPriceNumber(10.005)).toEqual({ ok: false, error: { code: "price_decimals" } });
    expect(checkPriceNumber(Number.NaN)).toEqual({ ok: false, error: { code: "price_not_number" } });
    expect(checkPriceNumber(0.1 + 0.2)).toEqual({ ok: true, value: 0.3 });
  });

  it("never throws, and anything it takes is a positive amount of whole cents", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^-?[0-9 ]{0,12}([.,][0-9]{0,4})?$/)), (text) => {
        const checked = checkPrice(text);
        if (checked.ok) {
          expect(checked.value).toBeGreaterThan(0);
          expect(Math.round(checked.value * 100) / 100).toBe(checked.value);
        } else expect(checked.error.code).toMatch(/^price_/);
      }),
    );
  });
});

describe("checkStock", () => {
  it.each([
    ["0", 0],
    ["12", 12],
    [" 1 000 ", 1000],
    ["-", null],
    ["—", null],
  ])("takes %j as %j", (text, stock) => {
    expect(checkStock(text)).toEqual({ ok: true, value: stock });
  });

  it.each([
    ["-3", "stock_negative"],
    ["-1.5", "stock_negative"],
    ["2.5", "stock_not_whole"],
    ["many", "stock_not_whole"],
    ["", "stock_not_whole"],
    ["1000000001", "stock_too_large"],
  ])("refuses %j with %s", (text, code) => {
    expect(checkStock(text)).toEqual({ ok: false, error: { code } });
  });

  it("checks a number stock the same way", () => {
    expect(checkStockNumber(-1)).toEqual({ ok: false, error: { code: "stock_negative" } });
    expect(checkStockNumber(1.5)).toEqual({ ok: false, error: { code: "stock_not_whole" } });
    expect(checkStockNumber(7)).toEqual({ ok: true, value: 7 });
  });
});

describe("text fields", () => {
  it("keeps a title on one line, as written, HTML and formulas included", () => {
    expect(checkTitle("  <b>Кофе</b>\n 250 г ")).toEqual({ ok: true, value: "<b>Кофе</b> 250 г" });
    expect(checkTitle('=HYPERLINK("x")')).toEqual({ ok: true, value: '=HYPERLINK("x")' });
  });

  it("refuses an empty or a too long title", () => {
    expect(checkTitle(" \n ")).toEqual({ ok: false, error: { code: "empty" } });
    expect(checkTitle("x".repeat(101))).toEqual({ ok: false, error: { code: "too_long", max: 100, length: 101 } });
    expect(checkTitle("x".repeat(65), catalogLimits.categoryTitle)).toEqual({ ok: false, error: { code: "too_long", max: 64, length: 65 } });
  });

  it("keeps a description's lines, clears it with -, and refuses one over 900 characters", () => {
    expect(checkDescription(" line 1\nline 2 ")).toEqual({ ok: true, value: "line 1\nline 2" });
    expect(checkDescription("-")).toEqual({ ok: true, value: "" });
    expect(checkDescription("x".repeat(901))).toEqual({ ok: false, error: { code: "too_long", max: 900, length: 901 } });
  });

  it("takes ids of 1–24 Latin letters, digits, _ or -", () => {
    expect(checkId(" eth-2_b ")).toEqual({ ok: true, value: "eth-2_b" });
    for (const bad of ["", "p 1", "кофе", "x".repeat(25), "a.b"]) expect(checkId(bad)).toEqual({ ok: false, error: { code: "not_id" } });
  });

  it("tells a dash for none", () => {
    expect(meansNone(" - ")).toBe(true);
    expect(meansNone("0")).toBe(false);
  });

  it("takes an https link or a file_id for a photo, and nothing else", () => {
    expect(checkPhotoReference("https://example.com/a.jpg")).toEqual({ ok: true, value: "https://example.com/a.jpg" });
    expect(checkPhotoReference("AgACAgIAAxkBAAIB")).toEqual({ ok: true, value: "AgACAgIAAxkBAAIB" });
    for (const bad of ["http://example.com/a.jpg", "javascript:alert(1)", "photos/a.jpg", "short"]) expect(checkPhotoReference(bad).ok).toBe(false);
  });
});
