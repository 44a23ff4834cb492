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
 * AI summary, the orders and the daily report. Returns each screen as the owner saw it.
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

  await owner.command("start");
  await owner.press("🧾 Заказы");
  look("🧾 Orders");
  await owner.command("crm");
  await owner.press("📅 Отчёт за день");
  look("📅 Daily report");
  await world.runtime.settled();
  return stops;
}
