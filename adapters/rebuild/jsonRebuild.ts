import { existsSync } from "node:fs";
import { join } from "node:path";
import type { CustomerMachine } from "../../actors/customerSnapshot.ts";
import { createCustomerStepper, customerActor } from "../../actors/customerStepper.ts";
import type { Logger } from "../../actors/log.port.ts";
import { rebuildCustomer, rebuiltDiffers, type RebuiltCustomer } from "../../actors/rebuild.ts";
import type { CrmStore } from "../../actors/store.port.ts";
import type { Stage } from "../../machines/customer.types.ts";
import { openJsonStore } from "../json/jsonStore.ts";
import { StoreInUseError } from "../processLock.ts";
import { RebuildRefused, type RebuildResult } from "./rebuildErrors.ts";

export interface JsonRebuildOptions {
  /** The store's folder (JSON_STORE_DIR). */
  readonly dir: string;
  /** The machine to replay through, made once the store is open (the owner's campaign settings are kept in it). */
  readonly machine: (store: CrmStore) => Promise<CustomerMachine> | CustomerMachine;
  readonly machineVersion: number;
  readonly progress?: (done: number, total: number) => void;
  readonly log?: Logger;
}

async function openOffline(dir: string, log: Logger | undefined): Promise<CrmStore> {
  if (!existsSync(dir)) throw new RebuildRefused(`JSON_STORE_DIR: ${dir} does not exist; there is nothing to rebuild`);
  try {
    return await openJsonStore({ dir, ...(log ? { log } : {}) });
  } catch (error) {
    if (!(error instanceof StoreInUseError)) throw error;
    throw new RebuildRefused(
      `JSON_STORE_DIR: ${dir} is in use by a running Shop CRM (it holds ${join(dir, "LOCK")}); the JSON store keeps everything in memory, so stop npm start, rebuild, then start it again`,
    );
  }
}

async function allUserIds(store: CrmStore): Promise<number[]> {
  const ids: number[] = [];
  for (let offset = 0; ; offset += 100) {
    const page = await store.recentLeads({ offset, limit: 100 });
    ids.push(...page.items.map((lead) => lead.userId));
    if (!page.hasMore) return ids;
  }
}

/**
 * `npm run rebuild` on the JSON store: offline only, since a running process holds every customer
 * in memory and would not see a change made under it. It takes the store's lock (refused while
 * `npm start` holds it), replays every customer, and writes the ones that differ (lead, snapshot,
 * timers) in one unit of work, which the store commits whole or not at all.
 */
export async function rebuildJson(options: JsonRebuildOptions): Promise<RebuildResult> {
  const store = await openOffline(options.dir, options.log);
  try {
    const stepper = createCustomerStepper(await options.machine(store));
    const ids = await allUserIds(store);
    const changed: { rebuilt: RebuiltCustomer; previousStage: Stage }[] = [];
    let events = 0;
    let customers = 0;
    options.progress?.(0, ids.length);
    for (const [index, userId] of ids.entries()) {
      const log = store.loadEvents(userId);
      const stored = store.loadActor(userId);
      const rebuilt = rebuildCustomer(stepper, options.machineVersion, userId, log);
      events += log.length;
      if (rebuilt) customers++;
      const was = { machineVersion: stored?.machineVersion ?? -1, snapshot: stored?.snapshot ?? "", timers: store.timersOf(customerActor(userId)) };
      if (rebuilt && rebuiltDiffers(rebuilt, was)) changed.push({ rebuilt, previousStage: stored?.stage ?? "new" });
      options.progress?.(index + 1, ids.length);
    }
    await store.transact((tx) => {
      for (const { rebuilt, previousStage } of changed) {
        tx.saveActor({ ...rebuilt.write, previousStage });
        tx.replaceTimers(customerActor(rebuilt.write.lead.userId), rebuilt.timers);
      }
    });
    return { customers, events, differing: changed.length, switched: changed.length, actedMeanwhile: 0 };
  } finally {
    await store.close();
  }
}
