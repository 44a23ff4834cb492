/**
 * The container's HEALTHCHECK (and any supervisor's probe): asks this machine's `GET /health` on
 * HEALTH_PORT (else PORT, else 8080) and exits 0 when it answers 200, 1 otherwise, with one line
 * saying why. It is Node, because the slim image has no curl; the line is what `docker inspect`
 * shows as the probe's output.
 */
import { existsSync } from "node:fs";

if (existsSync(".env")) process.loadEnvFile(".env");
const port = process.env["HEALTH_PORT"] || process.env["PORT"] || "8080";
const url = `http://127.0.0.1:${port}/health`;

/** The problems a 503 lists, in one line. */
function problemsOf(body: unknown): string {
  const problems = typeof body === "object" && body !== null && "problems" in body && Array.isArray(body.problems) ? body.problems : [];
  return problems.map(String).join("; ") || "no reason given";
}

try {
  const response = await fetch(url, { signal: AbortSignal.timeout(8_000) });
  const body: unknown = await response.json().catch(() => null);
  if (response.status === 200) {
    process.stdout.write(`healthy: ${url}\n`);
    process.exit(0);
  }
  process.stdout.write(`unhealthy (${response.status}): ${problemsOf(body)}\n`);
  process.exit(1);
} catch (error) {
  process.stdout.write(`no answer from ${url}: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
