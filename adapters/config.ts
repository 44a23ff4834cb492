import { Config, ConfigProvider, Effect, Exit, Option, Redacted } from "effect";
import { fileURLToPath } from "node:url";

/**
 * The process's settings, read from the environment (and `.env`) with Effect `Config`.
 * Every variable is parsed on its own, so that all the problems are reported at once, one clear
 * line each: the variable, what it expects and (for a non-secret) what it got. Secrets are read
 * with `Config.Redacted` and never printed.
 */

interface Setting<T> {
  readonly config: Config.Config<T>;
  /** What a valid value looks like, for the one line that reports a bad one. */
  readonly expects: string;
  readonly secret?: boolean;
}

const setting = <T>(config: Config.Config<T>, expects: string, secret = false): Setting<T> => ({ config, expects, secret });
const optional = <T>(config: Config.Config<T>) => config.pipe(Config.option);

export const sampleCatalogPath = fileURLToPath(new URL("./catalog/sampleCatalog.json", import.meta.url));

/** Every variable the product reads; the README's configuration table lists the same. */
export const settings = {
  SHOP_BOT_TOKEN: setting(optional(Config.Redacted("SHOP_BOT_TOKEN")), "the shop bot's token from @BotFather", true),
  TELEGRAM_API_ROOT: setting(optional(Config.URL("TELEGRAM_API_ROOT")), "a URL such as http://localhost:8081 (a self-hosted Bot API server)"),
  STORE: setting(Config.Literals(["sqlite", "json"], "STORE").pipe(Config.withDefault("sqlite" as const)), "sqlite or json"),
  DATABASE_PATH: setting(Config.NonEmptyString("DATABASE_PATH").pipe(Config.withDefault("./data/crm.sqlite")), "a file path for the SQLite database"),
  JSON_STORE_DIR: setting(Config.NonEmptyString("JSON_STORE_DIR").pipe(Config.withDefault("./data/json")), "a folder for the JSON store"),
  CATALOG_PATH: setting(Config.NonEmptyString("CATALOG_PATH").pipe(Config.withDefault(sampleCatalogPath)), "the path of a catalog JSON file (docs/catalog.md)"),
  CONSENT_VERSION: setting(Config.NonEmptyString("CONSENT_VERSION").pipe(Config.withDefault("1")), "a short version label of your data processing terms, e.g. 2026-01"),
  TIME_ZONE: setting(Config.NonEmptyString("TIME_ZONE").pipe(Config.withDefault("Europe/Moscow")), "an IANA time zone such as Europe/Moscow"),
  CONSULTANT_MAX_QUESTIONS: setting(Config.Int("CONSULTANT_MAX_QUESTIONS").pipe(Config.withDefault(20)), "a whole number of questions per customer per window"),
  CONSULTANT_WINDOW_MINUTES: setting(Config.Int("CONSULTANT_WINDOW_MINUTES").pipe(Config.withDefault(60)), "a whole number of minutes"),
  AI_TIMEOUT_SECONDS: setting(Config.Int("AI_TIMEOUT_SECONDS").pipe(Config.withDefault(30)), "a whole number of seconds"),
} satisfies Record<string, Setting<unknown>>;

type Settings = typeof settings;
export type AppConfig = { readonly [K in keyof Settings]: Settings[K] extends Setting<infer T> ? T : never };

export type ConfigResult = { readonly ok: true; readonly config: AppConfig } | { readonly ok: false; readonly problems: readonly string[] };

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Checks that only a whole config can make; each failure is one line naming its variable. */
function crossChecks(config: AppConfig): string[] {
  const problems: string[] = [];
  if (!isTimeZone(config.TIME_ZONE)) problems.push(`TIME_ZONE: expected ${settings.TIME_ZONE.expects}, got "${config.TIME_ZONE}"`);
  for (const name of ["CONSULTANT_MAX_QUESTIONS", "CONSULTANT_WINDOW_MINUTES", "AI_TIMEOUT_SECONDS"] as const) {
    if (config[name] < 1) problems.push(`${name}: expected ${settings[name].expects} of at least 1, got ${config[name]}`);
  }
  const token = Option.getOrUndefined(config.SHOP_BOT_TOKEN);
  if (token !== undefined && !/^\d+:[A-Za-z0-9_-]{20,}$/.test(Redacted.value(token))) {
    problems.push(`SHOP_BOT_TOKEN: expected ${settings.SHOP_BOT_TOKEN.expects} (digits, a colon, then letters); the value set is not one`);
  }
  return problems;
}

/** Reads every setting from `env`; never throws, and never puts a secret in a problem line. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): ConfigResult {
  const provider = ConfigProvider.fromEnv({ env: Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined)) });
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, { config, expects, secret }] of Object.entries(settings) as [string, Setting<unknown>][]) {
    const exit = Effect.runSyncExit(config.parse(provider));
    if (Exit.isSuccess(exit)) values[name] = exit.value;
    else problems.push(secret || env[name] === undefined ? `${name}: expected ${expects}` : `${name}: expected ${expects}, got "${String(env[name]).slice(0, 60)}"`);
  }
  if (problems.length > 0) return { ok: false, problems };
  const config = values as AppConfig;
  const more = crossChecks(config);
  return more.length > 0 ? { ok: false, problems: more } : { ok: true, config };
}
