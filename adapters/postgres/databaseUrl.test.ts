import { describe, expect, it } from "vitest";
import { loadConfig } from "../config.ts";
import { createJsonLogger } from "../logging/jsonLogger.ts";
import { databaseUrlProblem, databaseUrlSecrets, maskDatabaseUrl } from "./databaseUrl.ts";

const password = "s3cr%40t-Pa55word";
const url = `postgres://crm:${password}@db.example:5432/crm?sslmode=require`;

const problemsOf = (env: Record<string, string>): readonly string[] => {
  const loaded = loadConfig(env);
  return loaded.ok ? [] : loaded.problems;
};

describe("DATABASE_URL", () => {
  it("is shown only with its password masked, in the authority or as a parameter", () => {
    expect(maskDatabaseUrl(url)).toBe("postgres://crm:***@db.example:5432/crm?sslmode=require");
    expect(maskDatabaseUrl("postgresql://crm@db/crm?password=hunter2-secret")).toBe("postgresql://crm@db/crm?password=***");
    expect(maskDatabaseUrl("postgres://crm:hunter2-secret@db:99999/crm")).toBe("(a value that is not a URL)");
  });

  it("gives the logger its password as written and decoded, so neither reaches a log line", () => {
    const lines: string[] = [];
    const log = createJsonLogger({ secrets: databaseUrlSecrets(url), write: (line) => lines.push(line) });
    log.error("store_unreachable", { url, message: "password s3cr@t-Pa55word was refused", encoded: password });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain("s3cr");
    expect(lines[0]).toContain("[redacted]");
    expect(databaseUrlSecrets(undefined)).toEqual([]);
  });

  it("is required with STORE=postgres, and only then", () => {
    expect(problemsOf({ STORE: "postgres" })).toEqual(["DATABASE_URL: expected a PostgreSQL URL such as postgres://user:pass@host:5432/db (with STORE=postgres); it is required with STORE=postgres"]);
    expect(problemsOf({ STORE: "sqlite" })).toEqual([]);
    expect(problemsOf({ STORE: "postgres", DATABASE_URL: url })).toEqual([]);
    const loaded = loadConfig({ STORE: "postgres", DATABASE_URL: url });
    expect(loaded.ok && loaded.config.STORE).toBe("postgres");
  });

  it("is refused in one line when malformed, without repeating its password", () => {
    const cases: [string, string][] = [
      ["postgres://crm:hunter2-secret@db:99999/crm", "the value set is not a URL"],
      ["mysql://crm:hunter2-secret@db/crm", 'it starts with "mysql:", not postgres: or postgresql:'],
      ["postgres:///crm?password=hunter2-secret", 'it names no host, got "postgres:///crm?password=***"'],
      ["hunter2-secret", "the value set is not a URL"],
    ];
    for (const [value, problem] of cases) {
      const problems = problemsOf({ STORE: "postgres", DATABASE_URL: value });
      expect(problems).toEqual([`DATABASE_URL: expected a PostgreSQL URL such as postgres://user:pass@host:5432/db (with STORE=postgres); ${problem}`]);
      expect(problems.join("\n")).not.toContain("hunter2");
      expect(databaseUrlProblem(value)).toBe(problem);
    }
  });
});
