/**
 * The command behind `npm run backup` and `npm run restore`: progress goes to stderr, the summary
 * to stdout; a refusal or a failure is one line on stderr and exit code 1, never a stack.
 */
import { existsSync, rmSync } from "node:fs";
import { resolve } from "node:path";

/** Below this size a copy takes about a second, and shows no progress. */
const progressFromBytes = 32 * 1_048_576;

/** Runs `npm run <command>` with the process's arguments and environment, then exits. */
export async function backupMain(command: "backup" | "restore"): Promise<never> {
  const prefix = command === "backup" ? "Shop CRM cannot back up" : "Shop CRM cannot restore";
  const fail = (line: string): never => {
    process.stderr.write(`${line}\n`);
    process.exit(1);
  };
  try {
    const { loadConfig } = await import("../config.ts");
    const cli = await import("./backupCli.ts");
    const { BackupRefused } = await import("./backupErrors.ts");
    const { progressReporter } = await import("../demo/demoProgress.ts");
    try {
      const parsed = cli.parseBackupArgs(process.argv.slice(2), command);
      // npm runs scripts in the project's folder; a relative file name means the caller's folder, which npm keeps in INIT_CWD.
      const args = { ...parsed, file: parsed.file === "" ? "" : resolve(process.env["INIT_CWD"] ?? process.cwd(), parsed.file) };
      if (args.help) {
        process.stdout.write(`${command === "backup" ? cli.backupUsage : cli.restoreUsage}\n`);
        process.exit(0);
      }
      if (existsSync(".env")) process.loadEnvFile(".env");
      const loaded = loadConfig(process.env);
      if (!loaded.ok) return fail(`${prefix}: fix these settings (in the environment or .env): ${loaded.problems.join("; ")}`);
      const config = loaded.config;
      for (const signal of ["SIGINT", "SIGTERM"] as const) {
        process.once(signal, () => {
          for (const path of cli.unfinishedPaths(config, args, command)) rmSync(path, { recursive: true, force: true });
          fail(`${prefix}: stopped by ${signal}; nothing was replaced`);
        });
      }
      const label = command === "backup" ? "backing up" : "restoring";
      const reporter = progressReporter({ write: (text) => process.stderr.write(text), isTTY: process.stderr.isTTY === true, label, unit: "MB" });
      const megabytes = (bytes: number): number => Math.round(bytes / 104_857.6) / 10;
      // A small store copies in a blink: a bar would only add lines around the summary or a refusal.
      const progress = (written: number, total: number, phase: "copying" | "checking"): void => {
        if (total < progressFromBytes) return;
        if (phase === "copying") reporter.update(megabytes(written), megabytes(total));
        else {
          reporter.finish();
          process.stderr.write("checking the copy with PRAGMA integrity_check (about twice as long as the copy)\n");
        }
      };
      const summary = await (command === "backup" ? cli.runBackup(config, args, progress) : cli.runRestore(config, args, progress));
      reporter.finish();
      process.stdout.write(`${summary}\n`);
      return process.exit(0);
    } catch (error) {
      if (error instanceof BackupRefused) fail(`${prefix}: ${error.message}`);
      throw error;
    }
  } catch (error) {
    const text = error instanceof Error ? `${error.name}: ${error.message.split("\n")[0] ?? ""}` : String(error);
    return fail(`${prefix}: ${text.slice(0, 300)}`);
  }
}
