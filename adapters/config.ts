import { Config, ConfigProvider, Effect, Exit, Option, Redacted } from "effect";
import { fileURLToPath } from "node:url";
import { campaignLimits, defaultCampaignSettings, type CampaignSettings } from "../actors/campaignSettings.ts";
import { defaultQuietHours, type CustomerSettings } from "../actors/customerSettings.ts";
import { maxRememberedAsks } from "../machines/customer.machine.ts";
import { paymentMethods, type PaymentMethod } from "../machines/order.types.ts";
import { databaseUrlProblem } from "./postgres/databaseUrl.ts";

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
  OWNER_BOT_TOKEN: setting(optional(Config.Redacted("OWNER_BOT_TOKEN")), "the owner bot's token from @BotFather (a second bot)", true),
  OWNER_IDS: setting(Config.String("OWNER_IDS").pipe(Config.withDefault("")), "Telegram user ids of the owners, comma-separated, e.g. 123456789,987654321"),
  OWNER_TAGS: setting(Config.String("OWNER_TAGS").pipe(Config.withDefault("vip,wholesale,problem")), "tags offered on every client card, comma-separated"),
  REPORT_HOUR: setting(Config.Int("REPORT_HOUR").pipe(Config.withDefault(9)), "the hour (0–23, in TIME_ZONE) of the daily report push"),
  SESSION_STORAGE: setting(Config.Literals(["store", "free"], "SESSION_STORAGE").pipe(Config.withDefault("store" as const)), "store (the CRM's own database) or free (@grammyjs/storage-free)"),
  OPENAI_API_KEY: setting(optional(Config.Redacted("OPENAI_API_KEY")), "an OpenAI API key (or your compatible server's); without it the AI features are hidden", true),
  OPENAI_MODEL: setting(Config.NonEmptyString("OPENAI_MODEL").pipe(Config.withDefault("gpt-4o-mini")), "a chat model name, e.g. gpt-4o-mini"),
  OPENAI_BASE_URL: setting(optional(Config.URL("OPENAI_BASE_URL")), "the /v1 URL of an OpenAI-compatible server, e.g. http://localhost:11434/v1"),
  GOOGLE_SHEETS_ID: setting(optional(Config.NonEmptyString("GOOGLE_SHEETS_ID")), "the id of the Google spreadsheet that mirrors the leads (from its URL)"),
  GOOGLE_SERVICE_ACCOUNT: setting(optional(Config.Redacted("GOOGLE_SERVICE_ACCOUNT")), "a service account's JSON key, inline or as a file path", true),
  SHEETS_REQUESTS_PER_MINUTE: setting(Config.Int("SHEETS_REQUESTS_PER_MINUTE").pipe(Config.withDefault(60)), "a whole number of Sheets API requests a minute (Google's default quota is 60)"),
  WEBHOOK_URL: setting(optional(Config.URL("WEBHOOK_URL")), "the public https URL Telegram posts updates to, e.g. https://shop.example.com/tg (unset: long polling)"),
  PORT: setting(Config.Port("PORT").pipe(Config.withDefault(8080)), "a TCP port (1–65535) for the webhook server and GET /health"),
  HEALTH_PORT: setting(optional(Config.Port("HEALTH_PORT")), "a TCP port (1–65535) for GET /health in long polling too (a container's HEALTHCHECK); unset: /health only on PORT, in webhook mode"),
  HEALTH_STUCK_SECONDS: setting(Config.Int("HEALTH_STUCK_SECONDS").pipe(Config.withDefault(300)), "a whole number of seconds a due timer, effect or Sheets row may wait before GET /health answers 503"),
  WEBHOOK_SECRET: setting(optional(Config.Redacted("WEBHOOK_SECRET")), "a secret of 1–256 letters, digits, _ or - that Telegram sends back with each update", true),
  TELEGRAM_API_ROOT: setting(optional(Config.URL("TELEGRAM_API_ROOT")), "a URL such as http://localhost:8081 (a self-hosted Bot API server)"),
  TELEGRAM_CONNECT_ATTEMPTS: setting(optional(Config.Int("TELEGRAM_CONNECT_ATTEMPTS")), "a whole number (at least 1) of attempts to reach Telegram at start; unset: keep trying"),
  STORE: setting(Config.Literals(["sqlite", "json", "postgres"], "STORE").pipe(Config.withDefault("sqlite" as const)), "sqlite, json or postgres"),
  DATABASE_URL: setting(optional(Config.Redacted("DATABASE_URL")), "a PostgreSQL URL such as postgres://user:pass@host:5432/db (with STORE=postgres)", true),
  CLAIM_LEASE_SECONDS: setting(
    Config.Int("CLAIM_LEASE_SECONDS").pipe(Config.withDefault(300)),
    "a whole number of seconds (more than AI_TIMEOUT_SECONDS + 30) a process's claim on a due timer or effect keeps the other processes off it (STORE=postgres); a process that dies leaves its claims to the others after it",
  ),
  DATABASE_PATH: setting(Config.NonEmptyString("DATABASE_PATH").pipe(Config.withDefault("./data/crm.sqlite")), "a file path for the SQLite database"),
  JSON_STORE_DIR: setting(Config.NonEmptyString("JSON_STORE_DIR").pipe(Config.withDefault("./data/json")), "a folder for the JSON store"),
  CATALOG_PATH: setting(Config.NonEmptyString("CATALOG_PATH").pipe(Config.withDefault(sampleCatalogPath)), "the path of a catalog JSON file (docs/catalog.md)"),
  CONSENT_VERSION: setting(Config.NonEmptyString("CONSENT_VERSION").pipe(Config.withDefault("1")), "a short version label of your data processing terms, e.g. 2026-01"),
  TIME_ZONE: setting(Config.NonEmptyString("TIME_ZONE").pipe(Config.withDefault("Europe/Moscow")), "an IANA time zone such as Europe/Moscow"),
  CONSULTANT_MAX_QUESTIONS: setting(Config.Int("CONSULTANT_MAX_QUESTIONS").pipe(Config.withDefault(20)), "a whole number of questions per customer per window"),
  CONSULTANT_WINDOW_MINUTES: setting(Config.Int("CONSULTANT_WINDOW_MINUTES").pipe(Config.withDefault(60)), "a whole number of minutes"),
  CART_REMINDER_MINUTES: setting(Config.Int("CART_REMINDER_MINUTES").pipe(Config.withDefault(120)), "a whole number of minutes (at least 1) a cart with items waits before its one reminder"),
  PAYMENTS: setting(Config.String("PAYMENTS").pipe(Config.withDefault("cash")), "any of stars, provider and cash, comma-separated (stars: Telegram Stars; provider: a card through PAYMENT_PROVIDER_TOKEN; cash: on delivery or at pickup)"),
  PAYMENT_PROVIDER_TOKEN: setting(optional(Config.Redacted("PAYMENT_PROVIDER_TOKEN")), "the payment provider token @BotFather gives you under Payments", true),
  STAR_PRICE: setting(optional(Config.Number("STAR_PRICE")), "what one Telegram Star is worth in your catalog's currency, e.g. 1.8 (an order's stars are its total divided by it, rounded up)"),
  ORDER_PAYMENT_MINUTES: setting(Config.Int("ORDER_PAYMENT_MINUTES").pipe(Config.withDefault(60)), "a whole number of minutes (at least 1) an unpaid order waits before it is cancelled and its stock released"),
  ORDER_FEEDBACK_HOURS: setting(Config.Int("ORDER_FEEDBACK_HOURS").pipe(Config.withDefault(24)), "a whole number of hours after delivery when the customer is asked for a rating, once (0: never)"),
  WINBACK_DELAY_DAYS: setting(Config.Int("WINBACK_DELAY_DAYS").pipe(Config.withDefault(14)), "a whole number of days (1–365) a dormant customer waits before the win-back message (the owner bot can change it)"),
  DORMANT_DAYS: setting(Config.Int("DORMANT_DAYS").pipe(Config.withDefault(30)), "a whole number of days (at least 1) without activity before a customer counts as dormant"),
  BROADCAST_PER_SECOND: setting(Config.Int("BROADCAST_PER_SECOND").pipe(Config.withDefault(25)), "a whole number of broadcast messages a second, from 1 to 30 (Telegram allows about 30 a second to different chats)"),
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

type Parsed = Partial<AppConfig>;

/** Checks across the bot settings; each runs when the settings it reads parsed. */
function botChecks(config: Parsed): string[] {
  const problems: string[] = [];
  for (const name of ["SHOP_BOT_TOKEN", "OWNER_BOT_TOKEN"] as const) {
    const token = config[name] ? Option.getOrUndefined(config[name]) : undefined;
    if (token !== undefined && !/^\d+:[A-Za-z0-9_-]{20,}$/.test(Redacted.value(token))) {
      problems.push(`${name}: expected ${settings[name].expects} (digits, a colon, then letters); the value set is not one`);
    }
  }
  const shopToken = config.SHOP_BOT_TOKEN ? Option.getOrUndefined(config.SHOP_BOT_TOKEN) : undefined;
  const ownerToken = config.OWNER_BOT_TOKEN ? Option.getOrUndefined(config.OWNER_BOT_TOKEN) : undefined;
  if (shopToken !== undefined && ownerToken !== undefined && Redacted.value(shopToken) === Redacted.value(ownerToken)) {
    problems.push("OWNER_BOT_TOKEN: expected a second bot's token; it is the same as SHOP_BOT_TOKEN, and two pollers of one bot would fight. Create another bot with @BotFather for the CRM");
  }
  if (config.OWNER_IDS !== undefined && config.OWNER_IDS.trim() !== "" && ownerIdsOf({ OWNER_IDS: config.OWNER_IDS }).length === 0) {
    problems.push(`OWNER_IDS: expected ${settings.OWNER_IDS.expects}, got "${config.OWNER_IDS.slice(0, 60)}"`);
  }
  if (config.OWNER_BOT_TOKEN && Option.isSome(config.OWNER_BOT_TOKEN) && config.OWNER_IDS?.trim() === "") {
    problems.push(`OWNER_IDS: expected ${settings.OWNER_IDS.expects}; it is required with OWNER_BOT_TOKEN, or nobody could get in`);
  }
  problems.push(...paymentChecks(config));
  const secret = config.WEBHOOK_SECRET ? Option.getOrUndefined(config.WEBHOOK_SECRET) : undefined;
  if (secret !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(Redacted.value(secret))) problems.push(`WEBHOOK_SECRET: expected ${settings.WEBHOOK_SECRET.expects}`);
  if (config.WEBHOOK_URL && Option.isSome(config.WEBHOOK_URL) && config.WEBHOOK_URL.value.protocol !== "https:") {
    problems.push(`WEBHOOK_URL: expected ${settings.WEBHOOK_URL.expects}; Telegram only posts to https, got "${config.WEBHOOK_URL.value.toString().slice(0, 80)}"`);
  }
  return problems;
}

/** The payment methods of PAYMENTS, or null when it names one that does not exist or none at all. */
export function paymentMethodsOf(config: Pick<AppConfig, "PAYMENTS">): PaymentMethod[] | null {
  const named = config.PAYMENTS.split(",").map((part) => part.trim().toLowerCase()).filter((part) => part.length > 0);
  if (named.length === 0 || named.some((part) => !(paymentMethods as readonly string[]).includes(part))) return null;
  return paymentMethods.filter((method) => named.includes(method));
}

/** A payment method that cannot work is refused at start-up: a provider without its token, Stars without a price. */
function paymentChecks(config: Parsed): string[] {
  if (config.PAYMENTS === undefined) return [];
  const methods = paymentMethodsOf({ PAYMENTS: config.PAYMENTS });
  if (methods === null) return [`PAYMENTS: expected ${settings.PAYMENTS.expects}, got "${config.PAYMENTS.slice(0, 60)}"`];
  const problems: string[] = [];
  if (methods.includes("provider") && config.PAYMENT_PROVIDER_TOKEN && Option.isNone(config.PAYMENT_PROVIDER_TOKEN)) {
    problems.push(`PAYMENT_PROVIDER_TOKEN: expected ${settings.PAYMENT_PROVIDER_TOKEN.expects}; PAYMENTS includes provider, which cannot take a payment without it`);
  }
  const starPrice = config.STAR_PRICE ? Option.getOrUndefined(config.STAR_PRICE) : undefined;
  if (methods.includes("stars") && config.STAR_PRICE && starPrice === undefined) {
    problems.push(`STAR_PRICE: expected ${settings.STAR_PRICE.expects}; PAYMENTS includes stars, which cannot price an order without it`);
  }
  if (starPrice !== undefined && !(Number.isFinite(starPrice) && starPrice > 0)) problems.push(`STAR_PRICE: expected ${settings.STAR_PRICE.expects}, got ${starPrice}`);
  return problems;
}

/**
 * Checks that read more than one variable, or a range; each failure is one line naming its
 * variable. A check runs whenever the values it reads parsed, so one bad variable hides no other.
 */
function crossChecks(config: Parsed): string[] {
  const problems: string[] = [];
  if (config.TIME_ZONE !== undefined && !isTimeZone(config.TIME_ZONE)) problems.push(`TIME_ZONE: expected ${settings.TIME_ZONE.expects}, got "${config.TIME_ZONE}"`);
  for (const name of ["CONSULTANT_MAX_QUESTIONS", "CONSULTANT_WINDOW_MINUTES", "AI_TIMEOUT_SECONDS", "SHEETS_REQUESTS_PER_MINUTE", "CART_REMINDER_MINUTES", "DORMANT_DAYS", "ORDER_PAYMENT_MINUTES", "HEALTH_STUCK_SECONDS"] as const) {
    const value = config[name];
    if (value !== undefined && value < 1) problems.push(`${name}: expected ${settings[name].expects} of at least 1, got ${value}`);
  }
  if (config.CONSULTANT_MAX_QUESTIONS !== undefined && config.CONSULTANT_MAX_QUESTIONS > maxRememberedAsks) {
    problems.push(`CONSULTANT_MAX_QUESTIONS: expected ${settings.CONSULTANT_MAX_QUESTIONS.expects} of at most ${maxRememberedAsks}, got ${config.CONSULTANT_MAX_QUESTIONS}`);
  }
  const attempts = config.TELEGRAM_CONNECT_ATTEMPTS ? Option.getOrUndefined(config.TELEGRAM_CONNECT_ATTEMPTS) : undefined;
  if (attempts !== undefined && attempts < 1) problems.push(`TELEGRAM_CONNECT_ATTEMPTS: expected ${settings.TELEGRAM_CONNECT_ATTEMPTS.expects}, got ${attempts}`);
  problems.push(...botChecks(config), ...postgresChecks(config));
  if (config.GOOGLE_SHEETS_ID && config.GOOGLE_SERVICE_ACCOUNT && Option.isSome(config.GOOGLE_SHEETS_ID) !== Option.isSome(config.GOOGLE_SERVICE_ACCOUNT)) {
    const missing = Option.isSome(config.GOOGLE_SHEETS_ID) ? "GOOGLE_SERVICE_ACCOUNT" : "GOOGLE_SHEETS_ID";
    problems.push(`${missing}: expected ${settings[missing].expects}; the Sheets mirror needs both GOOGLE_SHEETS_ID and GOOGLE_SERVICE_ACCOUNT`);
  }
  if (config.ORDER_FEEDBACK_HOURS !== undefined && config.ORDER_FEEDBACK_HOURS < 0) problems.push(`ORDER_FEEDBACK_HOURS: expected ${settings.ORDER_FEEDBACK_HOURS.expects}, got ${config.ORDER_FEEDBACK_HOURS}`);
  if (config.WINBACK_DELAY_DAYS !== undefined && (config.WINBACK_DELAY_DAYS < campaignLimits.winBackDays.min || config.WINBACK_DELAY_DAYS > campaignLimits.winBackDays.max)) {
    problems.push(`WINBACK_DELAY_DAYS: expected ${settings.WINBACK_DELAY_DAYS.expects}, got ${config.WINBACK_DELAY_DAYS}`);
  }
  if (config.BROADCAST_PER_SECOND !== undefined && (config.BROADCAST_PER_SECOND < 1 || config.BROADCAST_PER_SECOND > 30)) {
    problems.push(`BROADCAST_PER_SECOND: expected ${settings.BROADCAST_PER_SECOND.expects}, got ${config.BROADCAST_PER_SECOND}`);
  }
  if (config.CLAIM_LEASE_SECONDS !== undefined && config.AI_TIMEOUT_SECONDS !== undefined && config.CLAIM_LEASE_SECONDS <= config.AI_TIMEOUT_SECONDS + 30) {
    // An effect's attempt may take AI_TIMEOUT_SECONDS + 30 s: a shorter lease would let a second process deliver it meanwhile.
    problems.push(`CLAIM_LEASE_SECONDS: expected ${settings.CLAIM_LEASE_SECONDS.expects}, got ${config.CLAIM_LEASE_SECONDS}`);
  }
  if (config.REPORT_HOUR !== undefined && (config.REPORT_HOUR < 0 || config.REPORT_HOUR > 23)) problems.push(`REPORT_HOUR: expected ${settings.REPORT_HOUR.expects}, got ${config.REPORT_HOUR}`);
  return problems;
}

/** STORE=postgres needs DATABASE_URL, and a DATABASE_URL set must be a PostgreSQL URL; its password is never shown. */
function postgresChecks(config: Parsed): string[] {
  const url = config.DATABASE_URL ? Option.getOrUndefined(config.DATABASE_URL) : undefined;
  const problem = url === undefined ? undefined : databaseUrlProblem(Redacted.value(url));
  if (problem !== undefined) return [`DATABASE_URL: expected ${settings.DATABASE_URL.expects}; ${problem}`];
  if (config.STORE === "postgres" && config.DATABASE_URL && url === undefined) return [`DATABASE_URL: expected ${settings.DATABASE_URL.expects}; it is required with STORE=postgres`];
  return [];
}

/** The customer machine's settings: reminders, dormancy, quiet hours (22:00–09:00 in TIME_ZONE), terms and the consultant. */
export function customerSettingsOf(config: AppConfig): CustomerSettings {
  return {
    cartReminderMinutes: config.CART_REMINDER_MINUTES,
    dormantDays: config.DORMANT_DAYS,
    timeZone: config.TIME_ZONE,
    quietHours: defaultQuietHours,
    consentVersion: config.CONSENT_VERSION,
    consultant: {
      maxQuestions: config.CONSULTANT_MAX_QUESTIONS,
      windowMs: config.CONSULTANT_WINDOW_MINUTES * 60_000,
      // The machine's own deadline for an answer: the AI's, plus a margin for the send.
      timeoutMs: (config.AI_TIMEOUT_SECONDS + 15) * 1_000,
    },
  };
}

/**
 * The campaigns' defaults from the environment, until the owner changes them in the owner bot: the
 * first reminder after `CART_REMINDER_MINUTES`, the win-back after `WINBACK_DELAY_DAYS`; the second
 * reminder and the win-back stay off until the owner writes their texts.
 */
export function campaignDefaultsOf(config: Pick<AppConfig, "CART_REMINDER_MINUTES" | "WINBACK_DELAY_DAYS">): CampaignSettings {
  return defaultCampaignSettings({ cartReminderMinutes: config.CART_REMINDER_MINUTES, winBackDays: config.WINBACK_DELAY_DAYS });
}

/** The owners' Telegram ids, or an empty list when OWNER_IDS is not a comma-separated list of ids. */
export function ownerIdsOf(config: Pick<AppConfig, "OWNER_IDS">): number[] {
  const parts = config.OWNER_IDS.split(",").map((part) => part.trim()).filter((part) => part.length > 0);
  return parts.every((part) => /^\d{1,15}$/.test(part)) ? parts.map(Number) : [];
}

/** The tag set of OWNER_TAGS, lower-cased, without blanks or repeats. */
export function ownerTagsOf(config: Pick<AppConfig, "OWNER_TAGS">): string[] {
  return [...new Set(config.OWNER_TAGS.split(",").map((tag) => tag.trim().toLocaleLowerCase()).filter((tag) => /^[\p{L}\p{N}_-]{1,32}$/u.test(tag)))];
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
  problems.push(...crossChecks(values as Parsed));
  return problems.length > 0 ? { ok: false, problems } : { ok: true, config: values as AppConfig };
}
