import { runDemoTraffic } from "../demo/demoTraffic.ts";
import { startDemoWorld, type DemoWorld } from "../demo/demoWorld.ts";
import { ownerTour } from "../demo/ownerTour.ts";
import { demoDayStart, ownerLooksAt } from "../demo/runDemo.ts";
import { setFlowObserver } from "../telegram/flowState.ts";
import { createInspectorBridge, type BridgeCounts } from "./inspectorBridge.ts";
import type { InspectOptions } from "./inspectOptions.ts";
import { startLiveBots, type LiveBots } from "./liveBots.ts";
import { startLocalInspector } from "./localInspector.ts";
import { poke } from "./pokeCommand.ts";
import { currentUpdateChat, traceUpdateChats } from "./updateChats.ts";

/** How {@link runInspect} talks to the developer. */
export interface InspectIo {
  readonly write: (text: string) => void;
  /** Resolves when the developer is ready for the demo's day (has the page open); absent: start at once. */
  readonly ready?: () => Promise<void>;
  /** With `live`, where the bots' JSON log lines go (default stderr). */
  readonly log?: (line: string) => void;
}

/** A running inspection: the page to open, what reached it, how to poke a customer, and how to stop everything. */
export interface InspectSession {
  readonly url: string;
  counts(): BridgeCounts;
  /**
   * One line from the developer (`501 add_to_cart {"productId":"sencha","qty":1}`): sent to that
   * customer's actor, which dispatches it into the runtime. Resolves with the line to print: what
   * was committed, or why nothing was. Null for a blank line.
   */
  poke(line: string): Promise<string | null>;
  stop(): Promise<void>;
}

/**
 * `npm run inspect`: starts the local Stately inspector, attaches it to the customer and order
 * actors (the runtimes' `observe`, the effect worker's `observe`, and the runtime itself for `send`) and to
 * every chat flow of the bots (`setFlowObserver`), then plays the demo's day (or, with `live`,
 * starts the real bots). Resolves once the day is played or the bots are up; the caller keeps it
 * running (and reads pokes) or stops it.
 */
export async function runInspect(options: InspectOptions, io: InspectIo): Promise<InspectSession> {
  const local = await startLocalInspector({ port: options.port, open: options.open, hidePersonal: options.live && !options.showPersonal });
  const bridge = createInspectorBridge({ inspector: local.inspector, users: options.users });
  // Poking a live customer writes to their real, durable log (and may message them): only when asked.
  const pokeRefused = options.live && !options.poke ? "with --live, sending events to real customers needs --poke" : null;
  setFlowObserver((step) => bridge.flow(step, currentUpdateChat()));
  const ids = options.users ? [...options.users] : [];
  const who = ids.length > 0 ? `customer${ids.length > 1 ? "s" : ""} ${ids.join(", ")} (and the owner's flows about them)` : "every customer and chat flow";
  const announce = (): void => io.write(`Stately inspector: open ${local.url} in a browser (it embeds stately.ai/inspect).\nWatching ${who}.\n`);

  let world: DemoWorld | undefined;
  let live: LiveBots | undefined;
  const stop = async (): Promise<void> => {
    setFlowObserver(null);
    await live?.stop();
    await world?.close();
    await local.stop();
  };

  try {
    if (options.live) {
      live = await startLiveBots({ inspector: bridge.hooks, ...(io.log ? { writeLog: io.log } : {}) });
      announce();
      io.write(`Live: ${live.started}${options.showPersonal ? "" : "; names, phones, addresses and texts are hidden (--show-personal shows them)"}.\n`);
    } else {
      announce();
      // The world hands the bridge its runtime, store and machines through `onActors`.
      world = await startDemoWorld({ start: demoDayStart, ...bridge.hooks });
      traceUpdateChats(world.shopBot, "shop");
      traceUpdateChats(world.owner.bot, "owner");
      await io.ready?.();
      io.write(`Playing the demo's day: ${options.customers} customers (seed ${options.seed}), then the owner's look at the CRM…\n`);
      const traffic = await runDemoTraffic(world, { customers: options.customers, seed: options.seed });
      world.clock.setAtLeast(ownerLooksAt);
      await ownerTour(world, traffic.hero);
      const { actors, events, timers, effects } = bridge.counts();
      io.write(`Done: ${traffic.updates} updates, ${traffic.orders} orders; ${actors} actors, ${events} transitions, ${timers} timer and ${effects} effect changes sent to the inspector.\n`);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: local.url, counts: () => bridge.counts(), poke: (line) => poke(bridge, line, pokeRefused), stop };
}
