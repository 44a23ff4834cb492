import { dayBounds, dayOf } from "../../actors/calendar.ts";
import { demoOwnerId, demoTimeZone, startDemoWorld, type DemoProblem } from "./demoWorld.ts";
import { runDemoTraffic, type DemoTrafficResult, type JourneyKind } from "./demoTraffic.ts";
import { ownerTour, type TourStop } from "./ownerTour.ts";

/** The simulated day: Monday 23 November 2026, from 08:00 in Moscow. */
export const demoDayStart = Date.parse("2026-11-23T08:00:00+03:00");
/** When the owner sits down with the CRM: 22:30 the same day. */
export const ownerLooksAt = demoDayStart + 14.5 * 3_600_000;

/**
 * When the owner looks after customers who came until `lastAt`: 22:30 on that day, or half an hour
 * after the last visit when it ended later (thousands of customers take several days).
 */
export function ownerLooksAfter(lastAt: number): number {
  const evening = dayBounds(dayOf(lastAt, demoTimeZone), demoTimeZone).start + 22.5 * 3_600_000;
  return lastAt <= evening ? evening : lastAt + 30 * 60_000;
}

/** Options for {@link runDemo}. */
export interface DemoOptions {
  /** When the customers start coming (epoch ms; default {@link demoDayStart}, 08:00 in Moscow). */
  readonly start?: number;
  readonly customers?: number;
  readonly seed?: number;
  /** Where the printout goes as it is made (the CLI passes stdout); it is also returned whole. */
  readonly write?: (text: string) => void;
  /** Told after each customer visit, how many of all are played (the CLI draws a bar on stderr). */
  readonly progress?: (done: number, total: number) => void;
}

/** What one run printed and how it went. */
export interface DemoOutcome {
  readonly output: string;
  readonly elapsedMs: number;
  readonly traffic: DemoTrafficResult;
  readonly problems: readonly DemoProblem[];
  /** The temporary folder the demo used; gone once `runDemo` returns. */
  readonly dir: string;
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
  night: "order at night, pay later",
};

const englishPlural = new Intl.PluralRules("en");
/** `1 customer`, `2 customers`: the count with the noun in the form English wants for it. */
export const countOf = (count: number, one: string, other: string): string => `${count} ${englishPlural.select(count) === "one" ? one : other}`;

const timeFormat = new Intl.DateTimeFormat("en-GB", { timeStyle: "short", timeZone: demoTimeZone });
const dateFormat = new Intl.DateTimeFormat("en-GB", { dateStyle: "full", timeZone: demoTimeZone });

/**
 * What the customers' visits covered, as the header says it: `A day at the shop: Monday,
 * 23 November 2026, 08:00–21:52`, or across days `5 days at the shop: Monday, 23 November 2026,
 * 08:00 – Friday, 27 November 2026, 19:43`, in the demo's time zone.
 */
export function spanTitle(firstAt: number, lastAt: number): string {
  const firstDay = dayOf(firstAt, demoTimeZone);
  const lastDay = dayOf(lastAt, demoTimeZone);
  if (firstDay === lastDay) return `☕ A day at the shop: ${dateFormat.format(firstAt)}, ${timeFormat.format(firstAt)}–${timeFormat.format(lastAt)} (${demoTimeZone})`;
  const days = Math.round((Date.parse(`${lastDay}T00:00:00Z`) - Date.parse(`${firstDay}T00:00:00Z`)) / 86_400_000) + 1;
  return `☕ ${days} days at the shop: ${dateFormat.format(firstAt)}, ${timeFormat.format(firstAt)} – ${dateFormat.format(lastAt)}, ${timeFormat.format(lastAt)} (${demoTimeZone})`;
}

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
  print("Both bots talk to a local Bot API stand-in, which also plays Telegram's Stars payments; the\n");
  print("store is a temporary SQLite file, its catalog seeded from the sample shop; orders are actors,\n");
  print("paid with Stars or on delivery; the AI is the OpenAI adapter on a local stand-in. No tokens, no network.\n\n");

  const world = await startDemoWorld({ start: options.start ?? demoDayStart });
  try {
    const traffic = await runDemoTraffic(world, {
      ...(options.customers !== undefined ? { customers: options.customers } : {}),
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
      ...(options.progress ? { onVisit: options.progress } : {}),
    });
    print(`${rule(spanTitle(traffic.firstAt, traffic.lastAt))}\n`);
    const mix = (Object.entries(traffic.journeys) as [JourneyKind, number][])
      .filter(([, count]) => count > 0)
      .map(([kind, count]) => `${count} ${journeyNames[kind]}`)
      .join(" · ");
    const stars = traffic.starsPaid > 0 ? ` (${traffic.starsPaid} paid with Telegram Stars)` : "";
    const who = `${countOf(traffic.customers, "customer", "customers")} sent ${countOf(traffic.updates, "update", "updates")} to the shop bot and placed ${countOf(traffic.orders, "order", "orders")}${stars}.`;
    print(indent(`${who}\nJourneys: ${mix}.\n`));
    print("\n");

    const looksAt = ownerLooksAfter(traffic.lastAt);
    world.clock.setAtLeast(looksAt);
    // What fell due before the owner looks (an unpaid order's hour) happens first, as it would have.
    await world.settle();
    print(`The owner (Telegram id ${demoOwnerId}) opens the CRM bot on ${dateFormat.format(looksAt)} at ${timeFormat.format(looksAt)}. Each screen below is what the stand-in shows them.\n\n`);
    for (const stop of await ownerTour(world, traffic.hero)) print(printStop(stop));

    const problems = world.problems;
    if (problems.length > 0) {
      print(`${rule("⚠ The bots logged problems")}\n`);
      for (const problem of problems) print(`  ${problem.level} ${problem.event} ${JSON.stringify(problem.fields)}\n`);
      print("\n");
    }
    const elapsedMs = performance.now() - started;
    print(`Done in ${(elapsedMs / 1000).toFixed(1)} s; the temporary database is deleted.\n`);
    return { output, elapsedMs, traffic, problems, dir: world.dir };
  } finally {
    await world.close();
  }
}
