/**
 * The processes of the three-process test (adapters/postgres/threeProcesses.test.ts): three
 * `npm start` on one PostgreSQL database, each on its own port behind the test's load balancer,
 * killed with SIGKILL and started again with the same environment, and what each kill cost: how
 * long until the balancer's next 2xx, how long the updates the kill caught waited for theirs, and,
 * when the leader died, how long until another process led.
 */
import type { BotApiStandIn } from "../../telegram/testing/botApiStandIn.ts";
import { startMain, type StartedMain } from "../../testing/npmStart.ts";
import type { LoadBalancer } from "./loadBalancer.ts";

/** One of the three places a process runs in: its port, and the process there now. */
export interface Slot {
  readonly index: number;
  readonly port: number;
  main: StartedMain;
  /** How many times a process was started here. */
  starts: number;
  spawnedAt: number;
}

/** A SIGKILL and what it cost. */
export interface Kill {
  readonly n: number;
  readonly slot: number;
  /** Whether the process killed led the deployment (polled the owner bot). */
  readonly leader: boolean;
  /** Why this moment: at random, while the process started, or just after it began delivering an effect. */
  readonly aim: "random" | "start-up" | "effect";
  /** Whether the process had not said `started` yet. */
  readonly startingUp: boolean;
  readonly at: number;
  /** When the process in its place said `started` again (null: not before the end). */
  upAgainAt: number | null;
}

/** What every process printed, one entry per process that ended (and the running ones at the end). */
export interface Printed {
  readonly label: string;
  readonly stdout: string;
  readonly stderr: string;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

const logTime = (line: string): number => {
  try {
    return Date.parse(String((JSON.parse(line) as { time?: unknown }).time));
  } catch {
    return Number.NaN;
  }
};

/** The three places, the processes in them now, every kill, and what every process that ended printed. */
export class ThreeProcesses {
  readonly slots: Slot[];
  readonly printed: Printed[] = [];
  readonly kills: Kill[] = [];
  readonly problems: string[] = [];
  private readonly env: (port: number) => Record<string, string>;
  private readonly cwd: string;

  constructor(ports: readonly number[], env: (port: number) => Record<string, string>, cwd: string) {
    this.env = env;
    this.cwd = cwd;
    this.slots = ports.map((port, index) => ({ index, port, main: this.spawn(port), starts: 1, spawnedAt: Date.now() }));
  }

  private spawn(port: number): StartedMain {
    return startMain(this.env(port), this.cwd, { nodeArgs: ["--max-semi-space-size=16"] });
  }

  /** Waits until the process in `slot` says `started`; false if it died first or took a minute. */
  async started(slot: Slot): Promise<boolean> {
    const { main } = slot;
    const deadline = Date.now() + 60_000;
    let gone = false;
    void main.exited.then(() => (gone = true));
    while (Date.now() < deadline && !gone) {
      if (main.output().includes('"event":"started"')) return true;
      await sleep(25);
    }
    this.problems.push(`the process on port ${slot.port} (start ${slot.starts}) did not start: ${main.errors().slice(0, 500)}`);
    return false;
  }

  /** Whether the process in `slot` leads the deployment: it logged `leading`. */
  leads(slot: Slot): boolean {
    return slot.main.output().includes('"event":"leading"');
  }

  /** SIGKILLs the process in `slot`, waits for its exit, and starts another in its place after `pauseMs`. */
  async killAndRestart(slot: Slot, aim: Kill["aim"], pauseMs: number, onKilled: (leader: boolean) => void): Promise<void> {
    const leader = this.leads(slot);
    const startingUp = !slot.main.output().includes('"event":"started"');
    const kill: Kill = { n: this.kills.length + 1, slot: slot.index, leader, aim, startingUp, at: Date.now(), upAgainAt: null };
    this.kills.push(kill);
    slot.main.kill("SIGKILL");
    const exit = await slot.main.exited;
    if (exit.signal !== "SIGKILL") this.problems.push(`the process on port ${slot.port} ended by itself before kill ${kill.n} (code ${exit.code}): ${exit.stderr.slice(0, 500)}`);
    this.printed.push({ label: `port ${slot.port}, start ${slot.starts}`, stdout: exit.stdout, stderr: exit.stderr });
    onKilled(leader);
    await sleep(pauseMs);
    slot.main = this.spawn(slot.port);
    slot.starts += 1;
    slot.spawnedAt = Date.now();
    const main = slot.main;
    void (async () => {
      while (!main.output().includes('"event":"started"')) {
        if (slot.main !== main) return;
        await sleep(25);
      }
      kill.upAgainAt = Date.now();
    })();
  }

  /** Stops every process with SIGTERM; each must exit 0. */
  async stopAll(): Promise<void> {
    await Promise.all(
      this.slots.map(async (slot) => {
        slot.main.kill("SIGTERM");
        const exit = await slot.main.exited;
        if (exit.code !== 0) this.problems.push(`the process on port ${slot.port} did not stop cleanly on SIGTERM (code ${exit.code}, signal ${exit.signal}): ${exit.stderr.slice(0, 300)}`);
        this.printed.push({ label: `port ${slot.port}, start ${slot.starts}`, stdout: exit.stdout, stderr: exit.stderr });
      }),
    );
  }

  /**
   * Waits up to `ms` for a process to log that it begins delivering an effect (a reminder, an
   * answer, an order notice, a call to the AI) and returns its slot, so that the kill lands while
   * the delivery is on its way.
   */
  async delivering(ms: number): Promise<Slot | undefined> {
    const seen = this.slots.map((slot) => ({ main: slot.main, length: slot.main.output().length }));
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      for (const slot of this.slots) {
        const before = seen[slot.index];
        const from = before && before.main === slot.main ? before.length : 0;
        if (slot.main.output().slice(from).includes('"event":"effect_delivering"')) return slot;
      }
      await sleep(5);
    }
    return undefined;
  }

  /** SIGKILLs whatever still runs (a failed test's leftovers). */
  async killAll(): Promise<void> {
    for (const slot of this.slots) slot.main.kill("SIGKILL");
    await Promise.all(this.slots.map((slot) => slot.main.exited));
  }

  /** The times of every `leading` line any process printed, in order. */
  leadingTimes(): number[] {
    const outputs = [...this.printed.map((printed) => printed.stdout), ...this.slots.map((slot) => slot.main.output())];
    return outputs
      .flatMap((output) => output.split("\n"))
      .filter((line) => line.includes('"event":"leading"'))
      .map(logTime)
      .sort((a, b) => a - b);
  }
}

/** Every stdout line that is not a JSON object, and every stderr line other than the bots' links, with the process it came from. */
export function unstructuredLines(printed: readonly Printed[]): string[] {
  const links = /^(Shop bot|Owner bot): (https:\/\/t\.me\/\S+|off \(.*\))$/;
  const bad: string[] = [];
  for (const { label, stdout, stderr } of printed) {
    for (const line of stdout.split("\n").filter((text) => text !== "")) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        parsed = undefined;
      }
      if (typeof parsed !== "object" || parsed === null) bad.push(`${label} stdout: ${line.slice(0, 300)}`);
    }
    for (const line of stderr.split("\n").filter((text) => text !== "")) if (!links.test(line)) bad.push(`${label} stderr: ${line.slice(0, 300)}`);
  }
  return bad;
}

/** What each kill cost, in words, from the balancer's answers and the stand-in's webhook deliveries. */
export function killCosts(processes: ThreeProcesses, balancer: LoadBalancer, api: BotApiStandIn, shopToken: string): string[] {
  const leading = processes.leadingTimes();
  const deliveries = api.webhookDeliveries.filter((delivery) => delivery.token === shopToken);
  return processes.kills.map((kill, i) => {
    const until = processes.kills[i + 1]?.at ?? Number.POSITIVE_INFINITY;
    const next2xx = balancer.answers.find((answer) => answer.at >= kill.at && answer.status >= 200 && answer.status < 300);
    const firstAfter = balancer.answers.find((answer) => answer.received >= kill.at);
    // The updates the kill caught: posted in vain at or after it (before the next kill), and how long until each was taken.
    const caught = [...new Set(deliveries.filter((delivery) => delivery.at >= kill.at && delivery.at < until && (delivery.status < 200 || delivery.status >= 300)).map((delivery) => delivery.update_id))];
    const waits = caught.map((updateId) => (deliveries.find((delivery) => delivery.update_id === updateId && delivery.at >= kill.at && delivery.status >= 200 && delivery.status < 300)?.at ?? Number.NaN) - kill.at);
    const newLeader = kill.leader ? leading.find((at) => at >= kill.at) : undefined;
    return [
      `#${kill.n} slot ${kill.slot + 1}${kill.leader ? " (the leader)" : ""}, ${kill.aim}${kill.startingUp ? ", during start-up" : ""}:`,
      `next 2xx +${next2xx ? next2xx.at - kill.at : "—"} ms${firstAfter && firstAfter.received - kill.at > 1_000 ? ` (no update came until +${firstAfter.received - kill.at} ms)` : ""};`,
      `${caught.length} update(s) caught${caught.length > 0 ? `, taken after +${Math.max(...waits)} ms at most` : ""};`,
      kill.leader ? `new leader +${newLeader === undefined ? "—" : newLeader - kill.at} ms;` : "",
      `restarted process up +${kill.upAgainAt === null ? "—" : kill.upAgainAt - kill.at} ms`,
    ]
      .filter(Boolean)
      .join(" ");
  });
}
