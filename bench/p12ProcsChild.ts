/**
 * One bot process of P12_procs (bench/p12Procs.ts):
 * `node bench/p12ProcsChild.ts <database url> <plan file> <in flight>` opens the PostgreSQL store and a
 * customer runtime, prints `ready`, waits for a `go` line on stdin, dispatches its slice of the plan (a JSON
 * array of `Planned`) in waves of `<in flight>`, and prints one JSON line of what it did ({@link ChildReport})
 * once every dispatch is durable. Exits 1 with one line on stderr when it cannot run.
 */
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { createCustomerRuntime } from "../actors/customerRuntime.ts";
import { StaleActorError } from "../actors/staleActor.ts";
import type { StoreTx } from "../actors/store.port.ts";
import { openPostgresStore } from "../adapters/postgres/pgStore.ts";
import type { Planned } from "./shopMix.ts";

/** The child's last line on stdout. */
export interface ChildReport {
  readonly events: number;
  /** From `go` to the last dispatch durable, by the child's own clock. */
  readonly ms: number;
  /** Units the store refused because another process had changed one of their customers (the runtime runs them again). */
  readonly stale: number;
  /** Dispatches that failed even so (after the runtime's retries), and the first one's reason. */
  readonly failed: number;
  readonly firstFailure: string | null;
  /** CPU time of the whole process (main thread and the store's bridge worker) between `go` and the end. */
  readonly cpuMs: number;
}

const [url = "", planFile = "", inFlightArg = "2000"] = process.argv.slice(2);

/** Resolves on a `go` line; rejects when stdin closes first (the parent has gone). */
function go(): Promise<void> {
  const lines = createInterface({ input: process.stdin });
  return new Promise((resolve, reject) => {
    lines.on("line", (line) => {
      if (line.trim() !== "go") return;
      resolve();
      lines.close();
    });
    lines.on("close", () => reject(new Error("stdin closed before go")));
  });
}

try {
  const planned = JSON.parse(readFileSync(planFile, "utf8")) as Planned[];
  const inFlight = Math.max(1, Number(inFlightArg));
  const opened = await openPostgresStore({ url });
  let stale = 0;
  const transact = <R>(work: (tx: StoreTx) => R): Promise<R> =>
    opened.transact(work).catch((error: unknown) => {
      if (error instanceof StaleActorError) stale++;
      throw error;
    });
  const store = new Proxy(opened, {
    get(target, property) {
      if (property === "transact") return transact;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  const runtime = createCustomerRuntime({ store, maxActive: 2_000 });
  const started = go();
  process.stdout.write("ready\n");
  await started;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let failed = 0;
  let firstFailure: string | null = null;
  const failure = (error: unknown): void => {
    failed++;
    firstFailure ??= error instanceof Error ? error.message : String(error);
  };
  for (let i = 0; i < planned.length; i += inFlight) {
    await Promise.all(planned.slice(i, i + inFlight).map(({ userId, input }) => runtime.dispatch(userId, input).catch(failure)));
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const report: ChildReport = { events: planned.length, ms, stale, failed, firstFailure, cpuMs: (cpu.user + cpu.system) / 1000 };
  process.stdout.write(`${JSON.stringify(report)}\n`);
  await runtime.close();
  await opened.close();
  process.stdin.destroy();
} catch (error) {
  process.stderr.write(`p12ProcsChild: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
