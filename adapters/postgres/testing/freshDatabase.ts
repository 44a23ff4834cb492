import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";
import { migratePostgres } from "../pgMigrate.ts";

let made = 0;

/** The run's server's URL, or an error saying why there is none. */
export function adminUrlOr(url: string | undefined, startError: string | undefined): string {
  if (!url) throw new Error(`the test PostgreSQL server did not start: ${startError || "no vitest globalSetup started one"}`);
  return url;
}

const serverUrl = (): string => adminUrlOr(inject("pgAdminUrl"), inject("pgStartError"));

/**
 * Creates a new, empty database on the run's PostgreSQL server and returns its URL, so that each test file (or
 * test) works in a database of its own and files can run in parallel. The databases go when the server's directory
 * is removed at the end of the run. `name` is a readable prefix (letters, digits, underscores).
 */
export async function freshDatabase(name = "crm"): Promise<string> {
  return createDatabase(name, undefined);
}

async function createDatabase(name: string, template: string | undefined): Promise<string> {
  const prefix = name.toLowerCase().replace(/[^a-z0-9_]/g, "_").slice(0, 30);
  const database = `${prefix}_${process.pid}_${++made}_${randomBytes(3).toString("hex")}`;
  const adminUrl = serverUrl();
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    // FILE_COPY copies the template's files after a checkpoint, which with fsync off costs less than WAL-logging every page.
    await admin.query(`CREATE DATABASE "${database}"${template ? ` TEMPLATE "${template}"` : ""} STRATEGY FILE_COPY`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

let migratedTemplate: Promise<string> | undefined;

/** This process's template: a database migrated once to the newest schema, copied by `migratedDatabase`. */
function template(): Promise<string> {
  migratedTemplate ??= (async () => {
    const url = await freshDatabase("migrated_template");
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await migratePostgres(client);
    } finally {
      await client.end();
    }
    return decodeURIComponent(new URL(url).pathname.slice(1));
  })();
  return migratedTemplate;
}

/**
 * Like `freshDatabase`, but already migrated to the newest schema (`migratePostgres`): a file copy of a template
 * migrated once per test process, so that a suite opening a store per test pays for the migrations once.
 */
export async function migratedDatabase(name = "crm"): Promise<string> {
  return createDatabase(name, await template());
}

/** Drops a database made by `freshDatabase`, for a test that makes many and wants them gone before the run ends. */
export async function dropDatabase(url: string): Promise<void> {
  const database = decodeURIComponent(new URL(url).pathname.slice(1));
  const admin = new pg.Client({ connectionString: serverUrl() });
  await admin.connect();
  try {
    // A pool just ended may still be saying goodbye: a forced drop would cut that connection, and its
    // client, with no one listening any more, would raise the cut as an unhandled error.
    for (let tries = 0; tries < 40; tries += 1) {
      try {
        await admin.query(`DROP DATABASE IF EXISTS "${database}"`);
        return;
      } catch (error) {
        if ((error as { code?: string }).code !== "55006") throw error;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
