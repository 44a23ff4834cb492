/**
 * `npm start` as a child process, for tests that drive the product from outside: its real entry
 * (adapters/main.ts), its real environment, its stdout and stderr, and signals (SIGTERM, SIGKILL).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:http";
import { createServer as createTcpServer, type Socket } from "node:net";

export const mainPath = new URL("../main.ts", import.meta.url).pathname;

export interface Exited {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface StartedMain {
  readonly exited: Promise<Exited>;
  readonly kill: (signal: NodeJS.Signals) => void;
  /** Everything written to stdout so far. */
  readonly output: () => string;
  /** Everything written to stderr so far. */
  readonly errors: () => string;
  readonly pid: number | undefined;
}

export interface StartMainOptions {
  /** A command and its arguments to run the entry under, e.g. `["unshare", "--pid", "--fork", "--mount-proc"]`. */
  readonly wrap?: readonly string[];
  /** Flags for node before the entry, e.g. `["--import", faultsPath]`. */
  readonly nodeArgs?: readonly string[];
}

/**
 * The children still running. A test that fails before it stops its `npm start` would leave it
 * running past the test file (holding its port, polling a stand-in that is gone):
 * adapters/testing/afterEachFile.ts kills what is left after each test file.
 */
const running = new Set<ChildProcess>();

/** Kills every `npm start` this test file started and did not see exit; returns how many. */
export function killLeftovers(): number {
  const left = running.size;
  for (const child of running) child.kill("SIGKILL");
  running.clear();
  return left;
}

/** Starts `node adapters/main.ts` in `cwd` with only PATH and `env` set. */
export function startMain(env: Record<string, string>, cwd: string, options: StartMainOptions = {}): StartedMain {
  const [command, ...args] = [...(options.wrap ?? []), process.execPath, ...(options.nodeArgs ?? []), mainPath];
  const child = spawn(command ?? process.execPath, args, { cwd, env: { PATH: process.env["PATH"] ?? "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  running.add(child);
  const exited = new Promise<Exited>((resolve) =>
    child.on("exit", (code, signal) => {
      running.delete(child);
      resolve({ code, signal, stdout, stderr });
    }),
  );
  return { exited, kill: (signal) => child.kill(signal), output: () => stdout, errors: () => stderr, pid: child.pid };
}

/** SIGKILLs each of a test's `npm start` and waits for it to exit, emptying the list. */
export async function killAll(mains: StartedMain[]): Promise<void> {
  for (const main of mains.splice(0)) {
    main.kill("SIGKILL");
    await main.exited;
  }
}

/** A TCP port that was free a moment ago. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === "object" && address ? address.port : 0;
}

/** `count` TCP ports that were free a moment ago, all different: held together while they are picked. */
export async function freePorts(count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer());
  await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))));
  const ports = servers.map((server) => {
    const address = server.address();
    return typeof address === "object" && address ? address.port : 0;
  });
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

/** Polls `check` every 25 ms until it holds, or fails naming `what`. */
export async function until(check: () => boolean, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The JSON log lines of `output` whose event is `event`, parsed; other lines are skipped. */
export function logLines(output: string, event: string): Record<string, unknown>[] {
  return output
    .split("\n")
    .filter((line) => line.startsWith("{") && line.includes(`"event":"${event}"`))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line["event"] === event);
}

/** A TCP server that accepts connections and never answers: a host whose traffic is dropped. */
export interface Blackhole {
  /** `http://127.0.0.1:<port>`, to pass as TELEGRAM_API_ROOT. */
  readonly apiRoot: string;
  /** How many connections it has accepted. */
  readonly accepted: () => number;
  close(): Promise<void>;
}

export async function startBlackhole(): Promise<Blackhole> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server = createTcpServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on("error", () => undefined);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    apiRoot: `http://127.0.0.1:${port}`,
    accepted: () => accepted,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
