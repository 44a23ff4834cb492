import type { TestProject } from "vitest/node";
import { startEmbeddedServer, type EmbeddedServer } from "./embeddedServer.ts";

declare module "vitest" {
  interface ProvidedContext {
    /** The superuser URL of the run's PostgreSQL server; test files use `freshDatabase()` rather than this. */
    pgAdminUrl: string;
    /** Why the run has no PostgreSQL server (empty when it has one): each PostgreSQL test then fails saying so. */
    pgStartError: string;
  }
}

/**
 * Starts the server and provides its URL to the test files, or, when it cannot start, the reason: the tests that
 * need PostgreSQL then fail with it, and the others still run. Returns the teardown.
 */
export async function provideServer(project: Pick<TestProject, "provide">, start: () => Promise<EmbeddedServer> = startEmbeddedServer): Promise<(() => Promise<void>) | undefined> {
  try {
    const server = await start();
    project.provide("pgAdminUrl", server.adminUrl);
    project.provide("pgStartError", "");
    return server.stop;
  } catch (error) {
    project.provide("pgAdminUrl", "");
    project.provide("pgStartError", error instanceof Error ? error.message : String(error));
    return undefined;
  }
}

/**
 * Vitest global setup: one real PostgreSQL server for the whole `vitest run`, shared by every test file through
 * databases of their own (`freshDatabase`), and stopped with its directory removed at the end.
 */
export default function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  return provideServer(project);
}
