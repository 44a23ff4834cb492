import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterEach, describe, expect, it } from "vitest";
import { migrations } from "./sqliteSchema.ts";
import { openSqliteStore } from "./sqliteStore.ts";

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const onDisk = (path: string, values: readonly string[]): string[] => {
  const bytes = [path, `${path}-wal`].filter((file) => existsSync(file)).map((file) => readFileSync(file));
  return values.filter((value) => bytes.some((content) => content.includes(Buffer.from(value, "utf8"))));
};

describe("migration 6: text typed without consent", () => {
  it("takes the words out of older searches made without consent, and of shop sessions' last search, leaving no byte of them", async () => {
    dir = mkdtempSync(join(tmpdir(), "crm-typed-text-"));
    const path = join(dir, "crm.sqlite");
    const old = new DatabaseSync(path);
    old.exec(`PRAGMA journal_mode = WAL; ${migrations.slice(0, 5).join(";\n")}; PRAGMA user_version = 5;`);
    const lead = old.prepare(
      `INSERT INTO crm_leads (user_id, stage, orders_count, lifetime_value, tags, notes, stage_entered_at, machine_version, snapshot, last_seq, consent_at)
       VALUES (?, 'engaged', 0, 0, '[]', '[]', '{}', 1, '{}', 0, ?)`,
    );
    lead.run(1, 500);
    lead.run(2, null);
    const event = old.prepare("INSERT INTO crm_events (user_id, type, payload, ts, key) VALUES (?, ?, ?, ?, ?)");
    event.run(1, "search", JSON.stringify({ query: "Кения после согласия" }), 1_000, "k1");
    event.run(1, "search", JSON.stringify({ query: "Телефон до согласия 79990001111" }), 100, "k2");
    event.run(2, "search", JSON.stringify({ query: "Адрес без согласия, Тайная 7" }), 1_000, "k3");
    event.run(2, "search", "not json", 1_001, "k4");
    event.run(2, "product_view", JSON.stringify({ productId: "sencha", query: "not a search" }), 1_002, "k5");
    const session = old.prepare("INSERT INTO crm_sessions (key, value, updated_at) VALUES (?, ?, 0)");
    session.run("shop:2", JSON.stringify({ v: 1, cart: { rev: 0, lines: [] }, lastSearch: "Последний поиск Тайная 7" }));
    session.run("owner:2", JSON.stringify({ lastSearch: "owner flows are not the shop's" }));
    session.run("shop:3", "{broken");
    old.close();
    expect(onDisk(path, ["Телефон до согласия", "Адрес без согласия", "Последний поиск"])).toHaveLength(3);

    const store = openSqliteStore({ path });
    try {
      const payloads = async (userId: number) => (await store.events(userId)).map((stored) => stored.payload);
      expect(await payloads(1)).toEqual([{ query: "Кения после согласия" }, {}]);
      expect(await payloads(2)).toEqual([{}, {}, { productId: "sencha", query: "not a search" }]);
      expect(JSON.parse((await store.readSession("shop:2")) ?? "null")).toEqual({ v: 1, cart: { rev: 0, lines: [] } });
      expect(await store.readSession("owner:2")).toContain("owner flows are not the shop's");
      expect(await store.readSession("shop:3")).toBe("{broken");
      expect(onDisk(path, ["Телефон до согласия", "Адрес без согласия", "Последний поиск", "Кения после согласия"])).toEqual(["Кения после согласия"]);
    } finally {
      await store.close();
    }
  });
});
