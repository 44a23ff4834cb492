import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { checkPlaced, eachOnce, readyCustomers, starsOrder } from "./p9Orders.ts";
import { p9Precheckout } from "./p9Payments.ts";

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe("P9_orders' setup and its check", () => {
  it("leaves customers at the summary, so that each one's Stars order is placed, and the check finds every order and its stock", async () => {
    dir = mkdtempSync(join(tmpdir(), "p9-orders-test-"));
    const path = join(dir, "ready.sqlite");
    await readyCustomers(path, 6);
    await eachOnce(path, 6, starsOrder);
    expect(() => checkPlaced(path, 6)).not.toThrow();
  });

  it("refuses a run in which an order is missing or a product's stock did not go down by what was ordered", async () => {
    dir = mkdtempSync(join(tmpdir(), "p9-orders-test-"));
    const path = join(dir, "ready.sqlite");
    await readyCustomers(path, 6);
    await eachOnce(path, 5, starsOrder);
    expect(() => checkPlaced(path, 6)).toThrow("P9_orders: 5 orders stored (5 awaiting payment), expected 6");
  });
});

describe("P9_precheckout_ms on a few customers", () => {
  it("places Stars orders through npm start's checkout, pays each one through the stand-in, and finds every order paid", async () => {
    const [figure] = await p9Precheckout(3);
    expect(figure).toMatchObject({ id: "P9_precheckout_ms", unit: "ms", bar: "<= 1000" });
    expect(figure?.detail).toContain("over 3 queries, all answered ok in time; all 3 orders paid in the store");
  });
});
