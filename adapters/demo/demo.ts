/**
 * `npm run demo [-- --customers 50 --seed 2026]`: the whole product offline, printed to the
 * terminal (see {@link runDemo}; `--help` says it all). A bad argument gets one line and the
 * usage, exit 2; the run exits 1 only when a bot logged an error.
 */
import { parseDemoArgs, demoUsage } from "./demoCli.ts";
import { progressReporter } from "./demoProgress.ts";

const command = parseDemoArgs(process.argv.slice(2));
if (command.kind === "help") {
  process.stdout.write(demoUsage);
} else if (command.kind === "error") {
  process.stderr.write(`npm run demo: ${command.message}\n\n${demoUsage}`);
  process.exitCode = 2;
} else {
  const progress = progressReporter({ write: (text) => process.stderr.write(text), isTTY: process.stderr.isTTY === true });
  try {
    // Loaded only to run, so that --help and a bad argument answer at once, whatever the product's state.
    const { runDemo } = await import("./runDemo.ts");
    const outcome = await runDemo({
      ...(command.customers !== undefined ? { customers: command.customers } : {}),
      ...(command.seed !== undefined ? { seed: command.seed } : {}),
      write: (text) => process.stdout.write(text),
      progress: (done, total) => {
        progress.update(done, total);
        if (done === total) progress.finish();
      },
    });
    process.exitCode = outcome.problems.some((problem) => problem.level === "error") ? 1 : 0;
  } catch (error) {
    progress.finish();
    process.stderr.write(`\nnpm run demo failed: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}\n`);
    process.exitCode = 1;
  }
}
