/**
 * Structured logs: one event name and a few fields, never a message text or a secret.
 * The runtime and the bots log through this port; adapters/logging writes JSON lines.
 */
export type LogFields = Readonly<Record<string, string | number | boolean | null | undefined>>;

export interface Logger {
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
}

export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };

/** The name and message of an error, for a log line; the stack stays out of chat and out of logs. */
export function describeError(error: unknown): { readonly error: string; readonly message: string } {
  if (error instanceof Error) return { error: error.name, message: error.message.slice(0, 300) };
  return { error: typeof error, message: String(error).slice(0, 300) };
}
