/**
 * SIGKILL in the middle of units of work that arm timers and queue effects: a child process
 * (unitsUnderKill.ts) commits unit after unit until it is killed at a random moment; what the store
 * holds afterwards must be every unit whole up to some point, and nothing of any unit after it.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { CrmStore, StoreTx } from "../../actors/store.port.ts";

/** How many units the child has under way at once. */
export const inFlight = 4;
const timersPerUnit = 20;
const effectsPerUnit = 10;
const child = fileURLToPath(new URL("./unitsUnderKill.ts", import.meta.url));

/** The writes of unit `n`: an event, 20 timers and 10 effects, and one timer disarmed and one effect completed of unit n - 1. */
export function unitOf(tx: StoreTx, n: number): void {
  tx.appendEvent({ userId: 1 + (n % 97), type: "catalog_view", payload: "{}", at: n, key: `u:${n}` });
  for (let j = 0; j < timersPerUnit; j++) {
    tx.setTimer({ actor: `unit:${n}`, sendId: `s${j}`, dueAt: n * 100 + j, event: JSON.stringify({ type: `s${j}` }), key: `t:${n}:${j}` });
  }
  for (let j = 0; j < effectsPerUnit; j++) {
    tx.queueEffect({ key: `e:${n}:${j}`, actor: `unit:${n}`, type: "notify", params: JSON.stringify({ n, j }), createdAt: n });
  }
  if (n > 0) {
    tx.cancelTimer(`unit:${n - 1}`, `s${timersPerUnit - 1}`);
    tx.completeEffect(`e:${n - 1}:${effectsPerUnit - 1}`);
  }
}

/**
 * Runs the child from unit `first` and SIGKILLs it a random 0 to 3 ms after its `acks`th
 * acknowledgement, so that the kill finds units at any point of their writes; resolves with the
 * units it acknowledged.
 */
export function runThenKill(kind: "sqlite" | "json", path: string, first: number, acks: number, stallMs = 30_000): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const worker = spawn(process.execPath, [child, kind, path, String(first)], { stdio: ["ignore", "pipe", "pipe"] });
    const acked: number[] = [];
    let buffer = "";
    let stderr = "";
    let killed = false;
    const stall = setTimeout(() => worker.kill("SIGKILL"), stallMs);
    worker.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    worker.stdout.on("data", (chunk: Buffer) => {
      const lines = (buffer + chunk.toString()).split("\n");
      buffer = lines.pop() ?? "";
      for (const line of lines) if (line.startsWith("ack ")) acked.push(Number(line.slice(4)));
      if (!killed && acked.length >= acks) {
        killed = true;
        setTimeout(() => worker.kill("SIGKILL"), Math.floor(Math.random() * 4));
      }
    });
    worker.on("exit", (code, signal) => {
      clearTimeout(stall);
      if (killed && signal === "SIGKILL") resolve(acked);
      else reject(new Error(`the worker ended (code ${code}, signal ${signal}) after ${acked.length} acknowledgements: ${stderr.slice(0, 2_000)}`));
    });
  });
}

/**
 * What the store holds after a kill, checked against what the units write: returns the last unit
 * it holds, and every way in which it holds part of a unit, or an acknowledged unit not at all.
 */
export function partialUnits(store: CrmStore, acked: readonly number[]): { readonly last: number; readonly problems: string[] } {
  const logged = new Set(Array.from({ length: 97 }, (_, i) => store.loadEvents(i + 1)).flat().map((event) => event.key));
  const ackedSet = new Set(acked);
  let last = -1;
  while (logged.has(`u:${last + 1}`)) last += 1;
  const problems: string[] = [];
  if (logged.size !== last + 1) problems.push(`the log holds ${logged.size} units but not unit ${last + 1}`);
  for (const n of acked) if (n > last) problems.push(`unit ${n} was acknowledged and is not stored`);
  for (let n = 0; n <= last + 1; n++) {
    const whole = n === last ? timersPerUnit : n < last ? timersPerUnit - 1 : 0;
    const timers = store.timersOf(`unit:${n}`);
    if (timers.length !== whole) problems.push(`unit ${n} has ${timers.length} timers, not ${whole}`);
    const effects = store.effectsOf(`unit:${n}`);
    const queued = n === last ? effectsPerUnit : n < last ? effectsPerUnit - 1 : 0;
    if (effects.length !== queued) problems.push(`unit ${n} has ${effects.length} effects, not ${queued}`);
    const attempts = effects.find((effect) => effect.key === `e:${n}:0`)?.attempts;
    // Unit n + inFlight starts only once unit n's attempt is durable.
    const attempted = n <= last - inFlight || ackedSet.has(n);
    if (attempted && attempts !== 1) problems.push(`unit ${n}'s recorded attempt is lost (${String(attempts)})`);
  }
  const timers = last + 1 === 0 ? 0 : last * (timersPerUnit - 1) + timersPerUnit;
  if (store.timersCount() !== timers) problems.push(`${store.timersCount()} timers are armed, not ${timers}`);
  const effects = last + 1 === 0 ? 0 : last * (effectsPerUnit - 1) + effectsPerUnit;
  if (store.effectsCount().pending !== effects) problems.push(`${store.effectsCount().pending} effects are pending, not ${effects}`);
  return { last, problems };
}
