import { demoOwnerId, demoTimeZone, startDemoWorld, type DemoProblem } from "./demoWorld.ts";
import { runDemoTraffic, type DemoTrafficResult, type JourneyKind } from "./demoTraffic.ts";
import { ownerTour, type TourStop } from "./ownerTour.ts";

/** The simulated day: Monday 23 November 2026, from 08:00 in Moscow. */
export const demoDayStart = Date.parse("2026-11-23T08:00:00+03:00");
/** When the owner sits down with the CRM: 22:30 the same day. */
export const ownerLooksAt = demoDayStart + 14.5 * 3_600_000;

/** Options for {@link runDemo}. */
export interface DemoOptions {
  readonly customers?: number;
  readonly seed?: number;
  /** Where the printout goes as it is made (the CLI passes stdout); it is also returned whole. */
  readonly write?: (text: string) => void;
}

/** What one run printed and how it went. */
export interface DemoOutcome {
  readonly output: string;
  readonly elapsedMs: number;
  readonly traffic: DemoTrafficResult;
  readonly problems: readonly DemoProblem[];
}

const journeyNames: Readonly<Record<JourneyKind, string>> = {
  look: "only /start",
  browse: "browse",
  search: "search",
  cart: "leave a cart",
  checkout: "leave a checkout",
  buy: "buy once",
  repeat: "buy twice",
  ask: "ask the consultant",
  hero: "scripted regular",
};

const rule = (title: string): string => `── ${title} ${"─".repeat(Math.max(3, 60 - [...title].length))}`;
const indent = (text: string): string => text.split("\n").map((line) => (line ? `  ${line}` : "")).join("\n");

function printStop(stop: TourStop): string {
  const buttons = stop.showButtons ? `\n${stop.screen.buttons.map((label) => `  [ ${label} ]`).join("\n")}` : "";
  return `${rule(stop.title)}\n${indent(stop.screen.text)}${buttons}\n\n`;
}

/**
 * `npm run demo`: the whole product offline. About fifty simulated customers spend a day with the
 * shop bot, then the owner opens the CRM bot; every screen printed is what the stand-in shows the
 * owner. Nothing is configured, nothing leaves the machine, and the temporary database is deleted.
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoOutcome> {
  const started = performance.now();
  let output = "";
  const print = (text: string): void => {
    output += text;
    options.write?.(text);
  };

  print(`${"━".repeat(64)}\n  Shop CRM — offline demo\n${"━".repeat(64)}\n`);
  print("Both bots talk to a local Bot API stand-in; the store is a temporary SQLite file; the\n");
  print("catalog is the sample one; the AI is the OpenAI adapter on a local stand-in. No tokens, no network.\n\n");

  const world = await startDemoWorld({ start: demoDayStart });
  try {
    const day = new Intl.DateTimeFormat("en-GB", { dateStyle: "full", timeZone: demoTimeZone }).format(demoDayStart);
    print(`${rule(`☕ A day at the shop: ${day}, 08:00–22:00 (${demoTimeZone})`)}\n`);
    const traffic = await runDemoTraffic(world, {
      ...(options.customers !== undefined ? { customers: options.customers } : {}),
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
    });
    const mix = (Object.entries(traffic.journeys) as [JourneyKind, number][])
      .filter(([, count]) => count > 0)
      .map(([kind, count]) => `${count} ${journeyNames[kind]}`)
      .join(" · ");
    print(indent(`${traffic.customers} customers sent ${traffic.updates} updates to the shop bot and placed ${traffic.orders} orders.\nJourneys: ${mix}.\n`));
    print("\n");

    world.clock.setAtLeast(ownerLooksAt);
    print(`The owner (Telegram id ${demoOwnerId}) opens the CRM bot at 22:30. Each screen below is what the stand-in shows them.\n\n`);
    for (const stop of await ownerTour(world, traffic.hero)) print(printStop(stop));

    const problems = world.problems;
    if (problems.length > 0) {
      print(`${rule("⚠ The bots logged problems")}\n`);
      for (const problem of problems) print(`  ${problem.level} ${problem.event} ${JSON.stringify(problem.fields)}\n`);
      print("\n");
    }
    const elapsedMs = performance.now() - started;
    print(`Done in ${(elapsedMs / 1000).toFixed(1)} s; the temporary database is deleted.\n`);
    return { output, elapsedMs, traffic, problems };
  } finally {
    await world.close();
  }
}
