/**
 * P7: what the product weighs. The size of `node_modules` after `npm ci --omit=dev` (bar ≤ 150 MB),
 * and the time from process start to the first handled update (bar ≤ 1 s), with `npm start`'s
 * entry point against the Bot API stand-in by long polling, an update already waiting.
 */
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, lstatSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startBotApiStandIn } from "../adapters/telegram/testing/botApiStandIn.ts";
import * as updates from "../adapters/telegram/testing/telegramUpdates.ts";
import { median, round, type Figure } from "./figures.ts";

const root = new URL("..", import.meta.url).pathname;

function bytesUnder(path: string): number {
  const stat = lstatSync(path);
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(path).reduce((sum, name) => sum + bytesUnder(join(path, name)), 0);
}

/** `npm ci --omit=dev` into a fresh folder, from the npm cache this machine already has. */
function productionInstall(): { megabytes: number; detail: string } {
  const dir = mkdtempSync(join(tmpdir(), "crm-bench-p7-"));
  try {
    for (const file of ["package.json", "package-lock.json", ".npmrc"]) if (existsSync(join(root, file))) copyFileSync(join(root, file), join(dir, file));
    const npm = spawnSync("npm", ["ci", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund", "--prefer-offline"], { cwd: dir, encoding: "utf8" });
    if (npm.status !== 0) throw new Error(`npm ci --omit=dev failed: ${npm.stderr.slice(-500)}`);
    const bytes = bytesUnder(join(dir, "node_modules"));
    const packages = readdirSync(join(dir, "node_modules")).length;
    return { megabytes: round(bytes / 1024 / 1024, 1), detail: `${round(bytes / 1024 / 1024, 1)} MB in ${packages} top-level entries` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Milliseconds from spawning `node adapters/main.ts` to its first "update" log line. */
async function startToFirstUpdate(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "crm-bench-p7-start-"));
  const token = "7020:AAH-p7-bench-token-not-a-real-one";
  const standIn = await startBotApiStandIn({ botInfo: { username: "p7_bot", first_name: "P7" } });
  try {
    standIn.pushUpdate(updates.command(updates.user(9, { first_name: "Первый" }), "start"), { token });
    const t0 = performance.now();
    const child = spawn(process.execPath, ["--max-semi-space-size=16", join(root, "adapters/main.ts")], {
      cwd: dir,
      env: { PATH: process.env["PATH"] ?? "", SHOP_BOT_TOKEN: token, TELEGRAM_API_ROOT: standIn.apiRoot, DATABASE_PATH: join(dir, "crm.sqlite") },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const elapsed = await new Promise<number>((resolve, reject) => {
      let out = "";
      const timer = setTimeout(() => reject(new Error(`no update handled in 20 s: ${out.slice(-300)}`)), 20_000);
      child.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('"event":"update"')) {
          clearTimeout(timer);
          resolve(performance.now() - t0);
        }
      });
      child.on("exit", (code) => reject(new Error(`main exited (${code}) before handling an update`)));
    });
    child.kill("SIGKILL");
    return elapsed;
  } finally {
    await standIn.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function p7(): Promise<Figure[]> {
  const size = productionInstall();
  const starts: number[] = [];
  for (let run = 0; run < 5; run++) starts.push(await startToFirstUpdate());
  return [
    { id: "P7_MB", what: "node_modules after npm ci --omit=dev", value: size.megabytes, unit: "MB", bar: "<= 150", detail: size.detail },
    {
      id: "P7_start_ms",
      what: "process start to the first handled update (npm start's entry, long polling)",
      value: round(median(starts), 0),
      unit: "ms",
      bar: "<= 1000",
      detail: `median of 5: ${starts.map((ms) => Math.round(ms)).join(", ")} ms`,
    },
  ];
}
