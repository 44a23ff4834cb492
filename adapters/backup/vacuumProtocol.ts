/** What the main thread asks of vacuumWorker.ts. */
export interface VacuumRequest {
  /** Opened read-only: a backup never writes to the live store, nor a restore to the backup. */
  readonly source: string;
  /** The new file: it must not exist yet (VACUUM INTO refuses to overwrite). */
  readonly into: string;
}

/** What vacuumWorker.ts reports, in this order: copied, then checked; or failed at either step. */
export type VacuumReply =
  | { readonly type: "copied" }
  | { readonly type: "checked"; readonly problems: readonly string[] }
  | { readonly type: "failed"; readonly message: string; readonly code: number | null };
