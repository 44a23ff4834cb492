import { databaseUrlProblem } from "../postgres/databaseUrl.ts";

/** A refusal of `npm run migrate`: one line on stderr, no stack; its message never holds the target's password. */
export class MigrateRefused extends Error {
  override readonly name = "MigrateRefused";
}

/** `npm run migrate -- --help`. */
export const migrateUsage = `npm run migrate -- --from sqlite:<file> --to postgres://user:pass@host:5432/db

Copies a shop from a SQLite file to a PostgreSQL database: the target's schema is migrated first, the rows
are copied table by table in batches, and a second run after a crash or Ctrl-C continues where it stopped.
At the end the row counts are compared and a sample of customers is replayed from the copy.
For a consistent copy stop the bots first, or copy from a file written by npm run backup.

  --from <sqlite:file>   the SQLite store (DATABASE_PATH)
  --to <url>             the PostgreSQL URL (its password is never printed)
  --batch-rows <n>       rows per batch, each one transaction (default 2000)
  --help                 this text`;

/** What the command line asks for. */
export interface MigrateArgs {
  readonly help: boolean;
  /** The SQLite file, as given after `sqlite:`. */
  readonly from: string;
  readonly to: string;
  /** Rows per batch; undefined: the default. */
  readonly batchRows?: number;
}

function valueOf(argv: readonly string[], index: number, option: string): string {
  const value = argv[index + 1];
  if (value === undefined || value.startsWith("--")) throw new MigrateRefused(`${option} needs a value; npm run migrate -- --help says what it takes`);
  return value;
}

/** The command line of `npm run migrate`, or a refusal naming what is wrong with it (never repeating a URL's password). */
export function parseMigrateArgs(argv: readonly string[]): MigrateArgs {
  let from = "";
  let to = "";
  let batch = "";
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index] ?? "";
    const [name, inline] = arg.startsWith("--") && arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    if (name === "--help" || name === "-h") return { help: true, from: "", to: "" };
    if (name === "--from" || name === "--to" || name === "--batch-rows") {
      const value = inline ?? valueOf(argv, index, name);
      if (inline === undefined) index++;
      if (name === "--from") from = value;
      else if (name === "--to") to = value;
      else batch = value;
    } else if (arg.startsWith("-")) throw new MigrateRefused(`unknown option "${name.slice(0, 40)}"; npm run migrate -- --help says what it takes`);
    else throw new MigrateRefused(`unexpected argument (${arg.length} characters); name the source with --from and the target with --to`);
  }
  if (from === "") throw new MigrateRefused("name the SQLite store to copy: --from sqlite:<file>");
  if (to === "") throw new MigrateRefused("name the PostgreSQL database to copy to: --to postgres://user:pass@host:5432/db");
  if (!from.startsWith("sqlite:") || from.length === "sqlite:".length) throw new MigrateRefused(`--from must be sqlite:<file>, got "${from.slice(0, 60)}"`);
  const problem = databaseUrlProblem(to);
  if (problem !== undefined) throw new MigrateRefused(`--to must be a PostgreSQL URL: ${problem}`);
  if (batch !== "" && !/^[1-9][0-9]{0,5}$/.test(batch)) throw new MigrateRefused(`--batch-rows must be a whole number from 1 to 999999, got "${batch.slice(0, 20)}"`);
  return { help: false, from: from.slice("sqlite:".length), to, ...(batch === "" ? {} : { batchRows: Number(batch) }) };
}
