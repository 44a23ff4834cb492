import { closeSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";

/** Another process holds the store: two runtimes writing one store would each trust a stale cache. */
export class StoreInUseError extends Error {
  override readonly name = "StoreInUseError";
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
};

/**
 * Takes `path` as a lock file holding this process's pid, or throws StoreInUseError while a live
 * process holds it. A lock left by a process that died (a crash, a SIGKILL) is taken over.
 * Returns the release function.
 */
export function acquireProcessLock(path: string): () => void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = Number(readFileSync(path, "utf8").trim());
      if (Number.isInteger(holder) && holder > 0 && alive(holder)) {
        throw new StoreInUseError(`${path} is held by process ${holder}: one runtime per store`);
      }
      rmSync(path, { force: true });
    }
  }
  throw new StoreInUseError(`could not take ${path}`);
}
