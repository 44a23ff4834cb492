/**
 * `npm run inspect -- --live`: the real bots, configured exactly as for `npm start` and composed by
 * the same `startApp`, with the inspector's two hooks: the customer runtime's `observe`, and each
 * bot's updates traced to their chat. The Sheets mirror (a background copy with no machine of its
 * own) and webhook mode are left off: a developer inspects by long polling.
 */
import { existsSync } from "node:fs";
import { startApp, StartupError } from "../app.ts";
import { loadConfig } from "../config.ts";
import type { InspectorHooks } from "./inspectorBridge.ts";
import { traceUpdateChats } from "./updateChats.ts";

/** What the inspector needs from a running app. */
export interface LiveHooks {
  /**
   * The bridge's hooks, spread into `startApp`'s: `observe` for the customer runtime, `observeEffects`
   * for the effect worker's `observe`, and `onActors`, called with the runtime and the store once they exist.
   */
  readonly inspector: InspectorHooks;
  /** Where the bots' JSON log lines go (default stderr, so the inspector's own lines stay readable on stdout). */
  readonly writeLog?: (line: string) => void;
}

/** The running bots, and how to stop them as `npm start` does on Ctrl-C. */
export interface LiveBots {
  /** One line for the terminal: which bots, which store. */
  readonly started: string;
  stop(): Promise<void>;
}

/** Starts both bots from the environment (and `.env`); throws an Error whose message says what to fix. */
export async function startLiveBots(hooks: LiveHooks): Promise<LiveBots> {
  if (existsSync(".env")) process.loadEnvFile(".env");
  const loaded = loadConfig(process.env);
  if (!loaded.ok) throw new Error(["fix these settings (in the environment or .env):", ...loaded.problems.map((line) => `  ${line}`)].join("\n"));
  if (loaded.config.SHOP_BOT_TOKEN._tag === "None") {
    throw new Error("--live runs the real bots: set SHOP_BOT_TOKEN (and OWNER_BOT_TOKEN, OWNER_IDS) as for npm start, or leave out --live for the demo");
  }
  try {
    const app = await startApp(loaded.config, {
      ...hooks.inspector,
      wrapBot: (name, bot) => traceUpdateChats(bot, name),
      writeLog: hooks.writeLog ?? ((line) => process.stderr.write(`${line}\n`)),
      sheets: false,
      webhook: false,
    });
    const { started } = app;
    const owner = typeof started["ownerBot"] === "string" && !String(started["ownerBot"]).startsWith("off") ? `, CRM bot @${started["ownerBot"]}` : ", CRM bot off (no OWNER_BOT_TOKEN)";
    return {
      started: `shop bot @${started["shopBot"]}${owner}, ${started["store"]} store, AI ${String(started["ai"]).startsWith("off") ? "off" : "on"}`,
      stop: () => app.stop(),
    };
  } catch (error) {
    if (error instanceof StartupError) throw new Error(error.lines.join("\n"));
    throw error;
  }
}
