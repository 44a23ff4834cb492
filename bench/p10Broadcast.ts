import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Api } from "grammy";
import { simulatedPacer } from "../actors/broadcastDelivery.port.ts";
import { broadcastCustomersOf } from "../actors/broadcastCustomers.ts";
import { createBroadcasts } from "../actors/broadcasts.ts";
import { createCustomerActors } from "../actors/customerActors.ts";
import { customerHandlers, t0 } from "../actors/fixtures/orderWorld.ts";
import { plainMessage, shopToken } from "../actors/fixtures/broadcastWorld.ts";
import { openSqliteStore } from "../adapters/sqlite/sqliteStore.ts";
import { shopBroadcastDelivery } from "../adapters/telegram/shop/shopBroadcastDelivery.ts";
import { startBotApiStandIn } from "../adapters/telegram/testing/botApiStandIn.ts";
import { createRateWatch } from "../adapters/telegram/testing/rateWatch.ts";
import { round, type Figure } from "./figures.ts";
import { runtimeNodeFlags } from "./p2Memory.ts";

const recipients = 100_000;
const perSecond = 25;
/** The request field a sender on a simulated clock stamps its time in, for the stand-in's rate watch. */
const timeField = "x_simulated_at";

interface ChildReport {
  readonly sent: number;
  readonly peakMB: number;
  readonly idleMB: number;
  readonly realSeconds: number;
}

/** Stores `count` customers, each with a `start`, as the shop's own actors would. */
async function seed(dir: string, count: number): Promise<void> {
  const clock = { now: () => t0 };
  const store = openSqliteStore({ path: join(dir, "crm.sqlite"), clock });
  const actors = createCustomerActors({ store, clock, handlers: customerHandlers() });
  for (let from = 1; from <= count; from += 1_000) {
    const batch = Array.from({ length: Math.min(1_000, count - from + 1) }, (_, i) => from + i);
    await Promise.all(batch.map((userId) => actors.runtime.dispatch(userId, { type: "start", name: `Customer ${userId}`, language: "en", key: `seed:${userId}` })));
  }
  await actors.stop();
  await store.close();
}

/**
 * The child: what `npm start` runs for a broadcast (the store, the customer actors with their
 * scheduler and worker, the broadcast engine with its own API client), on a simulated clock that
 * it stamps in each request; one broadcast to every customer, sampling its RSS.
 */
async function child(dir: string, apiRoot: string): Promise<ChildReport> {
  const pacer = simulatedPacer(t0 + 60_000);
  const clock = { now: () => pacer.now() };
  const store = openSqliteStore({ path: join(dir, "crm.sqlite"), clock });
  const actors = createCustomerActors({ store, clock, handlers: customerHandlers() });
  await actors.start();
  const api = new Api(shopToken, { apiRoot });
  api.config.use((previous, method, payload, signal) => previous(method, { ...payload, [timeField]: pacer.now() }, signal));
  const engine = createBroadcasts({ store, delivery: shopBroadcastDelivery(api), customers: broadcastCustomersOf(actors.runtime), consentVersion: "1", pacer, perSecond });
  await engine.startUp();
  const idleMB = process.memoryUsage.rss() / 2 ** 20;
  let peak = idleMB;
  const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss() / 2 ** 20)), 50);
  const started = performance.now();
  const result = await engine.start({ key: "bench:p10", by: 1, segment: {}, message: plainMessage });
  if (result.kind !== "applied") throw new Error(`the broadcast was refused: ${result.reason}`);
  let progress = await engine.progress(result.progress.id);
  while (progress?.status !== "finished") {
    await new Promise((resolve) => setTimeout(resolve, 100));
    progress = await engine.progress(result.progress.id);
  }
  clearInterval(sample);
  peak = Math.max(peak, process.memoryUsage.rss() / 2 ** 20);
  const realSeconds = (performance.now() - started) / 1000;
  await engine.stop();
  await actors.stop();
  await store.close();
  return { sent: progress.sent, peakMB: peak, idleMB, realSeconds };
}

function runChild(dir: string, apiRoot: string): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    const run = spawn(process.execPath, [...runtimeNodeFlags, fileURLToPath(import.meta.url), "--p10-child", dir, apiRoot], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    run.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    run.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    run.on("exit", (code) => {
      if (code === 0) resolve(JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as ChildReport);
      else reject(new Error(`P10 child failed: ${stderr.slice(-2_000)}`));
    });
  });
}

/**
 * P10_rate, P10_violations, P10_MB: a broadcast to 100,000 customers through the Bot API stand-in
 * (in this process), sent by a child process with the product's node flags on a simulated clock:
 * the achieved rate ÷ BROADCAST_PER_SECOND, the sends that broke 30/s overall or 1/s per chat on
 * the sender's clock, and the sender's peak RSS.
 */
export async function p10Broadcast(count = recipients): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), "crm-bench-p10-"));
  const seeding = performance.now();
  await seed(dir, count);
  const seedSeconds = (performance.now() - seeding) / 1000;
  const timeOf = (call: { readonly payload: Readonly<Record<string, unknown>>; readonly at: number }): number => Number(call.payload[timeField] ?? call.at);
  const watch = createRateWatch({ timeOf });
  let firstAt = 0;
  let lastAt = 0;
  let sends = 0;
  const standIn = await startBotApiStandIn({
    rateWatch: {
      record: (call) => {
        watch.record(call);
        if (call.method !== "sendMessage") return;
        sends += 1;
        if (firstAt === 0) firstAt = timeOf(call);
        lastAt = timeOf(call);
        // The stand-in keeps every call and message; this process is not the one measured, but it need not grow either.
        if (sends % 5_000 === 0) standIn.clear();
      },
    },
  });
  try {
    const report = await runChild(dir, standIn.apiRoot);
    const simulatedSeconds = (lastAt - firstAt) / 1000;
    const achieved = simulatedSeconds > 0 ? (sends - 1) / simulatedSeconds : 0;
    const { overall, perChat } = watch.violations();
    const n = (value: number): string => value.toLocaleString("en");
    const detail = `${n(report.sent)} delivered of ${n(count)} (${n(sends)} sends) in ${round(simulatedSeconds / 60, 1)} simulated minutes, ${round(report.realSeconds, 0)} s real (seeding ${round(seedSeconds, 0)} s)`;
    return [
      { id: "P10_rate", what: "a 100k-recipient broadcast through the stand-in on a simulated clock: msgs/s ÷ BROADCAST_PER_SECOND (25)", value: round(achieved / perSecond, 3), unit: "ratio", bar: ">= 0.95", detail: `${round(achieved, 2)} msgs/s; ${detail}` },
      { id: "P10_violations", what: "sends that broke 30/s overall or 1/s per chat, counted by the stand-in on the sender's clock", value: overall + perChat, unit: "count", bar: "<= 0", detail: `${overall} overall, ${perChat} per chat` },
      { id: "P10_MB", what: "peak RSS of the sending process during that broadcast", value: Math.round(report.peakMB), unit: "MB", bar: "<= 300", detail: `node ${runtimeNodeFlags.join(" ")}; ${round(report.idleMB, 0)} MB once started; each delivery also a broadcast_received event on its customer` },
    ];
  } finally {
    await standIn.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === "--p10-child") {
  child(process.argv[3] ?? "", process.argv[4] ?? "")
    .then((report) => {
      process.stdout.write(`${JSON.stringify(report)}\n`);
      process.exit(0);
    })
    .catch((error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    });
}
