/**
 * A shop's day of customers, played through the real bots: each simulated customer sends the
 * updates a person would (`/start` with a deep link, button presses on the messages the bot really
 * showed, typed searches, a shared contact, questions to the consultant), and most drop off on the
 * way, as people do. Seeded, so one seed always plays the same day; `npm run demo` and
 * `npm run inspect` both run it.
 */

import type { User } from "grammy/types";
import { random } from "../../bench/figures.ts";
import type { DemoChat } from "./demoChat.ts";
import { consultantQuestions, demoAddress, demoPerson, demoPhone, demoSource, pick, searchQueries, type DemoSource } from "./demoPeople.ts";
import type { DemoWorld } from "./demoWorld.ts";

/** How far a customer goes: from only pressing Start to buying twice; `night` orders late with Stars and pays later. */
export type JourneyKind = "look" | "browse" | "search" | "cart" | "checkout" | "buy" | "repeat" | "ask" | "hero" | "night";

/** How a buyer pays at checkout: on delivery, with Telegram Stars at once, or with Stars later (or never: the order is cancelled when its hour is up). */
export type PayChoice = "cash" | "stars" | "stars-later";

/** Options for {@link runDemoTraffic}. */
export interface DemoTrafficOptions {
  /** How many customers come during the day (default 50). */
  readonly customers?: number;
  /** The PRNG seed: the same seed plays the same day (default 2026). */
  readonly seed?: number;
  /** Called before each customer's visit, e.g. to slow the day down for a watching developer. */
  readonly beforeVisit?: (userId: number) => Promise<void> | void;
  /** Called after each visit with how many of all the visits are played: the CLI's progress bar. */
  readonly onVisit?: (done: number, total: number) => void;
}

/** What the day produced, for the demo's summary line. */
export interface DemoTrafficResult {
  readonly customers: number;
  readonly updates: number;
  readonly orders: number;
  /** Orders paid with Telegram Stars through the stand-in (a pre-checkout query answered, then the payment). */
  readonly starsPaid: number;
  readonly journeys: Readonly<Record<JourneyKind, number>>;
  /** When the first visit began and the last one ended (epoch ms): many customers take more than a day, one after another. */
  readonly firstAt: number;
  readonly lastAt: number;
  /** The scripted repeat customer who talks to the consultant: the client card the demo opens. */
  readonly hero: User;
}

/** The scripted customer, id 501: consents, asks the consultant twice, buys, and comes back to buy again. */
export const heroUser: User = { id: 501, is_bot: false, first_name: "Анна", last_name: "Смирнова", username: "anna_smirnova", language_code: "ru" };

const hour = 3_600_000;
/** The share of each journey among the non-scripted customers (weights out of 49). */
const journeyWeights: readonly (readonly [Exclude<JourneyKind, "hero">, number])[] = [
  ["look", 10], ["browse", 9], ["search", 5], ["cart", 7], ["checkout", 3], ["buy", 8], ["repeat", 4], ["ask", 3],
];

interface Plan {
  readonly kind: JourneyKind;
  readonly user: User;
  readonly source: DemoSource;
  consent: "accept" | "decline" | "ignore";
  forget: boolean;
}

interface Visit {
  readonly plan: Plan;
  readonly at: number;
  readonly second: boolean;
}

function shuffle<T>(rng: () => number, items: T[]): T[] {
  for (let index = items.length - 1; index > 0; index -= 1) {
    const other = Math.floor(rng() * (index + 1));
    [items[index], items[other]] = [items[other] as T, items[index] as T];
  }
  return items;
}

/**
 * Journey kinds for `count` customers: the scripted regular, the late Stars order when there are
 * three or more, and the rest in the weights' proportions, every kind at least once when there is room.
 */
function journeyKinds(count: number, rng: () => number): JourneyKind[] {
  const scripted: JourneyKind[] = count >= 3 ? ["hero", "night"] : ["hero"];
  const rest = Math.max(0, count - scripted.length);
  const total = journeyWeights.reduce((sum, [, weight]) => sum + weight, 0);
  const shares = journeyWeights.map(([kind, weight]) => {
    const exact = (weight * rest) / total;
    return { kind, count: Math.max(rest >= journeyWeights.length ? 1 : 0, Math.floor(exact)), left: exact - Math.floor(exact) };
  });
  // What the whole shares leave goes to the largest remainders, so the mix stays in proportion.
  let unplaced = rest - shares.reduce((sum, share) => sum + share.count, 0);
  for (const share of [...shares].sort((a, b) => b.left - a.left)) {
    if (unplaced <= 0) break;
    share.count += 1;
    unplaced -= 1;
  }
  const kinds = shares.flatMap(({ kind, count: times }) => Array<JourneyKind>(times).fill(kind));
  return count > 0 ? [...scripted.slice(0, count), ...shuffle(rng, kinds.slice(0, rest))] : [];
}

function plans(count: number, rng: () => number): Plan[] {
  const all = journeyKinds(count, rng).map((kind, index): Plan => {
    const user = kind === "hero" ? heroUser : demoPerson(rng, heroUser.id + index);
    const source = kind === "hero" ? "instagram_ads" : demoSource(rng);
    const accepts = kind === "hero" || kind === "ask" ? 1 : kind === "buy" || kind === "repeat" ? 0.5 : 0.25;
    return { kind, user, source, consent: rng() < accepts ? "accept" : "ignore", forget: false };
  });
  // One or two say "not now" to keeping the chat; one who shopped a little erases their data.
  for (const plan of all.filter((candidate) => (candidate.kind === "look" || candidate.kind === "browse") && candidate.consent === "ignore").slice(0, 2)) plan.consent = "decline";
  const forgetter = all.find((candidate) => candidate.kind === "cart");
  if (forgetter) {
    forgetter.consent = "accept";
    forgetter.forget = true;
  }
  return all;
}

/**
 * First visits spread over 08:00–21:30 of the day; repeat customers come back two to six hours
 * later (by 22:00); the night customer comes at 22:12, after everyone, so their order still waits
 * for its payment when the owner looks.
 */
function visits(all: readonly Plan[], dayStart: number, rng: () => number): Visit[] {
  const list = all.flatMap((plan): Visit[] => {
    if (plan.kind === "hero") return [{ plan, at: dayStart + 2.2 * hour, second: false }, { plan, at: dayStart + 10.7 * hour, second: true }];
    if (plan.kind === "night") return [{ plan, at: dayStart + 14.2 * hour, second: false }];
    const at = dayStart + Math.floor(rng() * 13.5 * hour);
    if (plan.kind !== "repeat") return [{ plan, at, second: false }];
    return [{ plan, at, second: false }, { plan, at: Math.min(at + (2 + rng() * 4) * hour, dayStart + 14 * hour), second: true }];
  });
  return list.sort((a, b) => a.at - b.at || a.plan.user.id - b.plan.user.id);
}

/**
 * Plays a day of customers through `world`'s shop bot, starting at its clock's time (take it as
 * 08:00), one visit after another in time order, with a few seconds to a minute between a
 * customer's actions. Resolves once every event is committed.
 */
export async function runDemoTraffic(world: DemoWorld, options: DemoTrafficOptions = {}): Promise<DemoTrafficResult> {
  const rng = random(options.seed ?? 2026);
  const dayStart = world.clock.now();
  const all = plans(options.customers ?? 50, rng);
  const chats = new Map(all.map((plan) => [plan.user.id, world.customer(plan.user)]));
  const before = world.delivered.shop;
  const tally = { starsPaid: 0 };

  const planned = visits(all, dayStart, rng);
  let played = 0;
  for (const visit of planned) {
    await options.beforeVisit?.(visit.plan.user.id);
    world.clock.setAtLeast(visit.at);
    const chat = chats.get(visit.plan.user.id);
    if (chat) await playVisit(journeyOf(world, chat, rng, tally), visit);
    played += 1;
    options.onVisit?.(played, planned.length);
  }
  await world.runtime.settled();

  const journeys = Object.fromEntries([...journeyWeights.map(([kind]) => [kind, 0]), ["hero", 0], ["night", 0]]) as Record<JourneyKind, number>;
  for (const plan of all) journeys[plan.kind] += 1;
  const orders = [...chats.values()].reduce((sum, chat) => sum + chat.messages().filter((message) => message.text?.startsWith("✅ Заказ")).length, 0);
  const firstAt = planned[0]?.at ?? dayStart;
  return { customers: all.length, updates: world.delivered.shop - before, orders, starsPaid: tally.starsPaid, journeys, hero: heroUser, firstAt, lastAt: world.clock.now() };
}

/** The moves one customer can make, each after a pause of a few seconds to a minute; `tally` counts their Stars payments. */
function journeyOf(world: DemoWorld, chat: DemoChat, rng: () => number, tally: { starsPaid: number }) {
  const act = async (move: () => Promise<void>): Promise<void> => {
    world.clock.advance(4_000 + Math.floor(rng() * 40_000));
    await move();
  };
  /** Presses a menu button; when no message shows it any more, opens the menu first, as a person would. */
  const tap = (label: string): Promise<void> =>
    act(async () => {
      if (!chat.messages().some((message) => world.telegram.buttonsOf(message).some((button) => button.text === label))) await chat.command("menu");
      await chat.press(label);
    });
  const productIdOf = (data: string | undefined): string => data?.split(".")[2] ?? "";
  /** Opens a product of the category or results on screen; `forSale` skips those with limited or no stock. */
  const openProduct = async (forSale: boolean): Promise<boolean> => {
    const buttons = chat.buttonsFor("prod").filter((button) => !forSale || world.catalog.product(productIdOf(button.callback_data))?.stock === undefined);
    if (buttons.length === 0) return false;
    await act(() => chat.press(pick(rng, buttons).text));
    return true;
  };
  const openCategory = async (favourites: boolean): Promise<void> => {
    await tap("🛍 Каталог");
    const categories = chat.buttonsFor("cat");
    const liked = favourites ? categories.filter((button) => button.callback_data?.includes(".coffee.") || button.callback_data?.includes(".tea.")) : categories;
    await act(() => chat.press(pick(rng, liked.length > 0 ? liked : categories).text));
  };

  return {
    chat,
    rng,
    act,
    async arrive(plan: Plan, second: boolean): Promise<void> {
      await act(() => chat.start(second ? undefined : (plan.source ?? undefined)));
      if (second) return;
      if (plan.consent === "accept") await act(() => chat.press("✅ Согласен"));
      if (plan.consent === "decline") await act(() => chat.press("Не сейчас"));
    },
    async browse(products: number): Promise<void> {
      await openCategory(false);
      for (let index = 0; index < products; index += 1) {
        if (index > 0) await act(() => chat.press("◀️ Назад"));
        if (!(await openProduct(false))) return;
      }
    },
    async search(query: string, open: boolean): Promise<void> {
      await tap("🔍 Поиск");
      await act(() => chat.send(query));
      if (open) await openProduct(false);
    },
    /** Puts one to `count` products in the cart from a favourite category; false when none could be added. */
    async fillCart(count: number): Promise<boolean> {
      let added = 0;
      for (let index = 0; index < count; index += 1) {
        await openCategory(index === 0);
        if (!(await openProduct(true))) continue;
        await act(() => chat.press("🛒 В корзину"));
        added += 1;
      }
      return added > 0;
    },
    async openCart(): Promise<void> {
      const label = chat.buttonStarting("🛒 Корзина");
      if (label) await act(() => chat.press(label));
      else await tap("🛒 Корзина");
    },
    /**
     * From the cart: phone, delivery, confirmation, and how to pay; `until` stops early, as an
     * abandoned checkout. With Stars the invoice comes at once, and `stars` pays it through the
     * stand-in (`stars-later` leaves it: the order waits for its payment, then is cancelled).
     */
    async checkout(until: "phone" | "delivery" | "summary" | "order", address: string, pay: PayChoice = "cash"): Promise<void> {
      await act(() => chat.press("✅ Оформить заказ"));
      if (until === "phone") return;
      const typed = rng() < 0.35;
      await act(() => (typed ? chat.send(demoPhone(rng, true)) : chat.shareContact(demoPhone(rng, false))));
      if (until === "delivery") return;
      await act(() => chat.send(address));
      if (until === "summary") return;
      await act(() => chat.press("✅ Подтвердить заказ"));
      const method = pay === "cash" ? "💵 При получении" : chat.buttonStarting("⭐ Telegram Stars");
      if (!method) throw new Error(`the checkout offers no Stars: ${JSON.stringify(chat.screen())}`);
      await act(() => chat.press(method));
      if (pay !== "stars") return;
      world.clock.advance(20_000 + Math.floor(rng() * 40_000));
      const paid = await chat.pay();
      if (paid.outcome !== "paid") throw new Error(`a Stars payment did not go through: ${paid.outcome}`);
      tally.starsPaid += 1;
    },
    async ask(questions: readonly string[], leave: boolean): Promise<void> {
      await tap("💬 Спросить консультанта");
      for (const question of questions) await act(() => chat.send(question));
      if (leave) await act(() => chat.press("◀️ Выйти из чата с консультантом"));
    },
    async forget(): Promise<void> {
      await act(() => chat.command("forget"));
      await act(() => chat.press("Да, удалить всё"));
    },
  };
}

type Journey = ReturnType<typeof journeyOf>;

function twoQuestions(rng: () => number): string[] {
  const first = pick(rng, consultantQuestions);
  const second = pick(rng, consultantQuestions.filter((question) => question !== first));
  return [first, second];
}

/** About a third of buyers pay with Stars, and one in five of those leaves the invoice unpaid. */
function payChoice(rng: () => number): PayChoice {
  if (rng() >= 0.35) return "cash";
  return rng() < 0.2 ? "stars-later" : "stars";
}

async function playVisit(journey: Journey, visit: Visit): Promise<void> {
  const { plan, second } = visit;
  const { rng } = journey;
  await journey.arrive(plan, second);
  switch (plan.kind) {
    case "look":
      return;
    case "browse":
      return journey.browse(1 + Math.floor(rng() * 3));
    case "search":
      await journey.search(pick(rng, searchQueries), rng() < 0.6);
      if (rng() < 0.4) await journey.search(pick(rng, searchQueries), false);
      return;
    case "cart":
      if (!(await journey.fillCart(1 + Math.floor(rng() * 2)))) return;
      if (rng() < 0.5) await journey.openCart();
      if (plan.forget) await journey.forget();
      return;
    case "checkout":
      if (!(await journey.fillCart(1))) return;
      await journey.openCart();
      return journey.checkout(pick(rng, ["phone", "delivery", "summary"] as const), demoAddress(rng));
    case "ask":
      await journey.ask(twoQuestions(rng), rng() < 0.5);
      if (rng() < 0.5) await journey.browse(1);
      return;
    case "buy":
    case "repeat":
      if (plan.consent === "accept" && !second && rng() < 0.3) await journey.ask(twoQuestions(rng).slice(0, 1), true);
      if (!(await journey.fillCart(1 + Math.floor(rng() * 2)))) return;
      await journey.openCart();
      return journey.checkout("order", demoAddress(rng), payChoice(rng));
    case "hero":
      return playHero(journey, second);
    case "night":
      if (!(await journey.fillCart(1))) return;
      await journey.openCart();
      return journey.checkout("order", demoAddress(rng), "stars-later");
  }
}

/** Anna: asks about coffee and something sweet, buys Ethiopian beans to pay on delivery; in the evening, comes back for more and chocolate, and pays with Stars. */
async function playHero(journey: Journey, second: boolean): Promise<void> {
  const { chat, act } = journey;
  const buyEthiopia = async (): Promise<void> => {
    await journey.search("эфиопия", false);
    const label = chat.buttonStarting("Эфиопия Иргачеффе");
    if (label) await act(() => chat.press(label));
    await act(() => chat.press("🛒 В корзину"));
  };
  if (!second) {
    await journey.ask(["Какой кофе посоветуете для турки?", "А что сладкое взять к эфиопскому кофе?"], true);
    await buyEthiopia();
    await journey.openCart();
    return journey.checkout("order", "Москва, Пятницкая, 12, кв. 4. Позвоните за час.");
  }
  await journey.search("шоколад", false);
  const chocolate = chat.buttonStarting("Шоколад горький");
  if (chocolate) {
    await act(() => chat.press(chocolate));
    await act(() => chat.press("🛒 В корзину"));
  }
  await buyEthiopia();
  await journey.openCart();
  await journey.checkout("order", "Москва, Пятницкая, 12, кв. 4. Домофон 4.", "stars");
}
