import { sheets, type sheets_v4 } from "@googleapis/sheets";
import { GoogleAuth, type OAuth2Client } from "google-auth-library";
import { readFileSync } from "node:fs";

export interface ServiceAccountKey {
  readonly client_email: string;
  readonly private_key: string;
}

/** Why the service account key could not be used; never carries the key itself. */
export class ServiceAccountInvalid extends Error {
  override readonly name = "ServiceAccountInvalid";
}

/**
 * The service account's key from config: inline JSON (it starts with `{`) or the path of the JSON
 * file Google Cloud gives you. Checked here so a typo gets one clear line at start-up.
 */
export function readServiceAccount(value: string): ServiceAccountKey {
  const text = value.trim().startsWith("{") ? value : readKeyFile(value.trim());
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ServiceAccountInvalid("GOOGLE_SERVICE_ACCOUNT is not valid JSON (give the key file's path, or its JSON)");
  }
  const key = parsed as Partial<ServiceAccountKey>;
  if (typeof key.client_email !== "string" || typeof key.private_key !== "string") {
    throw new ServiceAccountInvalid("GOOGLE_SERVICE_ACCOUNT has no client_email and private_key: use a service account's JSON key");
  }
  return { client_email: key.client_email, private_key: key.private_key };
}

function readKeyFile(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    throw new ServiceAccountInvalid(`GOOGLE_SERVICE_ACCOUNT: cannot read the key file ${path}`);
  }
}

export interface SheetsClientOptions {
  /** A service account key (production), or an already authorised client (tests, other setups). */
  readonly auth: ServiceAccountKey | OAuth2Client;
  /** A local stand-in in tests; Google's by default. */
  readonly rootUrl?: string;
}

/**
 * The `@googleapis/sheets` client. Its own retries are off: the mirror retries with its own
 * backoff and quota, and an append must never be repeated blindly.
 */
export function createSheetsClient(options: SheetsClientOptions): sheets_v4.Sheets {
  const auth =
    "client_email" in options.auth
      ? new GoogleAuth({ credentials: { client_email: options.auth.client_email, private_key: options.auth.private_key }, scopes: ["https://www.googleapis.com/auth/spreadsheets"] })
      : options.auth;
  return sheets({ version: "v4", auth, retry: false, ...(options.rootUrl ? { rootUrl: options.rootUrl } : {}) });
}
