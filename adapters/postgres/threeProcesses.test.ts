import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startChatCompletionsStandIn, standInApiKey } from "../openai/testing/chatCompletionsStandIn.ts";
import { startBotApiStandIn, type BotApiStandIn } from "../telegram/testing/botApiStandIn.ts";
import * as updates from "../telegram/testing/telegramUpdates.ts";
import { consultantReply, type CrashShop } from "../testing/crashCustomers.ts";
import { accountDeliveries, unknownOutcomes } from "../testing/crashDeliveries.ts";
import { TellingObserver } from "../testing/crashObserver.ts";
import { daytimeZone, seeded, startCustomers, type Plan } from "../testing/crashPlan.ts";
import { lostAcknowledgements, lostCartItems, timerProblems } from "../testing/crashStore.ts";
import { freePorts } from "../testing/npmStart.ts";
import { startOwner, type CrashOwner } from "./testing/crashOwner.ts";
import { freshDatabase } from "./testing/freshDatabase.ts";
import { startLoadBalancer, type LoadBalancer } from "./testing/loadBalancer.ts";
import { doubledCartItems, lateAnswers, moveNotices, orderProblems, outstanding, ownerProblems, readPgStore, stageProblems, type PgStoreView } from "./testing/pgCrashStore.ts";
import { killCosts, ThreeProcesses, unstructuredLines } from "./testing/threeProcessHarness.ts";

/**
 * Issue 15's test of several processes: three `npm start` with STORE=postgres on one fresh
 * database, in webhook mode behind a round-robin balancer (adapters/postgres/testing/loadBalancer.ts),
 * the Bot API stand-in posting the shop bot's updates to the balancer and redelivering until 2xx,
 * the owner bot long-polled by the leader. The crash test's customers (adapters/testing/crashPlan.ts:
 * carts left for the reminder a minute later, orders, the consultant, /forget) use the shop while the
 * owner pays and ships every order through the owner bot, and a random process is SIGKILLed 10 times
 * and started again on its port a moment later. Then, with all three up and the queues drained, the
 * database is read with `pg` and checked.
 */

const token = "7061:AAH-three-procs-token-not-real_12";
const ownerToken = "7063:AAH-three-procs-owner-not-real_4";
const ownerId = 100;
const kills = 10;
const webhookBase = "https://shop.example.test/tg";
const webhookSecret = "three-processes-secret_0123456789";

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** Waits up to `ms` for every timer due by now to fire and every pending effect to be delivered; what is left, in words. */
async function drained(url: string, ms: number): Promise<string[]> {
  const deadline = Date.now() + ms;
  let left = await outstanding(url, Date.now());
  while ((left.timers > 0 || left.effects > 0) && Date.now() < deadline) {
    await sleep(500);
    left = await outstanding(url, Date.now() - 1_000);
  }
  return left.timers > 0 || left.effects > 0 ? [`after ${ms / 1000} s with all three processes up, ${left.timers} due timers and ${left.effects} pending effects are left`] : [];
}

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step().catch(() => undefined);
  cleanup = [];
});

/**
 * When each kill comes, besides at random while the processes serve: `start-up`, 0.3 to 1.2 s after
 * the process last started again was spawned; `effect`, 0 to 40 ms after a process logs that it
 * begins delivering an effect (the stand-in holds each sendMessage 40 ms, as Telegram's latency
 * would, so the message may go through while its sender dies before recording it).
 */
const aims: Readonly<Record<number, "start-up" | "effect">> = { 2: "start-up", 3: "effect", 5: "effect", 6: "start-up", 7: "effect", 9: "effect" };

/**
 * Kills a process `kills` times, 2 to 14 s apart, at random or as {@link aims} says; each is started
 * again on its port 0.2 to 1.2 s later. A killed leader takes the owner's updates its polling confirmed.
 */
async function killAtRandom(processes: ThreeProcesses, random: () => number, observer: TellingObserver): Promise<void> {
  const onKilled = (leader: boolean): void => (leader ? observer.killed() : undefined);
  let restarted = processes.slots[0];
  for (let n = 1; n <= kills; n++) {
    const aim = aims[n];
    let slot = processes.slots[Math.floor(random() * processes.slots.length)] ?? processes.slots[0];
    if (aim === "start-up" && restarted) {
      slot = restarted;
      await sleep(restarted.spawnedAt + 300 + random() * 900 - Date.now());
    } else {
      await sleep(2_000 + random() * (aim === "effect" ? 4_000 : 12_000));
    }
    const sender = aim === "effect" ? await processes.delivering(30_000) : undefined;
    if (sender) await sleep(random() * 40);
    slot = sender ?? slot;
    if (!slot) return;
    await processes.killAndRestart(slot, aim === "effect" && !sender ? "random" : (aim ?? "random"), 200 + random() * 1_000, onKilled);
    restarted = slot;
  }
}

/** The deployment under test: the database, the stand-ins, the balancer and the three processes, all started. */
interface World {
  readonly seed: number;
  readonly zone: string;
  readonly url: string;
  readonly api: BotApiStandIn;
  readonly balancer: LoadBalancer;
  readonly processes: ThreeProcesses;
}

async function startWorld(seed: number): Promise<World> {
  const zone = daytimeZone(new Date());
  const url = await freshDatabase("three_processes");
  const api = await startBotApiStandIn({ bots: { [token]: { username: "three_shop_bot", first_name: "Лавка" }, [ownerToken]: { username: "three_crm_bot" } } });
  const ai = await startChatCompletionsStandIn({ reply: consultantReply });
  cleanup.push(() => api.close(), () => ai.close());
  for (let i = 0; i < 5_000; i++) api.hangNext("sendMessage", 40);
  ai.hangNext(200, Number.POSITIVE_INFINITY);
  const ports = await freePorts(3);
  const balancer = await startLoadBalancer(ports);
  cleanup.push(() => balancer.close());
  api.routeWebhook(`${webhookBase}/shop`, `${balancer.url}/shop`);
  const dir = mkdtempSync(join(tmpdir(), "three-processes-"));
  cleanup.push(async () => rmSync(dir, { recursive: true, force: true }));
  const env = (port: number): Record<string, string> => ({
    SHOP_BOT_TOKEN: token, OWNER_BOT_TOKEN: ownerToken, OWNER_IDS: String(ownerId), TELEGRAM_API_ROOT: api.apiRoot,
    OPENAI_API_KEY: standInApiKey, OPENAI_BASE_URL: ai.baseURL, AI_TIMEOUT_SECONDS: "5",
    STORE: "postgres", DATABASE_URL: url, CLAIM_LEASE_SECONDS: "40",
    WEBHOOK_URL: webhookBase, WEBHOOK_SECRET: webhookSecret, PORT: String(port),
    CART_REMINDER_MINUTES: "1", TIME_ZONE: zone, REPORT_HOUR: "20",
  });
  const processes = new ThreeProcesses(ports, env, dir);
  cleanup.push(() => processes.killAll());
  for (const slot of processes.slots) await processes.started(slot);
  return { seed, zone, url, api, balancer, processes };
}

/** What the people did and were told. */
interface Played {
  readonly shop: CrashShop;
  readonly plan: Plan;
  readonly owner: CrashOwner;
  readonly observer: TellingObserver;
  readonly problems: string[];
}

/** The customers and the owner under the kills; then all three processes up, the queues drained, and a clean stop. */
async function play(world: World): Promise<Played> {
  const { api, processes } = world;
  const random = seeded(world.seed);
  const observer = new TellingObserver(api);
  cleanup.push(async () => observer.stop());
  const shop: CrashShop = { api, observer, token, told: [] };
  const plan = startCustomers(shop, random, () => undefined);
  for (const who of plan.forgetters) who.open();
  for (const customer of plan.customers) {
    customer.tooSlow = [];
    // A reply whose effect a killed process had claimed waits until the others see it gone (or its lease, 40 s here, runs out).
    customer.patienceMs = 150_000;
  }
  const owner = startOwner({ api, observer, token: ownerToken, told: [] }, updates.user(ownerId, { first_name: "Ольга", language_code: "ru" }));
  await killAtRandom(processes, random, observer);
  const problems = (await plan.done).map((why) => `customer: ${why}`);
  owner.stop(shop.told.flatMap((entry) => entry.orderId ?? []));
  problems.push(...(await owner.done).map((why) => `owner: ${why}`));
  for (const slot of processes.slots) await processes.started(slot);
  problems.push(...(await drained(world.url, 90_000)));
  await processes.stopAll();
  observer.stop();
  return { shop, plan, owner, observer, problems };
}

/** The store read back and checked against what everyone was told; the duplicates counted; the report's lines. */
function audit(world: World, played: Played, store: PgStoreView): { readonly problems: string[]; readonly extra: number; readonly inFlight: number; readonly lines: string[] } {
  const { shop, plan, owner, observer } = played;
  const { processes } = world;
  const erasing = new Set(plan.customers.filter((customer) => customer.erasing).map((customer) => customer.id));
  const outputs = processes.printed.map((printed) => printed.stdout);
  const redeliveries = unknownOutcomes(outputs);
  const tooSlow = new Map(plan.customers.flatMap((customer) => (customer.tooSlow?.length ? [[customer.id, customer.tooSlow.length] as const] : [])));
  const late = lateAnswers(store, new Set(redeliveries.filter((redelivery) => redelivery.type === "askConsultant").map((redelivery) => redelivery.key)), tooSlow);
  // A late answer is logged and, by design, never sent: the customer was told "too slow" and asked again.
  const sent = { ...store, events: store.events.filter((event) => !late.keys.has(event.key)) };
  const account = accountDeliveries(sent, observer, { shop: token, owner: ownerToken, ownerIds: [ownerId] }, redeliveries);
  const moves = moveNotices(store, (userId) => observer.chat(token, userId).filter((seen) => seen.method === "sendMessage").map((seen) => seen.text), redeliveries);
  const extra = account.duplicates.reduce((sum, duplicate) => sum + duplicate.extra, 0) + moves.duplicates;
  const errors = outputs.flatMap((output) => output.split("\n")).filter((line) => line.includes('"level":"error"'));
  const problems = [
    ...played.problems,
    ...processes.problems,
    ...lostAcknowledgements(shop.told, store),
    ...lostCartItems(shop.told, store, erasing),
    ...doubledCartItems(shop.told, store, erasing),
    ...orderProblems(shop.told, store),
    ...timerProblems(store),
    ...store.effects.map((effect) => `effect ${effect.key} (${effect.type}) is left ${effect.status}`),
    ...ownerProblems(owner.told, store),
    ...late.problems,
    ...stageProblems(store),
    ...account.undelivered,
    ...account.unbounded,
    ...moves.undelivered,
    ...moves.unbounded,
    ...unstructuredLines(processes.printed),
    ...errors.map((line) => `a process logged an error: ${line.slice(0, 300)}`),
  ];
  const lines = [
    `  balancer: ${world.balancer.answers.length} answers, ${world.balancer.answers.filter((answer) => answer.status === 502).length} × 502; stand-in webhook posts: ${world.api.webhookDeliveries.length}`,
    `  acknowledged: ${shop.told.filter((entry) => entry.key !== null).length} events, ${shop.told.filter((entry) => entry.orderId).length} orders, ${shop.told.filter((entry) => entry.answer).length} answers, ${shop.told.filter((entry) => entry.reminder).length} reminders; owner moves: ${owner.told.length} on ${owner.handled.size} orders`,
    `  log: ${store.events.length} events (${store.events.filter((event) => event.key.startsWith("t:")).length} timer firings), ${store.actorEvents.length} order events, ${store.orders.length} orders; timers left armed: ${store.timers.length}`,
    `  in flight at the kills (redeliveries of unknown outcome): ${redeliveries.length}; duplicate deliveries: ${extra} (${moves.duplicates} of the owner's moves told to customers)${account.duplicates.length > 0 ? ` (${account.duplicates.map((duplicate) => `${duplicate.kind} ${duplicate.what} +${duplicate.extra}`).join("; ")})` : ""}`,
    `  questions told "too slow" (the answer's deadline is AI_TIMEOUT_SECONDS + 15) because their AI call was in flight at a kill: ${[...tooSlow.values()].reduce((sum, n) => sum + n, 0)}; their late answers, logged and not sent: ${late.keys.size}`,
    `  error lines: ${errors.length}`,
  ];
  return { problems, extra, inFlight: redeliveries.length, lines };
}

/** Keeps what each process printed when the test fails, and says where. */
function keepOutputs(world: World): void {
  const logs = mkdtempSync(join(tmpdir(), `three-processes-${world.seed}-`));
  world.processes.printed.forEach((printed, i) => writeFileSync(join(logs, `${i + 1}-${printed.label.replace(/[^a-z0-9]+/gi, "-")}.log`), `${printed.stdout}\n--- stderr ---\n${printed.stderr}`));
  console.log(`what each process printed is kept in ${logs}`);
}

describe("three npm start on one PostgreSQL database, behind a balancer, SIGKILLed 10 times at random", () => {
  it("loses no acknowledged event, applies none twice or out of order, fires each due timer once, delivers every effect, and keeps stages equal to a replay", { timeout: 330_000 }, async () => {
    const seed = Number(process.env["CRASH_SEED"] ?? Math.floor(Math.random() * 1_000_000_000));
    const began = Date.now();
    const world = await startWorld(seed);
    expect(world.processes.problems).toEqual([]);
    const played = await play(world);
    const store = await readPgStore(world.url);
    const { problems, extra, inFlight, lines } = audit(world, played, store);
    console.log(
      [
        `three processes on PostgreSQL (CRASH_SEED=${seed}, TIME_ZONE=${world.zone}, ${Math.round((Date.now() - began) / 1_000)} s):`,
        `  kills: ${world.processes.kills.length} SIGKILL, ${world.processes.kills.filter((kill) => kill.leader).length} of the leader; what each cost:`,
        ...killCosts(world.processes, world.balancer, world.api, token).map((line) => `    ${line}`),
        ...lines,
      ].join("\n"),
    );
    if (problems.length > 0) keepOutputs(world);
    expect(problems).toEqual([]);
    expect(extra).toBeLessThanOrEqual(inFlight);
    expect(world.processes.kills).toHaveLength(kills);
    expect(played.shop.told.filter((entry) => entry.reminder).length).toBe(14 + 6 + 4);
    expect(played.shop.told.filter((entry) => entry.orderId).length).toBe(12 + 3);
    expect(played.owner.handled.size).toBe(12 + 3);
  });
});
