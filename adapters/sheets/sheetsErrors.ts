import { Data } from "effect";

/**
 * What can go wrong talking to Google Sheets, as tagged values. Only the operation, the HTTP
 * status and Google's own short message are kept: a Gaxios error also carries the request, whose
 * headers hold the access token, and none of that may reach a log line.
 */

/** 429: over Google's per-minute quota. Retried with backoff; nothing is dropped. */
export class SheetsRateLimited extends Data.TaggedError("SheetsRateLimited")<{ readonly operation: string; readonly message: string }> {}

/** 5xx or a network failure. Retried with backoff. */
export class SheetsUnavailable extends Data.TaggedError("SheetsUnavailable")<{ readonly operation: string; readonly status: number | null; readonly message: string }> {}

/** No answer in time. Retried with backoff. */
export class SheetsTimeout extends Data.TaggedError("SheetsTimeout")<{ readonly operation: string; readonly message: string }> {}

/** 403: the service account lost access to the spreadsheet. Stops the worker; the outbox waits. */
export class SheetsForbidden extends Data.TaggedError("SheetsForbidden")<{ readonly operation: string; readonly message: string }> {}

/** 404: no such spreadsheet (a wrong id). Stops the worker; the outbox waits. */
export class SheetsNotFound extends Data.TaggedError("SheetsNotFound")<{ readonly operation: string; readonly message: string }> {}

/** Any other 4xx: a request Google refuses. Stops the worker, as retrying it cannot help. */
export class SheetsRejected extends Data.TaggedError("SheetsRejected")<{ readonly operation: string; readonly status: number; readonly message: string }> {}

export type SheetsError = SheetsRateLimited | SheetsUnavailable | SheetsTimeout | SheetsForbidden | SheetsNotFound | SheetsRejected;

/** Whether waiting and trying again can help. */
export const isTransient = (error: SheetsError): boolean =>
  error._tag === "SheetsRateLimited" || error._tag === "SheetsUnavailable" || error._tag === "SheetsTimeout";

interface ErrorLike {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly status?: unknown;
  readonly message?: unknown;
  readonly response?: { readonly status?: unknown; readonly data?: unknown };
}

function googleMessage(data: unknown): string | undefined {
  if (typeof data !== "object" || data === null || !("error" in data)) return undefined;
  const inner = (data as { error: unknown }).error;
  if (typeof inner === "object" && inner !== null && "message" in inner && typeof inner.message === "string") return inner.message;
  return typeof inner === "string" ? inner : undefined;
}

/** Turns whatever the client threw into a tagged error of one operation. */
export function classifySheetsError(operation: string, thrown: unknown): SheetsError {
  const error = (typeof thrown === "object" && thrown !== null ? thrown : {}) as ErrorLike;
  const status = typeof error.response?.status === "number" ? error.response.status : typeof error.status === "number" ? error.status : null;
  const message = (googleMessage(error.response?.data) ?? (typeof error.message === "string" ? error.message : String(thrown))).slice(0, 200);
  const code = typeof error.code === "string" ? error.code : "";
  if (status === 429) return new SheetsRateLimited({ operation, message });
  if (status === 403) return new SheetsForbidden({ operation, message });
  if (status === 404) return new SheetsNotFound({ operation, message });
  if (status !== null && status >= 500) return new SheetsUnavailable({ operation, status, message });
  if (status !== null && status >= 400) return new SheetsRejected({ operation, status, message });
  if (error.name === "AbortError" || error.name === "TimeoutError" || code === "ETIMEDOUT" || /timeout|aborted/i.test(message)) return new SheetsTimeout({ operation, message });
  return new SheetsUnavailable({ operation, status, message });
}
