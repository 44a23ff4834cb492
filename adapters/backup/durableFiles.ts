import { accessSync, closeSync, constants, existsSync, fsyncSync, openSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { BackupRefused } from "./backupErrors.ts";

/** Writes a file's data to the disk, so that a rename after it never publishes a file the kernel still holds in memory. */
export function fsyncFile(path: string): void {
  const fd = openSync(path, "r+");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Writes a folder's entries to the disk, so that a rename in it survives a power cut. */
export function fsyncDir(path: string): void {
  const fd = openSync(path, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** `2026-11-30T08-15-04Z`: a moment for a file name (no colons, which some systems refuse). */
export const fileStamp = (at: Date): string => at.toISOString().replace(/\.\d{3}Z$/, "Z").replaceAll(":", "-");

/**
 * Refuses a target the copy cannot be written to: its folder missing or not a folder or not
 * writable, or the target there already (unless `force`). `what` names it in the refusal.
 */
export function checkTarget(target: string, force: boolean, what: string): void {
  const dir = dirname(resolve(target));
  if (!existsSync(dir)) throw new BackupRefused(`${what}: the folder ${dir} does not exist; create it first`);
  if (!statSync(dir).isDirectory()) throw new BackupRefused(`${what}: ${dir} is not a folder`);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new BackupRefused(`${what}: the folder ${dir} is not writable by this user`);
  }
  if (existsSync(target) && !force) throw new BackupRefused(`${what}: ${target} already exists; choose another name, or add --force to replace it`);
}
