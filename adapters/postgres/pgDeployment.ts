import pg from "pg";
import type { ChangeTopic, Deployment } from "../../actors/deployment.port.ts";

/** The channel every process of a deployment listens on; a notification's payload is `<topic> <origin>`. */
export const changesChannel = "crm_changes";

/** A deployment connection's `application_name` is this and the process's name in claims. */
export const deploymentAppPrefix = "shop-crm ";

/**
 * Whether `owner` can name a process in `application_name` whole (63 bytes, printable ASCII): a
 * name cut short would make the process look dead to the others, who would take its claims.
 */
export function claimOwnerProblem(owner: string): string | null {
  if (!/^[\x21-\x7e]+$/.test(owner)) return `a process's name in claims must be printable ASCII without spaces, not ${JSON.stringify(owner)}`;
  if (deploymentAppPrefix.length + owner.length > 63) return `a process's name in claims must be at most ${63 - deploymentAppPrefix.length} characters, not ${owner.length}`;
  return null;
}

/** The session-level advisory lock the leader holds: two-int key space, beside the exclusive store's [15, 10]. */
export const leaderLockKey = [15, 20] as const;

const topics: readonly ChangeTopic[] = ["catalog", "campaigns"];

export interface PgDeploymentOptions {
  readonly url: string;
  /** This process's name in claims ({@link claimOwnerProblem}): its connection is named after it. */
  readonly owner: string;
  /** This store's name: a notification's payload is `<topic> <origin>`, and a process skips its own. */
  readonly origin: string;
  /** How often a process that does not lead tries the leader's lock again (default 2 s). */
  readonly retryMs?: number;
}

/** A deployment on PostgreSQL, with `close` for the store that opened it. */
export type PgDeployment = Deployment & { close(): Promise<void> };

/**
 * The processes of one PostgreSQL deployment, seen from one of them: a connection of its own that
 * LISTENs for the others' changes and, once `contend` is called, tries the leader's advisory lock
 * every `retryMs` until it holds it. The lock is the connection's, so a leader that dies (SIGKILL
 * included) frees it at once and the next try of another process takes it over. A connection that
 * ends while the process leads or listens resolves `lost`: the process may no longer act as leader
 * nor trust what it keeps in memory, so it stops and its supervisor starts it again.
 */
export async function openPgDeployment(options: PgDeploymentOptions): Promise<PgDeployment> {
  // Named after the process: an operator sees it in pg_stat_activity, and the others know by it that the process lives (claimableBy).
  const client = new pg.Client({ connectionString: options.url, application_name: `${deploymentAppPrefix}${options.owner}` });
  let closing = false;
  let lose: (reason: string) => void = () => undefined;
  const lost = new Promise<string>((resolve) => (lose = resolve));
  const ended = (reason: string): void => {
    if (!closing) lose(reason);
  };
  client.on("error", (error) => ended(`the connection to PostgreSQL that elects the leader ended: ${error.message}`));
  client.on("end", () => ended("the connection to PostgreSQL that elects the leader ended"));
  await client.connect();
  await client.query(`LISTEN ${changesChannel}`);
  const listeners = new Map<ChangeTopic, (() => void)[]>();
  client.on("notification", (message) => {
    const [said, from] = (message.payload ?? "").split(" ");
    const topic = topics.find((known) => known === said);
    // This process's own changes are in its memory already.
    if (from === options.origin) return;
    for (const listener of (topic && listeners.get(topic)) || []) listener();
  });
  let leader = false;
  let retry: ReturnType<typeof setTimeout> | null = null;
  const tryLead = async (onLeading: () => void): Promise<void> => {
    retry = null;
    if (closing) return;
    const held = await client.query("SELECT pg_try_advisory_lock($1, $2) AS held", [...leaderLockKey]).then(
      (result) => result.rows[0]?.["held"] === true,
      () => false,
    );
    if (closing) return;
    if (held) {
      leader = true;
      onLeading();
    } else retry = setTimeout(() => void tryLead(onLeading), options.retryMs ?? 2_000);
  };
  return {
    kind: "shared",
    contend: (onLeading) => void tryLead(onLeading),
    leading: () => leader,
    onChange(topic, listener) {
      listeners.set(topic, [...(listeners.get(topic) ?? []), listener]);
    },
    async announce(topic) {
      await client.query("SELECT pg_notify($1, $2)", [changesChannel, `${topic} ${options.origin}`]);
    },
    lost,
    async close() {
      closing = true;
      if (retry) clearTimeout(retry);
      leader = false;
      listeners.clear();
      await client.end().catch(() => undefined);
    },
  };
}
