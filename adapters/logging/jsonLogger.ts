import type { LogFields, Logger } from "../../actors/log.port.ts";

export interface JsonLoggerOptions {
  /** Where lines go; stdout by default. */
  readonly write?: (line: string) => void;
  /** Values that must never appear in a line (bot tokens, API keys): each is replaced by `[redacted]`. */
  readonly secrets?: readonly string[];
  readonly now?: () => number;
}

/** One JSON object per line, with its time and level; any configured secret is masked before writing. */
export function createJsonLogger(options: JsonLoggerOptions = {}): Logger {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const secrets = (options.secrets ?? []).filter((secret) => secret.length >= 6);
  const now = options.now ?? Date.now;
  const redact = (line: string): string => secrets.reduce((text, secret) => text.split(secret).join("[redacted]"), line);
  const emit = (level: string, event: string, fields: LogFields = {}): void => {
    write(redact(JSON.stringify({ time: new Date(now()).toISOString(), level, event, ...fields })));
  };
  return {
    info: (event, fields) => emit("info", event, fields),
    warn: (event, fields) => emit("warn", event, fields),
    error: (event, fields) => emit("error", event, fields),
  };
}
