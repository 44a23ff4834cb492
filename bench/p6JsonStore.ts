import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createCustomerRuntime, type CustomerRuntime } from "../actors/customerRuntime.ts";
import { openJsonStore } from "../adapters/json/jsonStore.ts";
import { best, perSecond, random, round, type Figure } from "./figures.ts";

const customers = 1_000;
const measured = 20_000;
const concurrency = 1_000;

async function pump(runtime: CustomerRuntime, from: number, count: number, seed: number): Promise<void> {
  const next = random(seed);
  for (let i = from; i < from + count; i += concurrency) {
    const wave: Promise<unknown>[] = [];
    for (let j = i; j < Math.min(i + concurrency, from + count); j++) {
      wave.push(runtime.dispatch(1 + Math.floor(next() * customers), { type: "product_view", productId: `p${j % 300}`, key: `p6:${j}`, at: 1_000 + j }));
    }
    await Promise.all(wave);
  }
}

/** Events per second dispatched to the JSON store once it already holds `stored` events. */
async function eventsPerSecond(stored: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "crm-bench-p6-"));
  try {
    const store = await openJsonStore({ dir });
    const runtime = createCustomerRuntime({ store });
    await pump(runtime, 0, stored, 1);
    const t0 = performance.now();
    await pump(runtime, stored, measured, 2);
    const seconds = (performance.now() - t0) / 1000;
    await runtime.close();
    await store.close();
    return measured / seconds;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** P6: the JSON store's write cost must not grow with its history. */
export async function p6(): Promise<Figure[]> {
  const small: number[] = [];
  const large: number[] = [];
  for (let round = 0; round < 3; round++) {
    small.push(await eventsPerSecond(1_000));
    large.push(await eventsPerSecond(100_000));
  }
  return [
    {
      id: "P6",
      what: "JSON store ev/s with 100k events stored ÷ with 1k",
      value: round(best(large) / best(small)),
      unit: "ratio",
      bar: ">= 0.5",
      detail: `${perSecond(best(large))} ev/s at 100k vs ${perSecond(best(small))} ev/s at 1k (best of 3; ${measured.toLocaleString("en")} events to ${customers} customers)`,
    },
  ];
}
