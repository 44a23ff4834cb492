import type { User } from "grammy/types";
import type { ChatScreen, DemoChat } from "./demoChat.ts";
import type { DemoWorld } from "./demoWorld.ts";

/** One screen of the owner's CRM bot as the owner saw it, with a heading for the printout. */
export interface TourStop {
  readonly title: string;
  readonly screen: ChatScreen;
  /** Print the button labels under the text (the leads list is its buttons). */
  readonly showButtons: boolean;
}

/** A client's name as the owner bot shows it: first and last name. */
const nameOf = (user: User): string => [user.first_name, user.last_name].filter(Boolean).join(" ");

/**
 * The owner's evening look at the day, through the owner bot's real buttons: the funnel, recent
 * leads, the client's card (found by @username, with a note and a tag added), the chat history, the
 * AI summary, the day's orders handled (see {@link handleOrders}), the orders by status, one order's
 * card with its history, and the daily report. Returns each screen as the owner saw it.
 */
export async function ownerTour(world: DemoWorld, client: User): Promise<TourStop[]> {
  const owner: DemoChat = world.ownerChat();
  const stops: TourStop[] = [];
  const look = (title: string, showButtons = false): void => void stops.push({ title, screen: owner.screen(), showButtons });
  const pressStarting = async (prefix: string): Promise<void> => {
    const label = owner.buttonStarting(prefix);
    if (!label) throw new Error(`the owner sees no button starting with ${prefix}: ${JSON.stringify(owner.screen().buttons)}`);
    await owner.press(label);
  };

  await owner.start();
  await owner.press("📊 CRM");
  await owner.press("📈 Воронка");
  look("📈 Funnel");
  await owner.press("👥 Последние лиды");
  look("👥 Recent leads", true);

  await owner.command("crm");
  await owner.press("🔍 Поиск");
  await owner.send(client.username ? `@${client.username}` : String(client.id));
  await pressStarting(`🌟 ${nameOf(client)}`);
  await owner.press("📝 Заметка");
  await owner.send("Любит светлую обжарку. Предложить подписку на Эфиопию.");
  await owner.press("🏷 Теги");
  await owner.press("▫️ vip");
  await owner.press("◀️ К карточке");
  look(`👤 Client card: ${nameOf(client)}`);
  await owner.press("📜 История");
  look("📜 History");
  await owner.press("◀️ К карточке");
  await owner.press("🧠 AI-сводка");
  look("🧠 AI summary");

  const card = await handleOrders(owner);
  await owner.command("start");
  await owner.press("🧾 Заказы");
  look("🧾 Orders");
  if (card) {
    await openOrder(owner, "✅ Доставлены", card);
    look(`🧾 Order ${card}`);
  }
  await owner.command("crm");
  await owner.press("📅 Отчёт за день");
  look("📅 Daily report");
  await world.runtime.settled();
  return stops;
}

/** The order buttons of a list (each names its order id), oldest last. */
const orderButtons = (owner: DemoChat): string[] => owner.screen().buttons.filter((label) => / SO-[0-9A-Z]+ · /.test(label));
const orderIdOf = (label: string): string => / (SO-[0-9A-Z]+) · /.exec(label)?.[1] ?? "";

/** Opens 🧾 Orders → a status's list; the order buttons on its first page. */
async function openList(owner: DemoChat, status: string): Promise<string[]> {
  await owner.command("start");
  await owner.press("🧾 Заказы");
  const list = owner.buttonStarting(status);
  if (!list) return [];
  await owner.press(list);
  return orderButtons(owner);
}

/** Opens an order's card from a status's list. */
async function openOrder(owner: DemoChat, status: string, orderId: string): Promise<void> {
  const button = (await openList(owner, status)).find((label) => orderIdOf(label) === orderId);
  if (button) await owner.press(button);
}

/**
 * The owner handles the day's orders paid on delivery, each from its card, oldest first, and
 * always leaves one new: the oldest is shipped with a tracking number and delivered; the next is
 * marked paid and shipped; the next is cancelled with a reason for the customer. Orders paid with
 * Stars stay paid, and an unpaid Stars order waits or was cancelled by its timer. Resolves with
 * the delivered order's id, or null when the day had too few orders.
 */
async function handleOrders(owner: DemoChat): Promise<string | null> {
  const moves: readonly ((owner: DemoChat) => Promise<void>)[] = [
    async () => {
      await owner.press("📦 Отправлен");
      await owner.send("СДЭК 1042 8834 17");
      await owner.press("✅ Доставлен");
    },
    async () => {
      await owner.press("💵 Оплачен");
      await owner.press("📦 Отправлен");
      await owner.press("⏭ Пропустить");
    },
    async () => {
      await owner.press("✖️ Отменить");
      await owner.send("Этот помол закончился. Предложили другой — оформите заказ заново, пожалуйста.");
    },
  ];
  let delivered: string | null = null;
  for (const move of moves) {
    const waiting = await openList(owner, "🆕 Новые");
    const oldest = waiting.at(-1);
    if (!oldest || waiting.length < 2) break;
    await owner.press(oldest);
    await move(owner);
    delivered ??= orderIdOf(oldest);
  }
  return delivered;
}
