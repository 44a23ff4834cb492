import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { createCustomerRuntime } from "../../actors/customerRuntime.ts";
import { openSqliteStore } from "./sqliteStore.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const walOf = (path: string): Buffer => (existsSync(`${path}-wal`) ? readFileSync(`${path}-wal`) : Buffer.alloc(0));

describe("the WAL after /forget, while another connection reads (a backup's VACUUM INTO)", () => {
  it("keeps serving others while a reader holds the WAL, and tells the customer only once the WAL is truncated, with no erased byte left", async () => {
    const dir = mkdtempSync(join(tmpdir(), "crm-wal-"));
    dirs.push(dir);
    const path = join(dir, "crm.sqlite");
    const store = openSqliteStore({ path });
    const runtime = createCustomerRuntime({ store });
    await runtime.dispatch(7, { type: "start", name: "Зинаида Уникальнова", username: "zina_unique", key: "7:start" });

    const reader = new DatabaseSync(path, { readOnly: true });
    reader.exec("BEGIN");
    expect(reader.prepare("SELECT count(*) AS n FROM crm_events").get()?.["n"]).toBe(1);

    let told = false;
    const forgetting = runtime.forget(7, "7:forget").then((result) => {
      told = true;
      // The moment the customer would be answered: nothing of them on disk.
      expect(walOf(path).length).toBe(0);
      expect(readFileSync(path).includes(Buffer.from("zina_unique"))).toBe(false);
      return result;
    });
    // Another customer is not held up by the reader, nor by the erasure waiting for it.
    await runtime.dispatch(8, { type: "start", name: "Пётр", username: "petr", key: "8:start" });
    await sleep(1_500);
    expect(told).toBe(false);
    expect(statSync(`${path}-wal`).size).toBeGreaterThan(0);

    reader.exec("COMMIT");
    reader.close();
    await expect(forgetting).resolves.toMatchObject({ userId: 7, seq: 2, duplicate: false });
    expect(told).toBe(true);

    await runtime.close();
    await store.close();
  });

  it("does not tell the customer their data is gone when the store closes before the reader let go", async () => {
    const dir = mkdtempSync(join(tmpdir(), "crm-wal-"));
    dirs.push(dir);
    const path = join(dir, "crm.sqlite");
    const store = openSqliteStore({ path });
    const runtime = createCustomerRuntime({ store });
    await runtime.dispatch(7, { type: "start", name: "Зинаида", username: "zina_unique", key: "7:start" });
    const reader = new DatabaseSync(path, { readOnly: true });
    reader.exec("BEGIN");
    reader.prepare("SELECT count(*) AS n FROM crm_events").get();
    const forgetting = runtime.forget(7, "7:forget");
    await sleep(200);
    await runtime.close();
    await store.close();
    await expect(forgetting).rejects.toThrow("the store closed before the WAL could be truncated after an erasure");
    reader.exec("COMMIT");
    reader.close();
  });
});
