/**
 * Watches the process that is starting or running a test PostgreSQL server. When that process is gone (killed,
 * crashed, Ctrl-C before its teardown ran, even in the middle of initdb), this stops the server it finds in the
 * directory's `postmaster.pid` and removes the directory, so that no postgres process and no data directory
 * outlive a test run. The owner's `stop()` ends this process first, and removes the directory itself.
 *
 * Usage: node pgReaper.ts <owner pid> <base dir>
 */
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

const ownerPid = Number(process.argv[2]);
const baseDir = process.argv[3] ?? "";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The postmaster of the directory's cluster, if one runs: its pid file names it, and it is a postgres process. */
function postmaster(): number | undefined {
  try {
    const pid = Number(readFileSync(join(baseDir, "data", "postmaster.pid"), "utf8").split("\n")[0]);
    if (!Number.isSafeInteger(pid) || pid <= 0 || !alive(pid)) return undefined;
    const command = existsSync(`/proc/${pid}/cmdline`) ? readFileSync(`/proc/${pid}/cmdline`, "utf8") : "postgres";
    return command.includes("postgres") ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Programs still running on the directory (an initdb left by its dead owner), by their command line: Linux only. */
function programsOn(dir: string): number[] {
  if (!existsSync("/proc")) return [];
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name) && Number(name) !== process.pid)
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(dir);
      } catch {
        return false;
      }
    })
    .map(Number);
}

async function reap(): Promise<void> {
  const pid = postmaster();
  if (pid !== undefined) {
    process.kill(pid, "SIGQUIT");
    for (let waited = 0; alive(pid) && waited < 10_000; waited += 100) await sleep(100);
  }
  for (const program of programsOn(baseDir)) process.kill(program, "SIGKILL");
  // A program that was still writing may add a file while the tree goes: try again until it is gone.
  for (let tries = 0; existsSync(baseDir) && tries < 50; tries++) {
    try {
      rmSync(baseDir, { recursive: true, force: true });
    } catch {
      await sleep(200);
    }
  }
}

if (baseDir.includes("shop-crm-pg-")) {
  while (alive(ownerPid) && existsSync(baseDir)) await sleep(250);
  if (existsSync(baseDir)) await reap();
}
