/**
 * `npm run inspect [-- --live] [--user 501]`: the customer actors, their timers and effects, and the
 * bots' chat flows in the Stately inspector; on a terminal, each line typed afterwards pokes a
 * customer (`501 catalog_view`). See {@link runInspect} and docs/inspect.md.
 */
import { createInterface } from "node:readline/promises";
import { inspectOptions, inspectUsage } from "./inspectOptions.ts";
import { pokeUsage } from "./pokeCommand.ts";
import { runInspect } from "./runInspect.ts";

const parsed = inspectOptions(process.argv.slice(2), process.env);
if (!parsed.ok) {
  process.stderr.write(`${parsed.problem}\n\n${inspectUsage}\n`);
  process.exit(2);
}
const options = parsed.options;

/** On a terminal, the day waits for Enter, so the page is open before the relay's 200-event memory fills. */
async function enter(): Promise<void> {
  const prompt = createInterface({ input: process.stdin, output: process.stdout });
  await prompt.question("Open the page, then press Enter to start the day. ");
  prompt.close();
}

let session;
try {
  session = await runInspect(options, {
    write: (text) => process.stdout.write(text),
    ...(process.stdin.isTTY && !options.exit && !options.live ? { ready: enter } : {}),
  });
} catch (error) {
  process.stderr.write(`npm run inspect: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}

const running = session;
if (options.exit && !options.live) {
  await running.stop();
  process.exit(0);
}
process.stdout.write(`The inspector stays up at ${running.url}; Ctrl-C to stop.\n`);
if (process.stdin.isTTY) {
  process.stdout.write(`To ${pokeUsage}\n`);
  const lines = createInterface({ input: process.stdin, terminal: false });
  lines.on("line", (line) => {
    void running.poke(line).then((answer) => {
      if (answer !== null) process.stdout.write(`${answer}\n`);
    });
  });
}
let stopping = false;
const shutdown = async (): Promise<void> => {
  if (stopping) process.exit(1);
  stopping = true;
  await running.stop();
  process.exit(0);
};
process.on("SIGINT", () => void shutdown());
process.on("SIGTERM", () => void shutdown());
