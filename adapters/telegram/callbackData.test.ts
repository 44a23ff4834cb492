import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { callbackCodec } from "./callbackData.ts";

const codec = callbackCodec("1", { cat: ["id", "int"], cart: [], ok: ["id"], cons: ["flag"] });

describe("callback data", () => {
  it("round-trips every action with its arguments", () => {
    expect(codec.decode(codec.encode("cat", "coffee", 2))).toEqual({ action: "cat", args: ["coffee", 2] });
    expect(codec.decode(codec.encode("cart"))).toEqual({ action: "cart", args: [] });
    expect(codec.decode(codec.encode("cons", true))).toEqual({ action: "cons", args: [true] });
    expect(codec.encode("cat", "coffee", 2)).toBe("1.cat.coffee.2");
  });

  it("refuses another version, an unknown action, a wrong arity and a bad argument", () => {
    for (const data of ["2.cat.coffee.2", "1.zap", "1.cat.coffee", "1.cat.coffee.2.3", "1.cat.coffee.-1", "1.cat.co ffee.1", "1.cons.2", "1.constructor", "1.__proto__", "", "x".repeat(65)]) {
      expect(codec.decode(data), data).toBeNull();
    }
    expect(codec.decode(undefined)).toBeNull();
  });

  it("refuses to encode what it could not decode", () => {
    expect(() => codec.encode("ok", "a.b")).toThrow(/not a valid id/);
    expect(() => codec.encode("cat", "x", -1)).toThrow(/not a valid int/);
  });

  it("decodes arbitrary strings to null or to a well-formed action, never throwing", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (data) => {
        const decoded = codec.decode(data);
        if (decoded !== null) expect([codec.version, decoded.action, ...decoded.args.map((arg) => (arg === true ? 1 : arg === false ? 0 : arg))].join(".")).toBe(data);
      }),
      { numRuns: 5_000 },
    );
  });
});
