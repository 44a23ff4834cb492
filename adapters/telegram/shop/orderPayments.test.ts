import { describe, expect, it } from "vitest";
import { loadJsonCatalog } from "../../catalog/jsonCatalog.ts";
import { checkPrices, invoiceFor, minorUnitDigits, sameInvoice } from "./orderPayments.ts";

const catalog = loadJsonCatalog(new URL("../../catalog/sampleCatalog.json", import.meta.url).pathname);

describe("what an order asks the customer to pay", () => {
  it("asks whole stars, rounded up, without float noise turning an exact quotient into one star more", () => {
    expect(invoiceFor("stars", 890, "RUB", 1.78)).toEqual({ currency: "XTR", amount: 500 });
    expect(invoiceFor("stars", 1780, "RUB", 1.78)).toEqual({ currency: "XTR", amount: 1000 });
    expect(invoiceFor("stars", 891, "RUB", 1.78)).toEqual({ currency: "XTR", amount: 501 });
    // 22.1 / 1.7 is 13.000000000000002 in floating point: 13 stars, not 14.
    expect(invoiceFor("stars", 22.1, "USD", 1.7)).toEqual({ currency: "XTR", amount: 13 });
    expect(invoiceFor("stars", 0.5, "RUB", 2)).toEqual({ currency: "XTR", amount: 1 });
    expect(invoiceFor("stars", 890, "RUB", null)).toBeNull();
  });

  it("asks a provider the total in the currency's minor units, and nothing for cash", () => {
    expect(minorUnitDigits("RUB")).toBe(2);
    expect(minorUnitDigits("JPY")).toBe(0);
    expect(invoiceFor("provider", 1780, "RUB", null)).toEqual({ currency: "RUB", amount: 178_000 });
    expect(invoiceFor("provider", 12.35, "USD", 1)).toEqual({ currency: "USD", amount: 1235 });
    expect(invoiceFor("provider", 1200, "JPY", null)).toEqual({ currency: "JPY", amount: 1200 });
    expect(invoiceFor("cash", 1780, "RUB", 1.78)).toBeNull();
  });

  it("compares invoices by currency and amount, and never calls a missing one the same", () => {
    expect(sameInvoice({ currency: "XTR", amount: 5 }, { currency: "XTR", amount: 5 })).toBe(true);
    expect(sameInvoice({ currency: "XTR", amount: 5 }, { currency: "XTR", amount: 6 })).toBe(false);
    expect(sameInvoice({ currency: "XTR", amount: 5 }, { currency: "RUB", amount: 5 })).toBe(false);
    expect(sameInvoice(null, null)).toBe(false);
  });

  it("checks frozen lines against today's catalog: the same, changed (with the new lines and total), or a product gone", () => {
    const product = catalog.product("eth-yirgacheffe");
    if (!product) throw new Error("the sample catalog lost eth-yirgacheffe");
    const line = { productId: product.id, title: product.title, price: product.price, qty: 2 };
    expect(checkPrices([line], catalog)).toEqual({ kind: "same" });
    expect(checkPrices([{ ...line, price: product.price - 100 }], catalog)).toEqual({ kind: "changed", items: [line], total: product.price * 2 });
    expect(checkPrices([line, { productId: "no-such", title: "Старый чай", price: 100, qty: 1 }], catalog)).toEqual({ kind: "gone", title: "Старый чай" });
  });
});
