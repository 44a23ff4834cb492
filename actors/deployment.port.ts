/**
 * How the processes of one deployment share a store. SQLite and JSON are one process each (a lock
 * forbids a second), so that process leads and hears only itself. On PostgreSQL several processes
 * serve one shop: one of them, the leader (chosen by an advisory lock), runs what must happen once
 * for the whole deployment (the owner bot, the owner's clocks, broadcasts, the Sheets mirror, long
 * polling), and each hears the others' changes to what it keeps in memory (the catalog, the owner's
 * campaign settings).
 */

/** Something a process keeps in memory that another process of the deployment changed. */
export type ChangeTopic = "catalog" | "campaigns";

export interface Deployment {
  /** "single": one process per store; "shared": PostgreSQL, several processes. */
  readonly kind: "single" | "shared";
  /**
   * Starts contending for the leadership: `onLeading` is called once, when this process becomes the
   * leader (at once for a single process). Until then the process serves what any process may.
   */
  contend(onLeading: () => void): void;
  /** Whether this process leads the deployment now. */
  leading(): boolean;
  /** Calls `listener` when another process of the deployment announced a change of `topic`. */
  onChange(topic: ChangeTopic, listener: () => void): void;
  /** Tells every process of the deployment that `topic` changed (after the change is committed). */
  announce(topic: ChangeTopic): Promise<void>;
  /**
   * Resolves with a reason once the process can no longer trust what it leads or hears (its link to
   * the database ended): `npm start` then stops and exits 1, and its supervisor starts it again.
   */
  readonly lost: Promise<string>;
}

/** The deployment of a store one process owns: it leads from the start and hears only itself. */
export function singleProcessDeployment(): Deployment {
  let leader = false;
  return {
    kind: "single",
    contend(onLeading) {
      leader = true;
      onLeading();
    },
    leading: () => leader,
    onChange() {},
    // No other process hears it.
    async announce() {},
    lost: new Promise<string>(() => undefined),
  };
}

/** The deployment a store belongs to: its own when it has one (PostgreSQL), a single process otherwise. */
export function deploymentOf(store: object): Deployment {
  const own = (store as { readonly deployment?: Deployment }).deployment;
  return own ?? singleProcessDeployment();
}
