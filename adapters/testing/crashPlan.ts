/**
 * Who the customers of the crash test (adapters/crashUnderLoad.test.ts) are and what each does:
 * some fill a cart and leave it (the reminder comes a minute later), some check out and confirm
 * (half of them then fill a new cart and leave it), some ask the consultant, and a few give
 * everything personal there is and then erase it with `/forget`, with the process killed around
 * the press when the test says so.
 */
import * as updates from "../telegram/testing/telegramUpdates.ts";
import { Customer, type CrashShop } from "./crashCustomers.ts";

/** Products with no photo and no stock limit: every press adds one. */
const products = ["kenya-aa", "colombia-supremo", "brazil-santos", "espresso-utro", "tieguanyin", "da-hong-pao", "assam", "earl-grey", "ezhik", "v60-filters", "gaiwan", "cantuccini", "caramel-syrup", "buckwheat-honey"];

/** How long a customer who left a cart waits for the reminder (due a minute after the last add). */
const reminderPatienceMs = 150_000;

/** An Etc/GMT zone where it is 13:00 now, so quiet hours (22:00–09:00) defer no reminder during a crash test. */
export function daytimeZone(now: Date): string {
  const offset = ((13 - now.getUTCHours() + 36) % 24) - 12;
  return offset === 0 ? "Etc/GMT" : offset > 0 ? `Etc/GMT-${offset}` : `Etc/GMT+${-offset}`;
}

/** mulberry32: CRASH_SEED=<n> plays the same customers with the same kills again. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** What a forgetting customer gives the shop, every piece of which must leave the store's files. */
export interface Pii {
  readonly name: string;
  readonly username: string;
  readonly phone: string;
  readonly address: string;
  readonly question: string;
}

/** A customer who will erase their data: they wait with the /forget question shown until the test opens the gate. */
export class Forgetter {
  readonly customer: Customer;
  readonly pii: Pii;
  /** The /forget question is on screen and the press is held back. */
  ready = false;
  opened = false;
  /** Told that their data is erased. */
  answered = false;
  private release: () => void = () => {};
  private pushedNow: () => void = () => {};
  readonly gate = new Promise<void>((resolve) => (this.release = resolve));
  /** Resolves once the first "Yes, erase everything" is queued at the stand-in. */
  readonly pushed = new Promise<void>((resolve) => (this.pushedNow = resolve));

  constructor(customer: Customer, pii: Pii) {
    this.customer = customer;
    this.pii = pii;
  }

  open(): void {
    this.opened = true;
    this.release();
  }

  markPushed(): void {
    this.pushedNow();
  }
}

/** A person's pause between two steps: 0.3 to 1.5 s, so that the customers keep the process busy through most of the kills. */
const pause = (random: () => number, least = 300, spread = 1_200): Promise<void> => new Promise((resolve) => setTimeout(resolve, least + Math.floor(random() * spread)));

/** Adds `lines` different products, each one to `most` times. */
async function fill(customer: Customer, random: () => number, lines: number, most: number): Promise<void> {
  const start = Math.floor(random() * products.length);
  for (let line = 0; line < lines; line++) {
    const productId = products[(start + line * 5) % products.length] ?? "kenya-aa";
    const times = 1 + Math.floor(random() * most);
    for (let time = 0; time < times; time++) {
      await customer.add(productId);
      await pause(random);
    }
  }
}

async function leaver(customer: Customer, random: () => number): Promise<void> {
  await customer.begin();
  await fill(customer, random, 2, 3);
  await customer.awaitReminder(reminderPatienceMs);
}

async function buyer(customer: Customer, random: () => number, again: boolean): Promise<void> {
  await customer.begin();
  await fill(customer, random, 1 + Math.floor(random() * 2), 3);
  await customer.checkout(`+7999100${customer.id}`, `Улица Нагрузки ${customer.id}`);
  if (!again) return;
  await pause(random, 1_000, 2_000);
  await fill(customer, random, 1, 2);
  await customer.awaitReminder(reminderPatienceMs);
}

async function asker(customer: Customer, random: () => number, withCart: boolean): Promise<void> {
  await customer.begin();
  if (withCart) await fill(customer, random, 1, 2);
  await customer.enterConsultant();
  await customer.ask(`Что взять к ужину, вариант ${customer.id}?`);
  await pause(random);
  await customer.ask(`А что к завтраку, вариант ${customer.id}?`);
  if (withCart) await customer.awaitReminder(reminderPatienceMs);
}

async function forgetter(who: Forgetter, random: () => number, onForgotten: (who: Forgetter) => void): Promise<void> {
  const { customer, pii } = who;
  await customer.begin();
  await fill(customer, random, 1, 2);
  await customer.checkout(pii.phone, pii.address);
  await customer.enterConsultant();
  await customer.ask(pii.question);
  await customer.askToForget();
  who.ready = true;
  await who.gate;
  let answered = await customer.confirmForget(() => who.markPushed());
  while (!answered) {
    await customer.askToForget();
    answered = await customer.confirmForget();
  }
  who.answered = true;
  onForgotten(who);
}

const forgetters: readonly Pii[] = [
  { name: "Евдокия", username: "evdokia_secret_handle", phone: "+79997651231", address: "Переулок Потаённый 21", question: "Секретный вопрос Евдокии о пуэре" },
  { name: "Прасковья", username: "praskovia_hidden_nick", phone: "+79997651232", address: "Тупик Незаметный 32", question: "Тайный вопрос Прасковьи о матче" },
  { name: "Феврония", username: "fevronia_private_name", phone: "+79997651233", address: "Проезд Укромный 43", question: "Личный вопрос Февронии о сенче" },
];

/** The customers under way, and a promise of their scripts' end. */
export interface Plan {
  readonly customers: readonly Customer[];
  readonly forgetters: readonly Forgetter[];
  /** Every customer's script, each settled: a customer who could not go on says why here. */
  readonly done: Promise<string[]>;
}

/**
 * Starts a few dozen customers over the first 40 s: 14 who leave a cart, 12 who
 * order (6 of whom then leave a second cart), 8 who ask the consultant (4 with a cart they leave),
 * and 3 who erase their data.
 */
export function startCustomers(shop: CrashShop, random: () => number, onForgotten: (who: Forgetter) => void): Plan {
  const customers: Customer[] = [];
  const scripts: Promise<void>[] = [];
  /** Starts a customer's script within `within` ms: the carts left alone are filled first, so their reminders fall due while the kills go on. */
  const run = (customer: Customer, script: () => Promise<void>, within: number): void => {
    customers.push(customer);
    scripts.push(pause(random, 0, within).then(script));
  };
  const guest = (id: number): Customer => new Customer(shop, updates.user(id, { first_name: `Гость${id}`, language_code: "ru" }));
  for (let i = 0; i < 14; i++) {
    const customer = guest(2_001 + i);
    run(customer, () => leaver(customer, random), 15_000);
  }
  for (let i = 0; i < 12; i++) {
    const customer = guest(2_101 + i);
    run(customer, () => buyer(customer, random, i % 2 === 0), 30_000);
  }
  for (let i = 0; i < 8; i++) {
    const customer = guest(2_201 + i);
    run(customer, () => asker(customer, random, i % 2 === 0), 40_000);
  }
  const erasing = forgetters.map((pii, i) => new Forgetter(new Customer(shop, updates.user(2_301 + i, { first_name: pii.name, username: pii.username, language_code: "ru" })), pii));
  for (const who of erasing) run(who.customer, () => forgetter(who, random, onForgotten), 5_000);
  const done = Promise.allSettled(scripts).then((results) => results.flatMap((result) => (result.status === "rejected" ? [result.reason instanceof Error ? result.reason.message : String(result.reason)] : [])));
  return { customers, forgetters: erasing, done };
}
