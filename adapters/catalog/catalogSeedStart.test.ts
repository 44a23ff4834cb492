import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openSqliteStore } from "../sqlite/sqliteStore.ts";
import { startBotApiStandIn, type BotApiStandIn } from "../telegram/testing/botApiStandIn.ts";
import * as updates from "../telegram/testing/telegramUpdates.ts";
import { logLines, startMain, until } from "../testing/npmStart.ts";

const token = "7005:AAH-seed-test-token-not-real_1234";

const seed = (price: number) => ({
  categories: [{ id: "tea", emoji: "🍵", title: "Чай" }],
  products: [{ id: "sencha", categoryId: "tea", title: "Сенча", description: "Зелёный чай.", price, currency: "RUB", stock: 4 }],
});

let dir: string;
let standIn: BotApiStandIn | undefined;
afterEach(async () => {
  await standIn?.close();
  standIn = undefined;
  rmSync(dir, { recursive: true, force: true });
});

describe("npm start: CATALOG_PATH seeds the catalog in the store", () => {
  it("imports the seed on the first start only; later starts serve the store's catalog", async () => {
    dir = mkdtempSync(join(tmpdir(), "seed-start-"));
    standIn = await startBotApiStandIn({ botInfo: { username: "seed_test_bot", first_name: "Чайная" } });
    const catalogPath = join(dir, "catalog.json");
    writeFileSync(catalogPath, JSON.stringify(seed(590)));
    const env = { SHOP_BOT_TOKEN: token, TELEGRAM_API_ROOT: standIn.apiRoot, DATABASE_PATH: join(dir, "crm.sqlite"), CATALOG_PATH: catalogPath };

    const first = startMain(env, dir);
    await until(() => first.output().includes('"event":"started"'), "the first start");
    expect(logLines(first.output(), "catalog_seeded")).toEqual([expect.objectContaining({ file: catalogPath, edits: 2 })]);
    first.kill("SIGTERM");
    expect((await first.exited).code).toBe(0);

    writeFileSync(catalogPath, JSON.stringify(seed(990)));
    const second = startMain(env, dir);
    await until(() => second.output().includes('"event":"started"'), "the second start");
    expect(logLines(second.output(), "catalog_seeded")).toEqual([]);
    const anna = updates.user(42, { first_name: "Анна" });
    standIn.pushUpdate(updates.command(anna, "start"), { token });
    await until(() => (standIn?.messages(42, token).length ?? 0) >= 1, "the greeting");
    const greeting = standIn.messages(42, token)[0];
    if (!greeting) throw new Error("no greeting");
    standIn.pushUpdate(updates.callback(anna, "s1.prod.sencha", greeting), { token });
    await until(() => standIn?.messages(42, token).some((message) => message.text?.includes("Сенча")) ?? false, "the product card");
    const card = standIn.messages(42, token).find((message) => message.text?.includes("Сенча"))?.text ?? "";
    expect(card.replace(/\s/gu, " ")).toContain("590 ₽");
    second.kill("SIGTERM");
    expect((await second.exited).code).toBe(0);

    const store = openSqliteStore({ path: env.DATABASE_PATH });
    try {
      expect(store.catalogRows().products.map((product) => [product.id, product.price])).toEqual([["sencha", 590]]);
      expect((await store.catalogEdits()).items.every((edit) => edit.by.kind === "seed")).toBe(true);
    } finally {
      await store.close();
    }
  });

  it("refuses to start on a bad seed file with one line naming the file and the field", async () => {
    dir = mkdtempSync(join(tmpdir(), "seed-start-"));
    const catalogPath = join(dir, "catalog.json");
    writeFileSync(catalogPath, JSON.stringify(seed(-1)));
    const { code, stderr } = await startMain({ SHOP_BOT_TOKEN: token, DATABASE_PATH: join(dir, "crm.sqlite"), CATALOG_PATH: catalogPath }, dir).exited;
    expect(code).toBe(1);
    expect(stderr.trim()).toBe(`The catalog cannot be loaded: ${catalogPath}: products[0].price: expected a positive number`);
  });
});
