import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startChatCompletionsStandIn, standInApiKey, type ChatCompletionsStandIn } from "./openai/testing/chatCompletionsStandIn.ts";
import { startBotApiStandIn, type BotApiStandIn } from "./telegram/testing/botApiStandIn.ts";
import { consultantReply, type CrashShop } from "./testing/crashCustomers.ts";
import { accountDeliveries, unknownOutcomes, type DeliveryAccount } from "./testing/crashDeliveries.ts";
import { TellingObserver } from "./testing/crashObserver.ts";
import { daytimeZone, seeded, startCustomers, type Forgetter, type Plan } from "./testing/crashPlan.ts";
import { lostAcknowledgements, lostCartItems, piiOnDisk, readStore, reminderOutstanding, timerProblems, timersDueBy } from "./testing/crashStore.ts";
import { startMain, type StartedMain } from "./testing/npmStart.ts";

/**
 * Issue 11's crash test, through the real `npm start`: both bots on the Bot API stand-in, the
 * consultant on the chat-completions stand-in, a SQLite store, `CART_REMINDER_MINUTES=1`, and a few
 * dozen customers filling carts, ordering, asking and leaving carts, while the process is SIGKILLed
 * 20 times at random, three of them right after a customer pressed "erase everything". After each
 * restart the store (read-only, with node:sqlite) must hold every event a customer was told of and
 * every item they were told is in their cart; at the end, after a clean run, every timer that fell
 * due fired once, every effect reached the stand-in, and every message seen twice was in flight at a kill.
 */

const token = "7051:AAH-crash-load-token-not-real_123";
const ownerToken = "7053:AAH-crash-load-owner-not-real_45";
const ownerId = 100;
const kills = 20;
/**
 * When each kill comes, besides at random while the process serves:
 * - `start-up`: before the process says it started (recovery, overdue timers, redelivered effects);
 * - `effect`: 0 to 30 ms after an effect's message (a reminder, an answer, an order notice) reaches
 *   the stand-in, which holds it 40 ms as Telegram's latency would, if one comes before the random
 *   moment: the message goes through, and the process dies before it records the outcome;
 * - `reminder`: the same, for the next reminder, however long it takes to fall due;
 * - `forget`: 0 to 40 ms after a customer's press of "erase everything" (or at the next kill when
 *   nobody is ready to press it).
 */
const aims: Readonly<Record<number, "start-up" | "effect" | "reminder" | "forget">> = {
  2: "effect", 3: "start-up", 5: "effect", 7: "start-up", 8: "forget", 9: "effect", 11: "effect", 12: "start-up",
  13: "forget", 14: "effect", 16: "reminder", 17: "effect", 18: "reminder", 19: "forget", 20: "reminder",
};
const forgetKills = Object.values(aims).filter((aim) => aim === "forget").length;
const effectMessage = /Вы оставили товары в корзине|^Совет №|Новый заказ/;
const reminderMessage = /Вы оставили товары в корзине/;
/** Telegram's latency, as the stand-in plays it: every sendMessage is held this long, and goes through even when the caller is gone. */
const sendLatencyMs = 40;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

interface Generation {
  readonly n: number;
  readonly main: StartedMain;
  readonly spawnedAt: number;
  startedAt: number | null;
  gone: boolean;
}

/** What the test keeps across generations of the process. */
class Harness {
  readonly dir = mkdtempSync(join(tmpdir(), "crash-under-load-"));
  readonly dbPath = join(this.dir, "crm.sqlite");
  readonly problems: string[] = [];
  private readonly seen = new Set<string>();
  readonly outputs: string[] = [];
  readonly forgetKills: { readonly userId: number; readonly afterMs: number; readonly answeredBeforeKill: boolean }[] = [];
  readonly random: () => number;
  readonly shop: CrashShop;
  readonly env: Record<string, string>;
  current: Generation | undefined;
  restartsChecked = 0;
  killedBeforeStarted = 0;
  /** Aimed kills that found an effect's message on its way. */
  aimedHits = 0;
  /** How long the last start took, from the spawn to the `started` line: where a start-up kill aims. */
  startupMs = 800;

  constructor(api: BotApiStandIn, ai: ChatCompletionsStandIn, random: () => number, zone: string) {
    this.random = random;
    this.shop = { api, observer: new TellingObserver(api), token, told: [] };
    this.env = {
      SHOP_BOT_TOKEN: token,
      OWNER_BOT_TOKEN: ownerToken,
      OWNER_IDS: String(ownerId),
      TELEGRAM_API_ROOT: api.apiRoot,
      OPENAI_API_KEY: standInApiKey,
      OPENAI_BASE_URL: ai.baseURL,
      DATABASE_PATH: this.dbPath,
      CART_REMINDER_MINUTES: "1",
      TIME_ZONE: zone,
      REPORT_HOUR: "20",
    };
  }

  /** `npm start`'s command: node with its flag, on adapters/main.ts. */
  spawn(n: number): Generation {
    const main = startMain(this.env, this.dir, { nodeArgs: ["--max-semi-space-size=16"] });
    const generation: Generation = { n, main, spawnedAt: Date.now(), startedAt: null, gone: false };
    void main.exited.then(() => (generation.gone = true));
    this.current = generation;
    return generation;
  }

  /** Whether the process logged `started` before `by` (and did not die first). */
  async started(generation: Generation, by = Number.POSITIVE_INFINITY): Promise<boolean> {
    const deadline = Math.min(by, Date.now() + 60_000);
    while (Date.now() < deadline && !generation.gone) {
      if (generation.main.output().includes('"event":"started"')) {
        generation.startedAt = Date.now();
        this.startupMs = generation.startedAt - generation.spawnedAt;
        return true;
      }
      await sleep(20);
    }
    if (by === Number.POSITIVE_INFINITY) this.problems.push(`process ${generation.n} did not start: ${generation.main.errors().slice(0, 500)}`);
    return false;
  }

  /** What the customers were told so far, against the store as it is now. */
  checkStore(label: string): void {
    const told = [...this.shop.told];
    const leftOut = new Set(this.erasing());
    const store = readStore(this.dbPath);
    const found = [...lostAcknowledgements(told, store), ...lostCartItems(told, store, leftOut), ...timerProblems(store)];
    // A loss is reported once, at the first restart that shows it.
    for (const problem of found.filter((text) => !this.seen.has(text))) {
      this.seen.add(problem);
      this.problems.push(`${label}: ${problem}`);
    }
    this.restartsChecked += 1;
  }

  /** The customers who began to erase their data: their carts are theirs to empty. */
  erasing: () => number[] = () => [];

  /** Waits for every timer due by `at` to fire (the process has been up past it); names those that did not. */
  async awaitTimersFired(at: number, label: string): Promise<void> {
    const deadline = Date.now() + 20_000;
    let due = timersDueBy(this.dbPath, at);
    while (due.length > 0 && Date.now() < deadline && !this.current?.gone) {
      await sleep(100);
      due = timersDueBy(this.dbPath, at);
    }
    if (due.length > 0 && !this.current?.gone) this.problems.push(`${label}: timers due by ${new Date(at).toISOString()} never fired: ${due.map((timer) => `${timer.key} (due ${new Date(timer.dueAt).toISOString()})`).join(", ")}`);
  }

  async kill(generation: Generation): Promise<void> {
    generation.main.kill("SIGKILL");
    const exit = await generation.main.exited;
    if (exit.signal !== "SIGKILL") this.problems.push(`process ${generation.n} ended by itself (code ${exit.code}): ${exit.stderr.slice(0, 500)}`);
    if (generation.startedAt === null) this.killedBeforeStarted += 1;
    this.outputs.push(exit.stdout);
    this.shop.observer.killed();
  }
}

/** Whether a message an effect sends (a reminder, an answer, an order notice) arrived at the stand-in from call `from` on. */
function effectArrived(h: Harness, from: number, message: RegExp): boolean {
  return h.shop.api.calls.slice(from).some((call) => call.method === "sendMessage" && message.test(String(call.payload["text"] ?? "").replace(/<[^>]+>/g, "")));
}

/**
 * One generation killed at a random moment while serving, 1 to 7 s after the spawn, or as `aim`
 * says (see {@link aims}). Each generation that started is checked after its restart, and, when it
 * has been up 3 s, for timers it should have fired.
 */
async function killAtRandom(h: Harness, generation: Generation, aim: "start-up" | "effect" | "reminder" | undefined): Promise<void> {
  const killAt = generation.spawnedAt + (aim === "start-up" ? (0.2 + h.random() * 0.8) * h.startupMs : 1_000 + h.random() * 6_000);
  if (await h.started(generation, killAt)) {
    h.checkStore(`after restart ${generation.n}`);
    const message = aim === "reminder" ? reminderMessage : aim === "effect" ? effectMessage : undefined;
    // A reminder is waited for as long as one is to come (a minute at most), whatever the random moment says.
    const until = aim === "reminder" && reminderOutstanding(h.dbPath) ? Date.now() + 90_000 : killAt;
    const from = h.shop.api.calls.length;
    let hit = false;
    while (Date.now() < until && !hit && !generation.gone) {
      await sleep(Math.min(5, until - Date.now()));
      hit = message !== undefined && effectArrived(h, from, message);
    }
    if (hit) {
      h.aimedHits += 1;
      await sleep(h.random() * 30);
    } else if (generation.startedAt !== null && Date.now() - generation.startedAt >= 3_000) {
      await h.awaitTimersFired(Date.now() - 3_000, `run ${generation.n}`);
    }
  }
  await h.kill(generation);
}

/** One generation killed 0 to 40 ms after a customer's "erase everything" is queued: before, during or just after its handling. */
async function killAroundForget(h: Harness, generation: Generation, who: Forgetter): Promise<void> {
  if (await h.started(generation)) h.checkStore(`after restart ${generation.n}`);
  who.open();
  await Promise.race([who.pushed, sleep(30_000)]);
  const afterMs = Math.floor(h.random() * 40);
  await sleep(afterMs);
  await h.kill(generation);
  const answeredBeforeKill = h.shop.observer.chat(token, who.customer.id).some((seen) => seen.text.startsWith("Готово. Удалено"));
  h.forgetKills.push({ userId: who.customer.id, afterMs, answeredBeforeKill });
}

async function killUnderLoad(h: Harness, plan: Plan): Promise<void> {
  let forgetsOwed = 0;
  for (let n = 1; n <= kills; n++) {
    const aim = aims[n];
    if (aim === "forget") forgetsOwed += 1;
    const generation = h.spawn(n);
    const who = forgetsOwed > 0 ? plan.forgetters.find((candidate) => candidate.ready && !candidate.opened) : undefined;
    if (who) {
      forgetsOwed -= 1;
      await killAroundForget(h, generation, who);
    } else {
      await killAtRandom(h, generation, aim === "forget" ? undefined : aim);
    }
  }
}

/** The last run, not killed: every customer finishes, the outbox drains, every due timer fires; then SIGTERM. */
async function finalRun(h: Harness, plan: Plan): Promise<void> {
  const generation = h.spawn(kills + 1);
  if (!(await h.started(generation))) return;
  h.checkStore("after the last restart");
  for (const who of plan.forgetters) if (!who.opened) who.open();
  h.problems.push(...(await plan.done));
  await h.awaitTimersFired(Date.now(), "the last run");
  const deadline = Date.now() + 60_000;
  while (readStore(h.dbPath).effects.length > 0 && Date.now() < deadline) await sleep(200);
  const left = readStore(h.dbPath).effects;
  if (left.length > 0) h.problems.push(`the outbox still holds ${left.length} effects after a minute of a clean run: ${left.map((effect) => `${effect.key} ${effect.type} ${effect.status}`).join(", ")}`);
  generation.main.kill("SIGTERM");
  const exit = await generation.main.exited;
  if (exit.code !== 0) h.problems.push(`the last run did not stop cleanly on SIGTERM (code ${exit.code}, signal ${exit.signal})`);
  h.outputs.push(exit.stdout);
}

function report(h: Harness, account: DeliveryAccount, seed: number, zone: string, tookMs: number): void {
  const { told } = h.shop;
  const store = readStore(h.dbPath);
  const redeliveries = unknownOutcomes(h.outputs);
  const byType = (types: readonly string[]) => types.map((type) => `${type} ${redeliveries.filter((redelivery) => redelivery.type === type).length}`).join(", ");
  const lines = [
    `crash under load (CRASH_SEED=${seed}, TIME_ZONE=${zone}, ${Math.round(tookMs / 1_000)} s):`,
    `  kills: ${kills} SIGKILL (${h.killedBeforeStarted} during start-up, ${h.aimedHits} just after an effect's message reached the stand-in, ${h.forgetKills.length} around /forget: ${h.forgetKills.map((kill) => `${kill.afterMs} ms after the press${kill.answeredBeforeKill ? ", answered first" : ""}`).join("; ")}); restarts checked: ${h.restartsChecked}`,
    `  acknowledged: ${told.filter((entry) => entry.key !== null).length} events (${told.filter((entry) => entry.added).length} adds, ${told.filter((entry) => entry.orderId).length} orders), ${told.filter((entry) => entry.answer).length} answers, ${told.filter((entry) => entry.reminder).length} reminders`,
    `  log: ${store.events.length} events, ${store.events.filter((event) => event.key.startsWith("t:")).length} timer firings, ${store.events.filter((event) => event.type === "reminder_sent").length} reminder_sent, ${store.orders.length} orders; left armed: ${store.timers.length} timers, none due before ${new Date(Math.min(...store.timers.map((timer) => timer.dueAt))).toISOString().slice(0, 10)}`,
    `  in flight at the kills (redeliveries of unknown outcome): ${redeliveries.length} (${byType(["sendCartReminder", "notifyOwnersOfOrder", "askConsultant", "sendConsultantAnswer"])})`,
    `  duplicate deliveries: ${account.duplicates.length === 0 ? "none" : account.duplicates.map((duplicate) => `${duplicate.kind} ${duplicate.what} +${duplicate.extra}`).join("; ")}`,
  ];
  console.log(lines.join("\n"));
}

let harness: Harness | undefined;
let standIns: { close(): Promise<void> }[] = [];
afterEach(async () => {
  const generation = harness?.current;
  if (generation && !generation.gone) {
    generation.main.kill("SIGKILL");
    await generation.main.exited;
  }
  harness?.shop.observer.stop();
  for (const standIn of standIns) await standIn.close();
  if (harness) rmSync(harness.dir, { recursive: true, force: true });
  harness = undefined;
  standIns = [];
});

describe("crash: npm start under load, SIGKILLed 20 times at random", () => {
  it("loses no acknowledged event or cart item, fires each due timer once, delivers every effect, and leaves no trace of an erased customer", { timeout: 360_000 }, async () => {
    const seed = Number(process.env["CRASH_SEED"] ?? Math.floor(Math.random() * 1_000_000_000));
    const now = new Date();
    const began = Date.now();
    const zone = daytimeZone(now);
    expect(new Intl.DateTimeFormat("en-GB", { hour: "numeric", hourCycle: "h23", timeZone: zone }).format(now)).toBe("13");
    const api = await startBotApiStandIn({ bots: { [token]: { username: "crash_shop_bot", first_name: "Лавка" }, [ownerToken]: { username: "crash_crm_bot" } } });
    const ai = await startChatCompletionsStandIn({ reply: consultantReply });
    standIns = [api, ai];
    for (let i = 0; i < 5_000; i++) api.hangNext("sendMessage", sendLatencyMs);
    ai.hangNext(200, Number.POSITIVE_INFINITY);
    const h = (harness = new Harness(api, ai, seeded(seed), zone));
    const plan = startCustomers(h.shop, h.random, (who) => {
      const left = piiOnDisk(h.dbPath, Object.values(who.pii));
      if (left.length > 0) h.problems.push(`customer ${who.customer.id} was told their data is erased, and the store's files still hold ${JSON.stringify(left)}`);
    });
    h.erasing = () => plan.customers.filter((customer) => customer.erasing).map((customer) => customer.id);

    await killUnderLoad(h, plan);
    await finalRun(h, plan);
    h.shop.observer.stop();

    const store = readStore(h.dbPath);
    h.checkStore("after the clean stop");
    const account = accountDeliveries(store, h.shop.observer, { shop: token, owner: ownerToken, ownerIds: [ownerId] }, unknownOutcomes(h.outputs));
    report(h, account, seed, zone, Date.now() - began);
    for (const who of plan.forgetters) {
      const left = piiOnDisk(h.dbPath, Object.values(who.pii));
      if (left.length > 0) h.problems.push(`after the clean stop, the store's files still hold ${JSON.stringify(left)} of customer ${who.customer.id}, who erased their data`);
    }
    expect([...h.problems, ...account.undelivered, ...account.unbounded]).toEqual([]);
    expect(h.forgetKills).toHaveLength(forgetKills);
    expect(h.shop.told.filter((entry) => entry.reminder).length).toBe(14 + 6 + 4);
    expect(h.shop.told.filter((entry) => entry.orderId).length).toBe(12 + 3);
    expect(h.shop.told.filter((entry) => entry.answer).length).toBe(8 * 2 + 3);
  });
});
