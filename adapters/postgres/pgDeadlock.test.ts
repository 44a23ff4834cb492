import { spawn } from "node:child_process";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { createCustomerRuntime } from "../../actors/customerRuntime.ts";
import { StaleActorError } from "../../actors/staleActor.ts";
import { openPostgresStore, retryableFailure } from "./pgStore.ts";
import { BridgeQueryError } from "./syncBridge.ts";
import { freshDatabase } from "./testing/freshDatabase.ts";

/**
 * Two processes' units can meet on a shared row (the projections' counters) in opposite orders;
 * PostgreSQL then rolls one back with a deadlock (40P01) after `deadlock_timeout`. The unit kept
 * nothing, so the runtime runs it again, as for a customer another process moved on: the customer's
 * event is stored once and their dispatch resolves.
 */

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/**
 * Another process's transaction: locks row 1 of `t_lock`, says so, then after `pauseMs` wants row 2,
 * and commits. Resolves with how it ended.
 */
function otherProcess(url: string, pauseMs: number): { locked: Promise<void>; ended: Promise<string> } {
  const script = `
    import pg from "pg";
    const client = new pg.Client({ connectionString: process.env.URL });
    await client.connect();
    await client.query("BEGIN");
    await client.query("UPDATE t_lock SET n = n + 1 WHERE id = 1");
    console.log("locked");
    await new Promise((resolve) => setTimeout(resolve, ${pauseMs}));
    try {
      await client.query("UPDATE t_lock SET n = n + 1 WHERE id = 2");
      await client.query("COMMIT");
      console.log("committed");
    } catch (error) {
      console.log("failed " + error.code);
    }
    await client.end();`;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], { cwd: process.cwd(), env: { PATH: process.env["PATH"] ?? "", URL: url }, stdio: ["ignore", "pipe", "inherit"] });
  let output = "";
  let sawLocked: () => void = () => undefined;
  const locked = new Promise<void>((resolve) => (sawLocked = resolve));
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString();
    if (output.includes("locked")) sawLocked();
  });
  const ended = new Promise<string>((resolve) => child.on("exit", () => resolve(output.trim().split("\n").at(-1) ?? "")));
  return { locked, ended };
}

describe("PostgreSQL: a unit that deadlocks with another process's", () => {
  it("runs again and commits once, instead of failing the customer's dispatch", async () => {
    const url = await freshDatabase("deadlock");
    const store = await openPostgresStore({ url });
    closers.push(() => store.close());
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    closers.push(() => admin.end());
    // A shared row each unit touches in the order 2 then 1, as the projections' counters are touched.
    await admin.query("CREATE TABLE t_lock (id int PRIMARY KEY, n int NOT NULL); INSERT INTO t_lock VALUES (1, 0), (2, 0)");
    await admin.query(`CREATE FUNCTION t_lock_touch() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN UPDATE t_lock SET n = n + 1 WHERE id = 2; UPDATE t_lock SET n = n + 1 WHERE id = 1; RETURN NEW; END $$`);
    await admin.query("CREATE TRIGGER t_lock_touch AFTER INSERT ON crm_events FOR EACH ROW EXECUTE FUNCTION t_lock_touch()");

    const runtime = createCustomerRuntime({ store });
    closers.push(() => runtime.close());
    // The other process holds row 1 first; this unit takes row 2 and waits for row 1 first, so it
    // reaches deadlock_timeout first and is the one PostgreSQL rolls back.
    const other = otherProcess(url, 400);
    await other.locked;
    const result = await runtime.dispatch(42, { type: "start", name: "Зоя", username: "zoya", key: "42:start" });
    expect(result).toMatchObject({ userId: 42, duplicate: false });
    expect(await other.ended).toBe("committed");
    const { rows } = await admin.query("SELECT key FROM crm_events WHERE user_id = 42");
    expect(rows).toEqual([{ key: "42:start" }]);
    // Both units touched both rows once each: this one's first try left nothing.
    expect((await admin.query("SELECT id, n FROM t_lock ORDER BY id")).rows).toEqual([{ id: 1, n: 2 }, { id: 2, n: 2 }]);
  }, 30_000);

  it("runs again only what PostgreSQL rolled back for meeting another unit; any other failure stays the caller's", () => {
    for (const code of ["40P01", "40001"]) expect(retryableFailure(new BridgeQueryError("deadlock detected", code))).toBeInstanceOf(StaleActorError);
    const other = new BridgeQueryError("duplicate key value violates unique constraint", "23505");
    expect(retryableFailure(other)).toBe(other);
    const plain = new Error("the disk is full");
    expect(retryableFailure(plain)).toBe(plain);
  });
});
