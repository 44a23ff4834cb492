import { existsSync } from "node:fs";
import { DatabaseSync } from "node:sqlite";
import { loadCampaignSettings } from "../../actors/campaignSettings.ts";
import { provideCustomerSettings } from "../../actors/customerSettings.ts";
import type { Logger } from "../../actors/log.port.ts";
import type { SessionStore } from "../../actors/store.port.ts";
import { customerMachineVersion } from "../../machines/customer.machine.ts";
import { campaignDefaultsOf, customerSettingsOf, type AppConfig } from "../config.ts";
import { rebuildJson } from "./jsonRebuild.ts";
import { RebuildRefused, type RebuildResult } from "./rebuildErrors.ts";
import { rebuildSqlite } from "./sqliteRebuild.ts";

export const rebuildUsage = `npm run rebuild [-- --batch <customers>] [--switch-batch <customers>]

Replays every customer's event log through the customer machine of this code (version ${customerMachineVersion})
and switches the leads, the funnel, stage moves, time in stage, segments and pending timers to it.
SQLite: runs while npm start serves (the same code must be running); the switch is one transaction.
JSON store: offline only (stop npm start first).

  --batch <n>          customers per read and write transaction of the replay (SQLite; default 1000, 1 to 100000)
  --switch-batch <n>   switch n customers per transaction instead of all in one (SQLite; 1 to 100000): for a
                       switch of very many customers while the bots are busy; each customer still switches whole
  --help               this text`;

export interface RebuildArgs {
  readonly help: boolean;
  readonly batchSize: number;
  /** 0: the whole switch in one transaction. */
  readonly switchBatch: number;
}

function customersArg(name: string, value: string | undefined): number {
  if (value === undefined || !/^\d{1,6}$/.test(value) || Number(value) < 1 || Number(value) > 100_000) {
    throw new RebuildRefused(`${name}: expected a number of customers from 1 to 100000, got ${value === undefined ? "nothing" : `"${value.slice(0, 40)}"`}`);
  }
  return Number(value);
}

/** The command line, or a refusal naming what is wrong with it. */
export function parseRebuildArgs(argv: readonly string[]): RebuildArgs {
  let help = false;
  let batchSize = 1_000;
  let switchBatch = 0;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--help" || arg === "-h") help = true;
    else if (arg === "--batch") batchSize = customersArg(arg, argv[++i]);
    else if (arg === "--switch-batch") switchBatch = customersArg(arg, argv[++i]);
    else throw new RebuildRefused(`unknown argument "${String(arg).slice(0, 40)}"; npm run rebuild -- --help says what it takes`);
  }
  return { help, batchSize, switchBatch };
}

/** The owner's campaign settings (they set the reminders' delays) read from the SQLite file without taking it. */
function sqliteSessions(path: string): SessionStore {
  const refuse = (): Promise<never> => Promise.reject(new Error("the rebuild writes no session"));
  return {
    async readSession(key) {
      const db = new DatabaseSync(path, { readOnly: true });
      try {
        const row = db.prepare("SELECT value FROM crm_sessions WHERE key = ?").get(key);
        return row ? String(row["value"]) : undefined;
      } finally {
        db.close();
      }
    },
    writeSession: refuse,
    deleteSession: refuse,
  };
}

/** The machine `npm start` runs with this configuration and the owner's campaign settings. */
async function machineOf(config: AppConfig, sessions: SessionStore) {
  return provideCustomerSettings(customerSettingsOf(config), await loadCampaignSettings(sessions, campaignDefaultsOf(config)));
}

export interface RebuildIo {
  readonly progress: (done: number, total: number) => void;
  readonly log: Logger;
}

/** Runs the rebuild of the configured store with the real customer machine. */
export async function runRebuild(config: AppConfig, args: RebuildArgs, io: RebuildIo): Promise<RebuildResult> {
  if (config.STORE === "postgres") throw new RebuildRefused("STORE=postgres: npm run rebuild handles SQLite and the JSON store; on PostgreSQL, a customer is replayed through the new machine when next loaded (README: Several processes on PostgreSQL)");
  if (config.STORE === "json") {
    return rebuildJson({ dir: config.JSON_STORE_DIR, machine: (store) => machineOf(config, store), machineVersion: customerMachineVersion, progress: io.progress, log: io.log });
  }
  const path = config.DATABASE_PATH;
  if (!existsSync(path)) throw new RebuildRefused(`DATABASE_PATH: ${path} does not exist; there is nothing to rebuild`);
  const machine = await machineOf(config, sqliteSessions(path));
  return rebuildSqlite({ path, machine, machineVersion: customerMachineVersion, batchSize: args.batchSize, switchBatch: args.switchBatch, progress: io.progress });
}

/** The last line: what changed. */
export function summaryOf(result: RebuildResult): string {
  const meanwhile = result.actedMeanwhile > 0 ? `; ${result.actedMeanwhile} acted meanwhile and keep what the running process wrote` : "";
  return `rebuilt ${result.customers} customers from ${result.events} events with customer machine version ${customerMachineVersion}: ${result.switched} switched${meanwhile}, the others were already current`;
}
