/** A rebuild that must not run, said in one line for the person at the terminal (no stack). */
export class RebuildRefused extends Error {
  override readonly name = "RebuildRefused";
}

/** What a finished rebuild did, for the last line it prints and for tests. */
export interface RebuildResult {
  /** Customers whose log was replayed. */
  readonly customers: number;
  /** Events replayed (emitted facts included, as they are in the log). */
  readonly events: number;
  /** Customers whose stored state differed from the replay, kept in the shadow table. */
  readonly differing: number;
  /** Of those, the ones switched. */
  readonly switched: number;
  /** Of those, the ones that acted while the rebuild ran: the live process already wrote them with the current machine. */
  readonly actedMeanwhile: number;
}

/** Hooks a test (or the bench) uses to act between the phases; each may pause the rebuild. */
export interface RebuildHooks {
  /** After each batch of the replay has been written to the shadow table. */
  readonly afterBatch?: (done: number, total: number) => void | Promise<void>;
  /** After the replay, before the switch's transaction begins. */
  readonly beforeSwitch?: () => void | Promise<void>;
  /** Inside the switch's transaction, after each customer switched (synchronous: the transaction is open). */
  readonly duringSwitch?: (switched: number) => void;
}
