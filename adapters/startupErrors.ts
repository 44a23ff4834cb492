/**
 * Why `npm start` stops before serving, as lines a person can act on. The README promises that a
 * bad setting gets one line naming it, never a stack: errors from opening a store are recognised
 * here by their code (an errno such as EROFS, or SQLite's result code) and named after the setting.
 */
import { accessSync, constants, existsSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { StoreInUseError } from "./processLock.ts";

/** Why the product cannot start, as lines a person can act on; never holds a secret. */
export class StartupError extends Error {
  override readonly name = "StartupError";
  readonly lines: readonly string[];

  constructor(lines: readonly string[]) {
    super(lines.join("\n"));
    this.lines = lines;
  }
}

/** Start-up was ended by a stop signal; everything it had opened is closed again. */
export class StartupAborted extends Error {
  override readonly name = "StartupAborted";

  constructor() {
    super("start-up stopped by a signal");
  }
}

const errnoOf = (error: unknown): string | undefined =>
  error instanceof Error && "code" in error && typeof error.code === "string" && /^E[A-Z]+$/.test(error.code) ? error.code : undefined;

/** SQLite's primary result code of a node:sqlite error (`errcode` holds the extended one). */
const sqliteCodeOf = (error: unknown): number | undefined =>
  error instanceof Error && "errcode" in error && typeof error.errcode === "number" ? error.errcode & 0xff : undefined;

/** The error's name and the first line of its message, for the one line that reports it. */
export function oneLine(error: unknown): string {
  if (!(error instanceof Error)) return String(error).split("\n")[0]?.slice(0, 300) ?? "";
  return `${error.name}: ${error.message.split("\n")[0]?.slice(0, 300) ?? ""}`;
}

/** The nearest part of `path` that exists and is not a folder, when there is one. */
function fileInTheWay(path: string): string | undefined {
  for (let part = path; ; part = dirname(part)) {
    try {
      if (!statSync(part).isDirectory()) return part;
    } catch {
      // Not there (yet): look at its parent.
    }
    if (dirname(part) === part) return undefined;
  }
}

/** The nearest part of `path` that exists. */
function nearestExisting(path: string): string | undefined {
  for (let part = path; ; part = dirname(part)) {
    if (existsSync(part)) return part;
    if (dirname(part) === part) return undefined;
  }
}

/** Why `folder` cannot be written to, as an errno code, when it cannot be. */
function unwritable(folder: string): string | undefined {
  try {
    accessSync(folder, constants.W_OK);
    return undefined;
  } catch (error) {
    return errnoOf(error);
  }
}

type StoreSetting = "DATABASE_PATH" | "JSON_STORE_DIR";

function errnoLine(code: string, setting: StoreSetting, path: string, folder: string): string | undefined {
  switch (code) {
    case "EROFS":
      return `${setting}: ${folder} is on a read-only file system, so the store cannot be written; point ${setting} at a writable place (or mount that volume read-write).`;
    case "EACCES":
    case "EPERM":
      return `${setting}: this user may not write in ${folder}; give it write access, or point ${setting} at a folder it owns.`;
    case "ENOTDIR":
    case "EEXIST": {
      const file = fileInTheWay(setting === "JSON_STORE_DIR" ? path : folder) ?? folder;
      return `${setting}: ${file} is not a folder, so ${path} cannot be made there; point ${setting} at a path under a folder.`;
    }
    case "ENOSPC":
      return `${setting}: the disk holding ${folder} is full; free some space and start again.`;
    case "ENOENT": {
      // A folder that could not be made: say why its nearest existing parent refused it.
      const parent = nearestExisting(folder);
      const denied = parent ? unwritable(parent) : undefined;
      return denied ? errnoLine(denied, setting, path, parent ?? folder) : `${setting}: the folder ${folder} cannot be made there; check the path.`;
    }
    default:
      return undefined;
  }
}

function sqliteLine(code: number, setting: StoreSetting, path: string, folder: string, error: unknown): string | undefined {
  switch (code) {
    case 26:
      return `${setting}: ${path} is not a SQLite database ("file is not a database"); point ${setting} at a new file or at a Shop CRM database.`;
    case 11:
      return `${setting}: ${path} is damaged ("database disk image is malformed"); restore it from a backup, or point ${setting} at a new file.`;
    case 5:
      return `${setting}: ${path} is locked by another program ("database is locked"), such as an sqlite3 shell or a backup; close it and start again.`;
    case 8:
    case 14: {
      const denied = unwritable(folder);
      const line = denied ? errnoLine(denied, setting, path, folder) : undefined;
      return line ?? `${setting}: ${path} cannot be opened (${oneLine(error)}); check that its folder exists and is writable.`;
    }
    default:
      return undefined;
  }
}

/**
 * The one line for an error from opening the store at `path` (the value of `setting`): the store
 * in use by another process, a read-only or full disk, a file where a folder should be, a file
 * that is not a database; anything else is named with its error's name and message.
 */
export function storeOpenError(error: unknown, setting: StoreSetting, path: string): StartupError {
  const folder = setting === "JSON_STORE_DIR" ? path : dirname(path);
  if (error instanceof StoreInUseError) {
    return new StartupError([`${setting}: ${path} is in use by another Shop CRM process (it holds the lock ${error.path}); stop that process first, or point ${setting} elsewhere.`]);
  }
  const errno = errnoOf(error);
  const sqlite = sqliteCodeOf(error);
  const line = (errno ? errnoLine(errno, setting, path, folder) : undefined) ?? (sqlite !== undefined ? sqliteLine(sqlite, setting, path, folder, error) : undefined);
  return new StartupError([line ?? `${setting}: the store at ${path} cannot be opened: ${oneLine(error)}`]);
}
