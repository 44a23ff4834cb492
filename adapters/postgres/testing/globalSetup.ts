import type { TestProject } from "vitest/node";
import { startEmbeddedServer } from "./embeddedServer.ts";

declare module "vitest" {
  interface ProvidedContext {
    /** The superuser URL of the run's PostgreSQL server; test files use `freshDatabase()` rather than this. */
    pgAdminUrl: string;
  }
}

/**
 * Vitest global setup: one real PostgreSQL server for the whole `vitest run`, shared by every test file through
 * databases of their own (`freshDatabase`), and stopped with its directory removed at the end.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startEmbeddedServer();
  project.provide("pgAdminUrl", server.adminUrl);
  return server.stop;
}
