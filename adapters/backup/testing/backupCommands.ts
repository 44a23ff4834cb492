/**
 * `npm run backup`, `npm run restore` and a runtime dispatching under load, as child processes, for
 * the backup tests: their real entries, only PATH and the given environment, stdout and stderr.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Exited } from "../../testing/npmStart.ts";

const backupPath = fileURLToPath(new URL("../backup.ts", import.meta.url));
const restorePath = fileURLToPath(new URL("../restore.ts", import.meta.url));
const loadPath = fileURLToPath(new URL("../../../actors/fixtures/dispatchUnderLoad.ts", import.meta.url));

/**
 * Runs `npm run <command> -- ...args` in `cwd` with `env` and waits for it to end; with
 * `signalOnStderr`, sends it that signal as soon as it writes to stderr (its progress bar).
 */
export function runCommand(command: "backup" | "restore", args: readonly string[], env: Record<string, string>, cwd: string, signalOnStderr?: NodeJS.Signals): Promise<Exited> {
  const child = spawn(process.execPath, [command === "backup" ? backupPath : restorePath, ...args], { cwd, env: { PATH: process.env["PATH"] ?? "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => {
    if (signalOnStderr !== undefined && stderr === "") child.kill(signalOnStderr);
    stderr += chunk.toString();
  });
  return new Promise((resolve) => child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })));
}

/** A runtime in a child process dispatching to 97 customers as fast as it can (actors/fixtures/dispatchUnderLoad.ts). */
export interface Load {
  /** The acknowledgement lines so far: `crash:<n>` committed, `crash:<n> refused` refused. */
  readonly acked: () => readonly string[];
  readonly errors: () => string;
  /** SIGKILLs it and waits until it is gone. */
  readonly kill: () => Promise<void>;
}

/** Starts the load on a SQLite file or a JSON store folder. */
export function startLoad(kind: "sqlite" | "json", path: string): Load {
  const child = spawn(process.execPath, [loadPath, kind, path], { stdio: ["ignore", "pipe", "pipe"] });
  const acked: string[] = [];
  let buffer = "";
  let stderr = "";
  const gone = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.on("data", (chunk: Buffer) => {
    buffer += chunk.toString();
    const lines = buffer.split("\n");
    buffer = lines.pop() ?? "";
    for (const line of lines) if (line.startsWith("crash:")) acked.push(line);
  });
  return {
    acked: () => acked,
    errors: () => stderr,
    kill: async () => {
      child.kill("SIGKILL");
      await gone;
    },
  };
}

/** Waits until `check` holds, polling; fails naming `what` after `ms`. */
export async function waitFor(check: () => boolean, what: string, ms = 60_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
