/**
 * `npm run migrate -- --from sqlite:<file> --to postgres://…`: copies a shop from SQLite to PostgreSQL. Progress
 * goes to stderr, the summary to stdout; a refusal or a failure is one line on stderr and exit code 1, never a
 * stack, and never the target's password.
 */
import { resolve } from "node:path";

const prefix = "Shop CRM cannot migrate";

function fail(line: string): never {
  process.stderr.write(`${line}\n`);
  process.exit(1);
}

async function main(): Promise<never> {
  const argv = process.argv.slice(2);
  const toIndex = argv.findIndex((arg) => arg === "--to" || arg.startsWith("--to="));
  const rawTo = toIndex < 0 ? "" : (argv[toIndex]?.startsWith("--to=") ? argv[toIndex].slice(5) : argv[toIndex + 1] ?? "");
  const { redacted } = await import("./migrateShop.ts");
  try {
    const { parseMigrateArgs, migrateUsage, MigrateRefused } = await import("./migrateArgs.ts");
    const { CopyDiffers } = await import("./verifyCopy.ts");
    const { progressReporter } = await import("../demo/demoProgress.ts");
    const { migrateShop } = await import("./migrateShop.ts");
    try {
      const args = parseMigrateArgs(argv);
      if (args.help) {
        process.stdout.write(`${migrateUsage}\n`);
        return process.exit(0);
      }
      // npm runs scripts in the project's folder; a relative file name means the caller's folder, which npm keeps in INIT_CWD.
      const from = resolve(process.env["INIT_CWD"] ?? process.cwd(), args.from);
      for (const signal of ["SIGINT", "SIGTERM"] as const) {
        process.once(signal, () => fail(`${prefix}: stopped by ${signal}; run the same command again to continue where it stopped`));
      }
      const reporter = progressReporter({ write: (text) => process.stderr.write(text), isTTY: process.stderr.isTTY === true, label: "copying the shop", unit: "rows" });
      const verified = await migrateShop({ from, to: args.to, progress: (done, total) => reporter.update(done, total), ...(args.batchRows === undefined ? {} : { batchRows: args.batchRows }) });
      reporter.finish();
      const rows = [...verified.counts.values()].reduce((sum, n) => sum + n, 0);
      process.stdout.write(`copied ${from} to PostgreSQL: ${rows} rows in ${verified.counts.size} tables, counts equal; ${verified.replayed} customers replayed from the copy equal their snapshots\n`);
      return process.exit(0);
    } catch (error) {
      if (error instanceof MigrateRefused) fail(`${prefix}: ${error.message}`);
      if (error instanceof CopyDiffers) fail(`${prefix}: the copy differs from the source: ${error.message}`);
      throw error;
    }
  } catch (error) {
    const name = error instanceof Error ? error.name : "Error";
    return fail(`${prefix}: ${name}: ${rawTo === "" ? String(error instanceof Error ? error.message : error).split("\n")[0] : redacted(error, rawTo)}`);
  }
}

await main();
