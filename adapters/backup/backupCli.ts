import { resolve } from "node:path";
import { migrations } from "../sqlite/sqliteSchema.ts";
import type { AppConfig } from "../config.ts";
import { BackupRefused } from "./backupErrors.ts";
import { backupJson, restoreJson } from "./jsonBackup.ts";
import { backupSqlite, partialPathOf } from "./sqliteBackup.ts";
import { restoreSqlite } from "./sqliteRestore.ts";
import type { CopyProgress } from "./sqliteCopy.ts";

/** `npm run backup -- --help`: what it does on each store, since each store is backed up its own way. */
export const backupUsage = `npm run backup -- <file> [--force]

SQLite (STORE=sqlite, the default): writes a consistent copy of DATABASE_PATH to <file> while npm start
serves (VACUUM INTO: the database as of one moment, checked with PRAGMA integrity_check, fsync'd).
JSON store: copies JSON_STORE_DIR into the folder <file>, only while npm start is stopped.
PostgreSQL: use pg_dump (README, Back up).

  --force   replace <file> if it exists
  --help    this text`;

/** `npm run restore -- --help`. */
export const restoreUsage = `npm run restore -- <file>

Puts the backup <file> in place of DATABASE_PATH (or the backup folder in place of JSON_STORE_DIR) while
npm start is stopped. The previous store is kept beside it as <name>.before-restore-<time>. A backup of an
older schema is fine: npm start migrates it. PostgreSQL: use pg_restore (README, Back up).

  --help    this text`;

/** What the command line asks for. */
export interface BackupArgs {
  readonly help: boolean;
  /** The backup file (or folder, for the JSON store); empty with --help. */
  readonly file: string;
  readonly force: boolean;
}

/** The command line of `backup` (`--force` allowed) or `restore`, or a refusal naming what is wrong with it. */
export function parseBackupArgs(argv: readonly string[], command: "backup" | "restore"): BackupArgs {
  let help = false;
  let force = false;
  const files: string[] = [];
  for (const arg of argv) {
    if (arg === "--help" || arg === "-h") help = true;
    else if (arg === "--force" && command === "backup") force = true;
    else if (arg.startsWith("-")) throw new BackupRefused(`unknown option "${arg.slice(0, 40)}"; npm run ${command} -- --help says what it takes`);
    else files.push(arg);
  }
  if (help) return { help, file: "", force };
  if (files.length === 0) throw new BackupRefused(`name the backup file: npm run ${command} -- <file>`);
  if (files.length > 1) throw new BackupRefused(`one backup file at a time, got ${files.length}: ${files.map((file) => `"${file.slice(0, 40)}"`).join(", ")}`);
  return { help, file: files[0] ?? "", force };
}

const megabytes = (bytes: number): string => (bytes / 1_048_576).toFixed(1);

function refusePostgres(config: AppConfig, command: "backup" | "restore"): never {
  const tool = command === "backup" ? "pg_dump" : "pg_restore";
  throw new BackupRefused(`STORE=${String(config.STORE)}: npm run ${command} handles SQLite and the JSON store; for PostgreSQL use ${tool} (README, Back up)`);
}

/** What the command writes before it is finished, to remove when it is stopped (Ctrl-C, SIGTERM) mid-way. */
export function unfinishedPaths(config: AppConfig, args: BackupArgs, command: "backup" | "restore"): string[] {
  if (command === "backup") return [partialPathOf(args.file)];
  return [`${resolve(config.DATABASE_PATH)}.restore-${process.pid}`, `${resolve(config.JSON_STORE_DIR)}.restore-${process.pid}`];
}

/** Runs the backup of the configured store; returns its summary line. */
export async function runBackup(config: AppConfig, args: BackupArgs, progress: CopyProgress): Promise<string> {
  if (config.STORE === "json") {
    const copy = await backupJson({ dir: config.JSON_STORE_DIR, target: args.file, force: args.force });
    return `backed up the JSON store ${config.JSON_STORE_DIR} to the folder ${args.file}: ${copy.customers} customers in ${copy.files} files`;
  }
  if (config.STORE !== "sqlite") refusePostgres(config, "backup");
  const result = await backupSqlite({ source: config.DATABASE_PATH, target: args.file, force: args.force, progress });
  return `backed up ${config.DATABASE_PATH} to ${result.target}: ${result.customers} customers, ${result.events} events, schema version ${result.schemaVersion}, ${megabytes(result.bytes)} MB, integrity_check ok`;
}

/** Runs the restore into the configured store; returns its summary line. */
export async function runRestore(config: AppConfig, args: BackupArgs, progress: CopyProgress): Promise<string> {
  if (config.STORE === "json") {
    const copy = await restoreJson({ backup: args.file, dir: config.JSON_STORE_DIR });
    const kept = copy.keptAs === null ? "there was no store before" : `the previous store is kept as ${copy.keptAs}`;
    return `restored the JSON store ${args.file} to ${config.JSON_STORE_DIR}: ${copy.customers} customers in ${copy.files} files; ${kept}`;
  }
  if (config.STORE !== "sqlite") refusePostgres(config, "restore");
  const result = await restoreSqlite({ backup: args.file, path: config.DATABASE_PATH, progress });
  const migrates = result.schemaVersion < migrations.length ? `; npm start migrates it to version ${migrations.length}` : "";
  const kept = result.keptAs === null ? "there was no database before" : `the previous database is kept as ${result.keptAs}`;
  return `restored ${args.file} to ${result.path}: ${result.customers} customers, ${result.events} events, schema version ${result.schemaVersion}${migrates}; ${kept}`;
}
