import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { demoUsage, parseDemoArgs } from "./demoCli.ts";
import { progressReporter } from "./demoProgress.ts";
import { runDemo } from "./runDemo.ts";

const entry = new URL("./demo.ts", import.meta.url).pathname;

/** `npm run demo`'s entry as a child process, its stdout and stderr piped (so stderr is no terminal). */
function demoProcess(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [entry, ...args], { stdio: ["ignore", "pipe", "pipe"], env: { PATH: process.env["PATH"] ?? "" } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => void (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => void (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const withoutTiming = (text: string): string => text.replace(/Done in [\d.]+ s/, "Done in … s");

describe("npm run demo's command line", () => {
  it("says in its help what the run does: the store's catalog, orders as actors, Stars and the owner's order handling", () => {
    for (const words of ["catalog is seeded from the sample shop", "orders as actors paid with\nTelegram Stars or on delivery", "Stars payments", "shipped, delivered and cancelled"]) expect(demoUsage).toContain(words);
    expect(demoUsage).not.toContain("the sample catalog");
  });

  it("reads --customers and --seed, and -h / --help", () => {
    expect(parseDemoArgs([])).toEqual({ kind: "run" });
    expect(parseDemoArgs(["--customers", "2000", "--seed=7"])).toEqual({ kind: "run", customers: 2000, seed: 7 });
    expect(parseDemoArgs(["--help"])).toEqual({ kind: "help" });
    expect(parseDemoArgs(["-h", "--customers", "3"])).toEqual({ kind: "help" });
  });

  it.each([
    [["--bogus"], "unknown option --bogus"],
    [["-x"], "unknown option -x"],
    [["--customers"], "--customers needs a value"],
    [["--customers", "--seed", "3"], "--customers needs a value"],
    [["--help=yes"], "--help takes no value"],
    [["50"], "unexpected argument 50; options start with --"],
    [["--customers", "0"], '--customers takes a whole number from 1, not "0"'],
    [["--customers", "1.5"], '--customers takes a whole number from 1, not "1.5"'],
    [["--customers", "1e3"], '--customers takes a whole number from 1, not "1e3"'],
    [["--customers", "many"], '--customers takes a whole number from 1, not "many"'],
    [["--seed=-1"], '--seed takes a whole number from 1, not "-1"'],
    [["--seed", "99999999999999999999"], '--seed takes a whole number from 1, not "99999999999999999999"'],
  ])("refuses %j with one line: %s", (args, message) => {
    expect(parseDemoArgs(args)).toEqual({ kind: "error", message });
  });

  it("--help prints the usage with every option and exits 0", async () => {
    const { code, stdout, stderr } = await demoProcess(["--help"]);
    expect(code).toBe(0);
    expect(stdout).toBe(demoUsage);
    for (const option of ["--customers <n>", "--seed <n>", "-h, --help"]) expect(stdout).toContain(option);
    expect(stderr).toBe("");
  });

  it("an unknown option gets one line and the usage on stderr, exit 2, and no stack", async () => {
    const { code, stdout, stderr } = await demoProcess(["--bogus"]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toBe(`npm run demo: unknown option --bogus\n\n${demoUsage}`);
    expect(stderr).not.toMatch(/^\s+at |ERR_PARSE_ARGS|TypeError/m);
  });

  it("shows progress on stderr while stdout stays the printout alone, the same as the run in process", async () => {
    const { code, stdout, stderr } = await demoProcess(["--customers", "6", "--seed", "3"]);
    expect(code).toBe(0);
    const inProcess = await runDemo({ customers: 6, seed: 3 });
    expect(withoutTiming(stdout)).toBe(withoutTiming(inProcess.output));
    expect(stdout).not.toContain("playing customers");
    // Not a terminal: whole lines, the first step and the last, no carriage returns.
    const lines = stderr.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^playing customers \[[█░]+\]\s+\d+ % · 1 of \d+ visits$/);
    expect(lines.at(-1)).toMatch(/^playing customers \[█+\] 100 % · (\d+) of \1 visits$/);
    expect(stderr).not.toContain("\r");
  });
});

describe("the demo's progress reporter", () => {
  it("on a terminal, redraws one bar in place at most every 100 ms, and clears it at the end", () => {
    let now = 0;
    let written = "";
    const progress = progressReporter({ write: (text) => void (written += text), isTTY: true, now: () => now });
    progress.update(1, 200);
    for (let done = 2; done < 200; done += 1) {
      now += 10;
      progress.update(done, 200);
    }
    progress.update(200, 200);
    progress.finish();
    const frames = written.split("\r").filter(Boolean);
    expect(frames[0]).toBe("playing customers [░░░░░░░░░░░░░░░░░░░░░░░░]   0 % · 1 of 200 visits");
    expect(frames).toHaveLength(1 + Math.floor(1980 / 100) + 1 + 1);
    expect(frames.at(-2)).toBe("playing customers [████████████████████████] 100 % · 200 of 200 visits");
    expect(frames.at(-1)).toBe("\x1b[2K");
    expect(written).not.toContain("\n");
  });

  it("elsewhere, writes a line at most every 5 s, always the last, and says where a run cut short stopped", () => {
    let now = 0;
    const lines: string[] = [];
    const progress = progressReporter({ write: (text) => void lines.push(text), isTTY: false, now: () => now });
    for (let done = 1; done <= 100; done += 1) {
      now += 200;
      progress.update(done, 100);
    }
    progress.finish();
    expect(lines).toHaveLength(1 + Math.floor((100 * 200 - 200) / 5_000) + 1);
    expect(lines.every((line) => line.endsWith(" visits\n") && !line.includes("\r"))).toBe(true);
    expect(lines.at(-1)).toBe("playing customers [████████████████████████] 100 % · 100 of 100 visits\n");

    const cut: string[] = [];
    const stopped = progressReporter({ write: (text) => void cut.push(text), isTTY: false, now: () => 0 });
    stopped.update(1, 10);
    stopped.update(4, 10);
    stopped.finish();
    expect(cut).toEqual(["playing customers [██░░░░░░░░░░░░░░░░░░░░░░]  10 % · 1 of 10 visits\n", "playing customers [██████████░░░░░░░░░░░░░░]  40 % · 4 of 10 visits\n"]);
  });
});
