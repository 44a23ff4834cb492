/**
 * `npm run demo`'s command line: its help, and its arguments read into options or into one line
 * that says what is wrong. Pure, so every bad input has a test without starting the demo.
 */
import { parseArgs } from "node:util";

/** What `npm run demo -- --help` prints. */
export const demoUsage = `Usage: npm run demo -- [--customers <n>] [--seed <n>]

Plays simulated customers through both bots, offline, composed as npm start composes them: a
local Bot API stand-in (which also plays Telegram's Stars payments), a temporary SQLite file
(deleted at the end) whose catalog is seeded from the sample shop, orders as actors paid with
Telegram Stars or on delivery, and a local AI stand-in. No tokens, no network. Then it prints
what the owner sees in the CRM bot: the funnel, recent leads, a client card, its history, the AI
summary, the orders by status once the owner has shipped, delivered and cancelled some, one
order's card with its history, and the daily report.

Options:
  --customers <n>  how many customers come, a whole number from 1 (default 50). Past a few
                   hundred they no longer fit in one day, and the printout says how many days.
  --seed <n>       the random seed, a whole number from 1 (default 2026): the same seed and
                   count play the same customers and print the same screens.
  -h, --help       print this help and exit.

While the customers play, progress goes to stderr (a bar on a terminal, a line every few
seconds otherwise); stdout gets only the printout.
`;

/** What the command line asks for. */
export type DemoCommand =
  | { readonly kind: "run"; readonly customers?: number; readonly seed?: number }
  | { readonly kind: "help" }
  | { readonly kind: "error"; readonly message: string };

const errorCode = (error: unknown): string => (error instanceof Error && "code" in error && typeof error.code === "string" ? error.code : "");

/** The one line a parseArgs refusal becomes (its own messages run to several sentences). */
function refusal(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const quoted = /'([^']+)'/.exec(message)?.[1] ?? "";
  switch (errorCode(error)) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `unknown option ${quoted}`;
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      if (message.includes("does not take an argument")) return `${quoted.split(", ").at(-1) ?? quoted} takes no value`;
      return `${quoted.split(" ")[0] ?? quoted} needs a value`;
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return `unexpected argument ${quoted}; options start with --`;
    default:
      return message.split("\n")[0] ?? message;
  }
}

function wholeNumber(text: string | undefined, name: string): number | string | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  return /^\s*\d+\s*$/.test(text) && Number.isSafeInteger(value) && value >= 1 ? value : `--${name} takes a whole number from 1, not ${JSON.stringify(text)}`;
}

/** Reads `npm run demo`'s arguments (without `node` and the script). */
export function parseDemoArgs(args: readonly string[]): DemoCommand {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: { customers: { type: "string" }, seed: { type: "string" }, help: { type: "boolean", short: "h" } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    if (!errorCode(error).startsWith("ERR_PARSE_ARGS")) throw error;
    return { kind: "error", message: refusal(error) };
  }
  if (values.help) return { kind: "help" };
  const customers = wholeNumber(values.customers, "customers");
  const seed = wholeNumber(values.seed, "seed");
  if (typeof customers === "string") return { kind: "error", message: customers };
  if (typeof seed === "string") return { kind: "error", message: seed };
  return { kind: "run", ...(customers !== undefined ? { customers } : {}), ...(seed !== undefined ? { seed } : {}) };
}
