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
  it("does not wait for the reader, and truncates the WAL once it lets go, leaving no erased byte in it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "crm-wal-"));
    dirs.push(dir);
    const path = join(dir, "crm.sqlite");
    const store = openSqliteStore({ path });
    const runtime = createCustomerRuntime({ store });
    await runtime.dispatch(7, { type: "start", name: "Зинаида Уникальнова", username: "zina_unique", key: "7:start" });

    const reader = new DatabaseSync(path, { readOnly: true });
    reader.exec("BEGIN");
    expect(reader.prepare("SELECT count(*) AS n FROM crm_events").get()?.["n"]).toBe(1);

    await runtime.forget(7, "7:forget");
    expect(statSync(`${path}-wal`).size).toBeGreaterThan(0);

    reader.exec("COMMIT");
    reader.close();
    for (let waited = 0; waited < 50 && walOf(path).length > 0; waited += 1) await sleep(100);
    expect(walOf(path).length).toBe(0);
    expect(readFileSync(path).includes(Buffer.from("zina_unique"))).toBe(false);

    await runtime.close();
    await store.close();
  });
});
