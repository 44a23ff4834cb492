/**
 * A child process for the SIGKILL test of a store's units of work (killedUnits.ts):
 * `node unitsUnderKill.ts <sqlite|json> <path> <first unit>` commits units with up to `inFlight` of
 * them under way at once; once a unit is durable it records an attempt on the unit's first effect,
 * and prints `ack <n>` when that is durable too. Unit n starts only once unit n - inFlight is
 * acknowledged. It runs until it is killed.
 */
import { openJsonStore } from "../json/jsonStore.ts";
import { openSqliteStore } from "../sqlite/sqliteStore.ts";
import { inFlight, unitOf } from "./killedUnits.ts";

const [kind, path = "", first = "0"] = process.argv.slice(2);
const start = Number(first);
const store = kind === "sqlite" ? openSqliteStore({ path }) : await openJsonStore({ dir: path });
const attempt = (n: number) => store.recordEffectAttempt(`e:${n}:0`, { attempts: 1, nextAt: n + 1, status: "pending", lastError: null });
// The last run may have been killed between its last units and their attempts.
for (let n = Math.max(0, start - inFlight); n < start; n++) await attempt(n);
const window: Array<Promise<void>> = [];
for (let n = start; ; n++) {
  if (window.length >= inFlight) await window.shift();
  const unit = n;
  window.push(
    store
      .transact((tx) => unitOf(tx, unit))
      .then(() => attempt(unit))
      .then(() => void process.stdout.write(`ack ${unit}\n`)),
  );
}
