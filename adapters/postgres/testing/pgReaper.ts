/**
 * Watches the process that started a test PostgreSQL server. When that process is gone (killed, crashed, Ctrl-C
 * before its teardown ran), this stops the server and removes its directory, so that no postgres process and no
 * data directory outlive a test run.
 *
 * Usage: node pgReaper.ts <owner pid> <postmaster pid> <base dir>
 */
import { rmSync } from "node:fs";

const [ownerPid, postmasterPid] = [Number(process.argv[2]), Number(process.argv[3])];
const baseDir = process.argv[4] ?? "";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function reap(): Promise<void> {
  if (alive(postmasterPid)) process.kill(postmasterPid, "SIGQUIT");
  for (let waited = 0; alive(postmasterPid) && waited < 10_000; waited += 100) await sleep(100);
  if (alive(postmasterPid)) process.kill(postmasterPid, "SIGKILL");
  if (baseDir.includes("shop-crm-pg-")) rmSync(baseDir, { recursive: true, force: true });
}

while (alive(ownerPid) && alive(postmasterPid)) await sleep(250);
await reap();
