/**
 * The customers of the crash test (adapters/crashUnderLoad.test.ts): people who act through the Bot
 * API stand-in while `npm start` is killed under them, and remember what they were told.
 *
 * A customer does one thing at a time and waits for its acknowledgement. When a kill took their
 * update with it (the dead process had confirmed it and never answered), they do it again, as a
 * person would who got no answer; an update a kill did not take is simply answered later by the
 * next process. Every acknowledgement is recorded as a {@link Told}, with the event key it stands
 * for, so that the store can be checked against it after each restart.
 */
import type { Update, User } from "grammy/types";
import { shopButtons } from "../telegram/shop/shopButtons.ts";
import type { BotApiStandIn } from "../telegram/testing/botApiStandIn.ts";
import * as updates from "../telegram/testing/telegramUpdates.ts";
import type { Seen, TellingObserver } from "./crashObserver.ts";

/** One acknowledgement a customer saw, and what it promises is stored. */
export interface Told {
  readonly userId: number;
  readonly what: string;
  /** What the customer read. */
  readonly text: string;
  readonly updateId: number | null;
  /** The key of the event this acknowledgement stands for, if it stands for one. */
  readonly key: string | null;
  /** For "Added … (N in the cart)": the product, N, and how many orders the customer had been told of before. */
  readonly added?: { readonly productId: string; readonly count: number; readonly epoch: number };
  readonly orderId?: string;
  /** The consultant's answer, as it reached the chat. */
  readonly answer?: string;
  readonly reminder?: true;
}

/** What the customers share: the stand-in, what it was told, and the record of acknowledgements. */
export interface CrashShop {
  readonly api: BotApiStandIn;
  readonly observer: TellingObserver;
  readonly token: string;
  readonly told: Told[];
}

/** What a customer looks at after pushing an update: the chat since then, and the answer to their press. */
export interface AckView {
  readonly updateId: number;
  /** The first message since the push whose text matches. */
  message(pattern: RegExp): Seen | undefined;
  /** The answer to the pressed button, if the update was a press and it was answered. */
  answer(): string | undefined;
}

const lost = Symbol("lost");
type Lost = typeof lost;

const addedText = /^Добавлено: .+ \((\d+) шт\. в корзине\)$/;
const wentWrong = /Что-то пошло не так/;
const emptyCart = /^Корзина пуста/;
/** The visible start of the abandoned-cart reminder. */
export const reminderText = /^🛒 Вы оставили товары в корзине/;
/** The visible start of the consultant stand-in's answers: see {@link consultantReply}. */
export const answerText = /^Совет №\d+:/;

let replies = 0;
/** What the AI stand-in answers: never the question itself, so a question is only where the customer put it. */
export const consultantReply = (): string => `Совет №${++replies}: попробуйте эрл грей.`;

/** How long a customer waits for any one acknowledgement across kills and restarts, unless a test says otherwise. */
const defaultPatienceMs = 90_000;

/** One person in the shop's chat: what they do, one step at a time, and what they were told. */
export class Customer {
  readonly shop: CrashShop;
  readonly user: User;
  readonly id: number;
  /** How many orders this customer has been told of: carts before and after an order are apart. */
  epoch = 0;
  /**
   * How long the customer waits for any one acknowledgement. With several processes on PostgreSQL
   * a reply whose effect a killed process had claimed waits for the claim's lease, once per kill.
   */
  patienceMs = defaultPatienceMs;
  /** Set once the customer starts to erase their data: the cart check leaves them out from then on. */
  erasing = false;
  private readonly answers = new Set<string>();
  /** Where the current cart's messages begin: a reminder of an earlier cart is not this one's. */
  private cartFrom = 0;

  constructor(shop: CrashShop, user: User) {
    this.shop = shop;
    this.user = user;
    this.id = user.id;
  }

  /** Pushes the update `make` builds and waits for what `ack` recognises, or until a kill took the update. */
  async attempt<T>(what: string, make: () => Update, ack: (view: AckView) => T | undefined): Promise<T | Lost> {
    const { api, observer, token } = this.shop;
    const from = observer.mark();
    const update = api.pushUpdate(make(), { token });
    const queryId = update.callback_query?.id;
    const view: AckView = {
      updateId: update.update_id,
      message: (pattern) => observer.chat(token, this.id, from).find((seen) => pattern.test(seen.text)),
      answer: () => (queryId === undefined ? undefined : observer.answer(queryId)),
    };
    const deadline = Date.now() + this.patienceMs;
    for (;;) {
      await observer.next();
      const result = ack(view);
      if (result !== undefined) return result;
      const failed = view.message(wentWrong);
      if (failed) throw new Error(`customer ${this.id} was told "${failed.text}" after ${what} (update ${update.update_id})`);
      if (observer.isLost(token, update.update_id)) return lost;
      if (Date.now() > deadline) throw new Error(`customer ${this.id} was told nothing for ${this.patienceMs / 1000} s after ${what} (update ${update.update_id}); the chat shows ${this.lastTexts()}`);
    }
  }

  /** {@link attempt}, again and again until the customer is answered. */
  async retrying<T>(what: string, make: () => Update, ack: (view: AckView) => T | undefined): Promise<T> {
    for (let tries = 0; tries < 30; tries++) {
      const result = await this.attempt(what, make, ack);
      if (result !== lost) return result;
    }
    throw new Error(`customer ${this.id}: ${what} was lost to 30 kills in a row`);
  }

  /** A press of a button with `data` on the newest message of the chat. */
  press(data: string): Update {
    const message = this.shop.api.lastMessage(this.id, this.shop.token);
    if (!message) throw new Error(`customer ${this.id} has no message to press ${data} on`);
    return updates.callback(this.user, data, message);
  }

  private tell(view: AckView, told: Omit<Told, "userId" | "updateId">): true {
    this.shop.told.push({ userId: this.id, updateId: view.updateId, ...told });
    return true;
  }

  private lastTexts(): string {
    return JSON.stringify(this.shop.observer.chat(this.shop.token, this.id).slice(-3).map((seen) => seen.text.slice(0, 80)));
  }

  /** `/start`, then consent to the terms. */
  async begin(): Promise<void> {
    await this.retrying("/start", () => updates.command(this.user, "start"), (view) => {
      const greeting = view.message(/Здравствуйте/);
      return greeting && this.tell(view, { what: "/start", text: greeting.text, key: `shop:${view.updateId}:start` });
    });
    await this.retrying("consent", () => this.press(shopButtons.encode("cons", true)), (view) => {
      const thanks = view.message(/^Спасибо! Согласие/);
      return thanks && this.tell(view, { what: "consent", text: thanks.text, key: `shop:${view.updateId}:consent_given` });
    });
  }

  /** One more of a product into the cart; returns how many the customer was told the cart holds. */
  async add(productId: string): Promise<number> {
    return this.retrying(`add ${productId}`, () => this.press(shopButtons.encode("add", productId)), (view) => {
      const answer = view.answer();
      if (answer === undefined) return undefined;
      const count = Number(addedText.exec(answer)?.[1] ?? Number.NaN);
      if (!Number.isInteger(count)) throw new Error(`customer ${this.id} pressed add ${productId} and was told "${answer}"`);
      this.tell(view, { what: `add ${productId}`, text: answer, key: `shop:${view.updateId}:add_to_cart`, added: { productId, count, epoch: this.epoch } });
      return count;
    });
  }

  /** Checkout to the end: phone, delivery, summary, confirm. A step lost to a kill starts the checkout again. */
  async checkout(phone: string, address: string): Promise<string> {
    for (let round = 0; round < 30; round++) {
      const started = await this.attempt("checkout", () => this.press(shopButtons.encode("co")), (view) => {
        if (view.answer() !== undefined && emptyCart.test(view.answer() ?? "")) throw new Error(`customer ${this.id} was told the cart is empty at checkout`);
        const asked = view.message(/Оформление заказа/);
        return asked && this.tell(view, { what: "checkout", text: asked.text, key: `shop:${view.updateId}:checkout_started` });
      });
      if (started === lost) continue;
      const phoned = await this.attempt("phone", () => updates.privateText(this.user, phone), (view) => {
        const asked = view.message(/Шаг 2 из 3/);
        return asked && this.tell(view, { what: "phone", text: asked.text, key: `shop:${view.updateId}:contact_shared` });
      });
      if (phoned === lost) continue;
      const orderId = await this.attempt("delivery", () => updates.privateText(this.user, address), (view) => {
        const summary = view.message(/Шаг 3 из 3/);
        const ok = summary?.buttons.find((data) => data.startsWith("s1.ok."));
        if (!summary || !ok) return undefined;
        this.tell(view, { what: "delivery", text: summary.text, key: `shop:${view.updateId}:delivery_given` });
        return ok.slice("s1.ok.".length);
      });
      if (orderId === lost) continue;
      const placed = await this.confirm(orderId);
      if (placed) return orderId;
    }
    throw new Error(`customer ${this.id} could not check out in 30 rounds`);
  }

  /** Presses confirm until told the order is placed (true), or that this checkout is over (false: start again). */
  private async confirm(orderId: string): Promise<boolean> {
    for (let tries = 0; tries < 30; tries++) {
      const placed = await this.attempt(`confirm ${orderId}`, () => this.press(shopButtons.encode("ok", orderId)), (view) => {
        const notice = view.message(new RegExp(`Заказ ${orderId} оформлен!`));
        if (notice) return this.tell(view, { what: `confirm ${orderId}`, text: notice.text, key: `order:${orderId}`, orderId });
        return view.answer()?.startsWith("Это оформление уже завершено") ? false : undefined;
      });
      if (placed === lost) continue;
      if (placed) {
        this.epoch += 1;
        this.cartFrom = this.shop.observer.mark();
      }
      return placed;
    }
    throw new Error(`customer ${this.id}: confirm ${orderId} was lost to 30 kills in a row`);
  }

  async enterConsultant(): Promise<void> {
    await this.retrying("consultant", () => this.press(shopButtons.encode("ai")), (view) => {
      const intro = view.message(/^💬 Консультант/);
      return intro && this.tell(view, { what: "consultant", text: intro.text, key: `shop:${view.updateId}:consultant_entered` });
    });
  }

  /**
   * The questions (update ids) the consultant answered "too slow", when a test allows that answer:
   * with several processes on PostgreSQL, the AI call of a question in flight in a killed process is
   * made again only once another process takes over its claim, which may come after the answer's
   * deadline. The customer then asks again. Undefined (the default): "too slow" fails the customer.
   */
  tooSlow: number[] | undefined;

  /**
   * Asks the consultant and waits for the answer, which comes as an effect, not as the reply to
   * the question. A question lost to a kill is asked again; "still answering" means it was not.
   */
  async ask(question: string): Promise<string> {
    for (;;) {
      const answered = await this.retrying(`question "${question}"`, () => updates.privateText(this.user, question), (view) => {
        const { observer, token } = this.shop;
        const answer = observer.chat(token, this.id).find((seen) => answerText.test(seen.text) && !this.answers.has(seen.text));
        if (answer) {
          this.answers.add(answer.text);
          this.tell(view, { what: "question", text: answer.text, key: null, answer: answer.text });
          return answer.text;
        }
        const failed = view.message(/^Консультант (сейчас не смог ответить|отвечает слишком долго)/);
        if (failed && this.tooSlow && failed.text.startsWith("Консультант отвечает слишком долго")) {
          this.tooSlow.push(view.updateId);
          return null;
        }
        if (failed) throw new Error(`customer ${this.id} asked the consultant and was told "${failed.text}"`);
        return undefined;
      });
      if (answered !== null) return answered;
    }
  }

  /** Waits for the abandoned-cart reminder, which comes on its own a minute after the last add. */
  async awaitReminder(patience: number): Promise<void> {
    const { observer, token } = this.shop;
    const deadline = Date.now() + patience;
    for (;;) {
      await observer.next();
      const reminder = observer.chat(token, this.id, this.cartFrom).find((seen) => reminderText.test(seen.text));
      if (reminder) {
        this.shop.told.push({ userId: this.id, updateId: null, what: "reminder", text: reminder.text, key: null, reminder: true });
        return;
      }
      if (Date.now() > deadline) throw new Error(`customer ${this.id} left a cart and got no reminder in ${patience / 1000} s; the chat shows ${this.lastTexts()}`);
    }
  }

  /** `/forget`: the question whether to erase everything. */
  async askToForget(): Promise<void> {
    this.erasing = true;
    await this.retrying("/forget", () => updates.command(this.user, "forget"), (view) => (view.message(/^🗑 Удалить ваши личные данные\?/) ? true : undefined));
  }

  /**
   * "Yes, erase everything", once: true when the customer was told it is done, false when a kill
   * took the press. `pushed` is called right after the press is queued.
   */
  async confirmForget(pushed: () => void = () => {}): Promise<boolean> {
    const result = await this.attempt(
      "forget",
      () => {
        const update = this.press(shopButtons.encode("forget", true));
        queueMicrotask(pushed);
        return update;
      },
      (view) => {
        const done = view.message(/^Готово\. Удалено/);
        return done && this.tell(view, { what: "forget", text: done.text, key: `shop:${view.updateId}:forget` });
      },
    );
    return result !== lost;
  }
}
