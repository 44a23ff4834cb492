/**
 * The vocabulary of the owner importing a catalog file in the owner bot: where the file is, what
 * its import would do, and how applying it went. Plain JSON and bounded: it lives in the owner's
 * grammY session, so the file itself is not kept (only Telegram's id for it).
 */

/** What is imported: a document the owner sent (Telegram's file_id and its name), or `CATALOG_PATH`. */
export type ImportSource = { readonly kind: "file"; readonly fileId: string; readonly name: string } | { readonly kind: "seed" };

/** What an import would do, as the owner is shown it. `newCategoryIds` holds the first few only. */
export interface ImportCounts {
  readonly newProducts: number;
  readonly changedProducts: number;
  readonly hiddenProducts: number;
  readonly shownProducts: number;
  readonly unchangedProducts: number;
  readonly newCategories: number;
  readonly newCategoryIds: readonly string[];
  readonly changedCategories: number;
}

/** Why applying did not happen: the file is gone or now refused (`refused`), or the store failed. */
export type ApplyFailure = "refused" | "unavailable" | "store";

export interface CatalogImportContext {
  /** The previewed import; null when idle. */
  readonly source: ImportSource | null;
  readonly counts: ImportCounts | null;
  /** True when the catalog changed since the owner saw the preview, and `counts` is the new one. */
  readonly changed: boolean;
  readonly error: ApplyFailure | null;
  /** What the last applied import did, for the bot to show; null before one. */
  readonly applied: ImportCounts | null;
}

export type CatalogImportEvent =
  /** The bot read and checked a file and shows its preview; a preview already shown is replaced. */
  | { readonly type: "PREVIEWED"; readonly source: ImportSource; readonly counts: ImportCounts }
  | { readonly type: "CONFIRM" }
  | { readonly type: "CANCEL" }
  /** The bot's answers to `applyImport`. */
  | { readonly type: "APPLIED"; readonly counts: ImportCounts }
  | { readonly type: "CHANGED"; readonly counts: ImportCounts }
  | { readonly type: "FAILED"; readonly reason: ApplyFailure };

export interface CatalogImportActionParams {
  /**
   * Read the source again, plan it against the catalog as it is inside one unit of work, and apply
   * every edit there only if the plan is what the owner saw (`counts`): `APPLIED`; otherwise
   * nothing is applied: `CHANGED` with the new counts, or `FAILED`.
   */
  applyImport: { readonly source: ImportSource | null; readonly counts: ImportCounts | null };
}
