import { parseArgs } from "node:util";

/** What `npm run inspect` was asked to do. */
export interface InspectOptions {
  /** The real bots (`npm start`'s configuration) instead of the demo's simulated day. */
  readonly live: boolean;
  /** End after the demo's day instead of keeping the inspector up (tests, CI). */
  readonly exit: boolean;
  /** Only these customers; null: everyone. */
  readonly users: ReadonlySet<number> | null;
  readonly port: number;
  readonly open: boolean;
  /** Show names, phones, addresses and texts in live mode too (the demo's people are made up). */
  readonly showPersonal: boolean;
  /** With `live`, let the terminal send events to real customers (the demo's can always be poked). */
  readonly poke: boolean;
  readonly customers: number;
  readonly seed: number;
}

/** Printed with a bad option, so the fix is on screen. */
export const inspectUsage = `npm run inspect -- [--live] [--user 501 ...] [--port 8080] [--open] [--exit] [--customers 50] [--seed 2026] [--show-personal] [--poke]
  --live           the real bots, configured as for npm start, instead of the demo's simulated day
  --user <id>      only this customer (repeat, or a comma list; or INSPECT_USERS=501,502)
  --port <n>       the inspector relay's port (or INSPECT_PORT; default 8080)
  --open           open the inspector page in the default browser
  --exit           end after the demo's day instead of keeping the inspector up
  --customers <n>  customers in the demo's day (default 50); --seed <n> another day (default 2026)
  --show-personal  with --live, show names, phones, addresses and texts (hidden by default)
  --poke           with --live, let the terminal send events to real customers (always on for the demo)`;

const wholeNumber = (text: string, name: string, min: number, max: number): number => {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < min || value > max) throw new Error(`${name} takes a whole number from ${min} to ${max}, not "${text}"`);
  return value;
};

/**
 * Reads the command line and the environment (`INSPECT_USERS`, `INSPECT_PORT`); a bad value is a
 * one-line problem naming it, with nothing started.
 */
export function inspectOptions(argv: readonly string[], env: NodeJS.ProcessEnv): { ok: true; options: InspectOptions } | { ok: false; problem: string } {
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        live: { type: "boolean", default: false },
        exit: { type: "boolean", default: false },
        user: { type: "string", multiple: true },
        port: { type: "string" },
        open: { type: "boolean", default: false },
        "show-personal": { type: "boolean", default: false },
        poke: { type: "boolean", default: false },
        customers: { type: "string" },
        seed: { type: "string" },
      },
    });
    const listed = [...(values.user ?? []), ...(values.user ? [] : [env["INSPECT_USERS"] ?? ""])]
      .flatMap((list) => list.split(","))
      .map((id) => id.trim())
      .filter((id) => id !== "");
    const users = listed.map((id) => wholeNumber(id, "--user (or INSPECT_USERS)", 1, Number.MAX_SAFE_INTEGER));
    return {
      ok: true,
      options: {
        live: values.live,
        exit: values.exit,
        users: users.length > 0 ? new Set(users) : null,
        port: wholeNumber(values.port ?? env["INSPECT_PORT"] ?? "8080", "--port (or INSPECT_PORT)", 1, 65_535),
        open: values.open,
        showPersonal: values["show-personal"],
        poke: values.poke,
        customers: wholeNumber(values.customers ?? "50", "--customers", 1, 10_000),
        seed: wholeNumber(values.seed ?? "2026", "--seed", 0, 2 ** 32 - 1),
      },
    };
  } catch (error) {
    return { ok: false, problem: error instanceof Error ? error.message : String(error) };
  }
}
