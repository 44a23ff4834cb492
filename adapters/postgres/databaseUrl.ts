/**
 * DATABASE_URL holds the PostgreSQL password. These keep it out of every line the product writes: a URL is
 * shown only masked, its password is one of the secrets the logger and start-up errors redact, and a URL that
 * does not even parse is described without being repeated.
 */

const protocols = new Set(["postgres:", "postgresql:"]);

function parsed(raw: string): URL | undefined {
  try {
    return new URL(raw);
  } catch {
    return undefined;
  }
}

/**
 * The URL with its password (in the authority or a `password` parameter) replaced by `***`, for a log line or
 * an error; a value that is not a URL shows as a placeholder, since any part of it may be the password.
 */
export function maskDatabaseUrl(raw: string): string {
  const url = parsed(raw);
  if (!url) return "(a value that is not a URL)";
  if (url.password) url.password = "***";
  if (url.searchParams.has("password")) url.searchParams.set("password", "***");
  return url.toString().replace("%2A%2A%2A", "***");
}

/** Why DATABASE_URL cannot be a PostgreSQL connection URL, or undefined when it can; never repeats the password. */
export function databaseUrlProblem(raw: string): string | undefined {
  const url = parsed(raw);
  if (!url) return "the value set is not a URL";
  if (!protocols.has(url.protocol)) return `it starts with "${url.protocol.slice(0, 20)}", not postgres: or postgresql:`;
  if (!url.hostname && !url.searchParams.get("host")) return `it names no host, got "${maskDatabaseUrl(raw)}"`;
  return undefined;
}

/** The strings to redact from every line: the URL itself and its password as written and decoded. */
export function databaseUrlSecrets(raw: string | undefined): string[] {
  if (!raw) return [];
  const url = parsed(raw);
  const passwords = [url?.password ?? "", url?.searchParams.get("password") ?? ""].filter((password) => password.length > 0);
  const decoded = passwords.map((password) => {
    try {
      return decodeURIComponent(password);
    } catch {
      return password;
    }
  });
  return [...new Set([raw, ...passwords, ...decoded])];
}
