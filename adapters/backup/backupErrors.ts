/** A backup or a restore that must not run, said in one line for the person at the terminal (no stack). */
export class BackupRefused extends Error {
  override readonly name = "BackupRefused";
}

/** The SQLite result code a node:sqlite error carries, if any. */
export const sqliteCodeOf = (error: unknown): number | undefined =>
  error instanceof Error && "errcode" in error && typeof error.errcode === "number" ? error.errcode : undefined;

/** An error's first line, without a stack, for a refusal that names what failed. */
export function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return (text.split("\n")[0] ?? "").slice(0, 300);
}
