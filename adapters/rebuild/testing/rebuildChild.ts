/**
 * A rebuild in a child process, for the kill tests: `node rebuildChild.ts <db> <replay|switch>`
 * rebuilds with the changed funnel (funnelVariant.ts), printing `batch <n>` after each batch of the
 * replay and `switched <n>` inside the switch's transaction, and going slowly at the phase named,
 * so that the test can SIGKILL it there.
 */
import { rebuildSqlite } from "../sqliteRebuild.ts";
import { newMachine } from "./funnelVariant.ts";

const [path, slowAt] = process.argv.slice(2);
if (!path || (slowAt !== "replay" && slowAt !== "switch")) throw new Error("usage: rebuildChild.ts <db> <replay|switch>");
const pause = (ms: number): void => void Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

const result = await rebuildSqlite({
  path,
  machine: newMachine(),
  machineVersion: 2,
  batchSize: 5,
  hooks: {
    afterBatch: (done) => {
      process.stdout.write(`batch ${done}\n`);
      if (slowAt === "replay") pause(100);
    },
    duringSwitch: (switched) => {
      process.stdout.write(`switched ${switched}\n`);
      if (slowAt === "switch") pause(100);
    },
  },
});
process.stdout.write(`done ${result.switched}\n`);
