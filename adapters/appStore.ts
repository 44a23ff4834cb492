/**
 * The store `npm start` opens: SQLite, the JSON store or PostgreSQL, from the config. A store that
 * cannot be opened is one line naming its setting (DATABASE_PATH, JSON_STORE_DIR, DATABASE_URL),
 * never a stack or a password. Kept out of app.ts, which composes everything else.
 */
import { Option, Redacted } from "effect";
import type { Logger } from "../actors/log.port.ts";
import type { CrmStore } from "../actors/store.port.ts";
import type { AppConfig } from "./config.ts";
import { openJsonStore } from "./json/jsonStore.ts";
import { openSqliteStore } from "./sqlite/sqliteStore.ts";
import { oneLine, StartupError, storeOpenError } from "./startupErrors.ts";

/** Opens the configured store; any failure becomes one line naming DATABASE_PATH, JSON_STORE_DIR or DATABASE_URL. */
export async function openStore(config: AppConfig, log: Logger, redact: (line: string) => string): Promise<CrmStore> {
  if (config.STORE === "postgres") return openPostgres(config, log, redact);
  try {
    return config.STORE === "json" ? await openJsonStore({ dir: config.JSON_STORE_DIR, log, timeZone: config.TIME_ZONE }) : openSqliteStore({ path: config.DATABASE_PATH, timeZone: config.TIME_ZONE });
  } catch (error) {
    throw config.STORE === "json" ? storeOpenError(error, "JSON_STORE_DIR", config.JSON_STORE_DIR) : storeOpenError(error, "DATABASE_PATH", config.DATABASE_PATH);
  }
}

/** The PostgreSQL store (several processes on one database), loaded only when configured; its URL's password is never shown. */
async function openPostgres(config: AppConfig, log: Logger, redact: (line: string) => string): Promise<CrmStore> {
  const url = Option.getOrUndefined(config.DATABASE_URL);
  if (!url) throw new StartupError(["DATABASE_URL: STORE=postgres needs the URL of a PostgreSQL database (postgres://user:password@host:5432/db)."]);
  try {
    const { openPostgresStore } = await import("./postgres/pgStore.ts");
    // After a /forget, the erased tables are vacuumed in the background (docs/actor-runtime.md, PostgreSQL).
    return await openPostgresStore({ url: Redacted.value(url), timeZone: config.TIME_ZONE, leaseMs: config.CLAIM_LEASE_SECONDS * 1_000, erasureVacuum: { log } });
  } catch (error) {
    throw new StartupError([redact(`DATABASE_URL: the PostgreSQL store cannot be opened: ${oneLine(error)}`)]);
  }
}

