import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { openOrderWorld } from "../../../actors/fixtures/orderWorld.ts";
import type { Exited } from "../../testing/npmStart.ts";

const migratePath = fileURLToPath(new URL("../migrate.ts", import.meta.url));

/**
 * A shop made by the real runtime in a SQLite file: customers at every stage with tags, orders (some paid and
 * moved on), their timers and effects, the catalog and its log, sessions and a saved segment. Returns the file.
 */
export async function makeShop(dir: string, customers = 24): Promise<string> {
  const world = await openOrderWorld({ dir });
  const { runtime } = world.actors;
  for (let userId = 1; userId <= customers; userId++) {
    await runtime.dispatch(userId, { type: "start", source: userId % 3 === 0 ? "ads" : "channel", username: `buyer_${userId}`, name: `Мария Покупатель ${userId}`, key: `${userId}:start` });
    if (userId % 2 === 0) await runtime.dispatch(userId, { type: "catalog_view", key: `${userId}:catalog` });
    if (userId % 4 === 0) {
      await world.readyToConfirm(userId);
      await world.confirm(userId, { orderId: `o-${userId}`, payment: "cash" });
    }
    world.clock.advance(60_000);
  }
  await world.store.writeSession("shop:7", JSON.stringify({ cart: ["tea"] }));
  await world.store.writeSession("crm:42", JSON.stringify({ page: 2 }));
  await world.store.saveSegment({ name: "Реклама", filter: { sources: ["ads"] }, by: 42, at: Date.parse("2026-03-01T10:00:00Z") });
  await world.settle();
  // One order whose effects are still to be delivered.
  await world.readyToConfirm(2);
  await world.confirm(2, { orderId: "o-2", payment: "cash" });
  await world.close();
  return `${dir}/crm.sqlite`;
}

/**
 * Runs `npm run migrate -- ...args` as a child process (its real entry) and waits for it; `onSpawn` gets the
 * child, for a test that kills it mid-way.
 */
export function runMigrate(args: readonly string[], onSpawn?: (kill: () => void) => void): Promise<Exited> {
  const child = spawn(process.execPath, [migratePath, ...args], { env: { PATH: process.env["PATH"] ?? "" }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  onSpawn?.(() => child.kill("SIGKILL"));
  return new Promise((resolve) => child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })));
}
