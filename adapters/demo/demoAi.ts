/**
 * What the demo's "model" says: a reply function for the local chat-completions stand-in that reads
 * the real prompts the OpenAI adapter sends and answers plausibly from them, so the consultant and
 * the owner's AI summary work offline. No model, no network; the same request, the same answer.
 */

import type { ChatCompletionsBody } from "../openai/testing/chatCompletionsStandIn.ts";

const stopWords = new Set([
  "какой", "какая", "какие", "каким", "какую", "есть", "можно", "нужно", "нужна", "нужен", "хочу", "взять",
  "лучше", "посоветуйте", "посоветуете", "подойдёт", "подойдет", "сколько", "стоит", "чтобы", "самый", "что-нибудь",
  "what", "which", "have", "would", "recommend", "something",
]);

/** The part of a word that survives Russian endings well enough for a catalog match. */
function stemOf(word: string): string {
  if (word.length >= 7) return word.slice(0, 5);
  if (word.length >= 5) return word.slice(0, 4);
  return word;
}

const fold = (text: string): string => text.toLocaleLowerCase("ru").replaceAll("ё", "е");

/** The words of a question worth matching: four letters or more, not filler. */
function keywords(question: string): string[] {
  const words = fold(question).match(/[\p{L}-]{4,}/gu) ?? [];
  return [...new Set(words.filter((word) => !stopWords.has(word)).map(stemOf))];
}

interface CatalogLine {
  readonly title: string;
  /** The price as the catalog text gives it, e.g. `890 RUB`. */
  readonly price: string;
  /** Items left, when the catalog counts them; 0 is out of stock. */
  readonly left: number | undefined;
  readonly about: string;
  readonly text: string;
}

/** The product lines of the catalog in the consultant's system prompt: `- Title — price (stock): about`. */
function catalogLines(system: string): CatalogLine[] {
  const catalog = system.split("\nCatalog:\n")[1] ?? "";
  return catalog.split("\n").flatMap((line) => {
    const match = /^- (.+?) — ([^:(]+?)(?: \((?:(\d+) left|(out of stock))\))?(?::\s(.*))?$/.exec(line);
    if (!match?.[1] || !match[2]) return [];
    const left = match[4] ? 0 : match[3] ? Number(match[3]) : undefined;
    return [{ title: match[1], price: match[2].trim(), left, about: match[5] ?? "", text: fold(line) }];
  });
}

/** `890 RUB` → `890 ₽` in a Russian answer, as the shop bot itself writes prices. */
const rubles = (price: string): string => price.replace(/^([\d.,\s]+) RUB$/, "$1 ₽");

/**
 * The consultant: the catalog lines that best share stems with the question. A stem found in many
 * lines ("кофе") counts for less than a rare one ("турк"), as a reader would weigh them.
 */
function consult(system: string, question: string): string {
  const english = system.includes("Answer in English.");
  const lines = catalogLines(system).filter((line) => line.left !== 0);
  const stems = keywords(question);
  const weight = new Map(stems.map((stem) => [stem, 1 / Math.max(1, lines.filter((line) => line.text.includes(stem)).length)]));
  const scored = lines
    .map((line) => ({ line, score: stems.reduce((sum, stem) => sum + (line.text.includes(stem) ? (weight.get(stem) ?? 0) : 0), 0) }))
    .filter((entry) => entry.score > 0)
    .sort((a, b) => b.score - a.score);
  const [best, next] = scored;
  if (!best) {
    return english
      ? "The catalog says nothing about that, so please ask the shop in this chat. I can help you choose coffee, tea, sweets or brewing gear."
      : "В каталоге об этом ничего не сказано — уточните, пожалуйста, у магазина в чате. Могу помочь выбрать кофе, чай, сладости к ним или посуду для заваривания.";
  }
  const describe = ({ title, price, left }: CatalogLine): string =>
    english ? `${title}, ${price}${left ? ` (only ${left} left)` : ""}` : `«${title}» — ${rubles(price)}${left ? ` (осталось ${left} шт.)` : ""}`;
  const about = best.line.about ? ` ${best.line.about}` : "";
  const also = next && next.score >= best.score * 0.75 ? (english ? ` Also good: ${describe(next.line)}.` : ` Ещё подойдёт ${describe(next.line)}.`) : "";
  return english
    ? `I'd suggest ${describe(best.line)}.${about}${also} You can add it to the cart from the catalog.`
    : `Посоветую ${describe(best.line)}.${about}${also} Добавить в корзину можно из каталога.`;
}

const stageNames: Readonly<Record<string, string>> = {
  new: "новый лид",
  engaged: "интересуется каталогом",
  cart: "положил(а) товар в корзину",
  checkout: "начал(а) оформление",
  customer: "покупатель",
  repeat: "постоянный покупатель",
};

const field = (facts: string, name: string): string => new RegExp(`^${name}: (.*)$`, "m").exec(facts)?.[1]?.trim() ?? "";

/** `2026-11-23 07:12` (local time in the shop's zone, as the prompt gives times) → `23.11.2026`. */
const dayOf = (stamp: string | undefined): string => (stamp ? stamp.slice(0, 10).split("-").reverse().join(".") : "—");

/** The owner's client summary, in Russian, from the facts and the chat in the summary prompt. */
function summarize(user: string): string {
  const [facts = "", chat = ""] = user.split(/\n\nCHAT/);
  const stage = field(facts, "Stage now");
  const history = [...field(facts, "Stage history").matchAll(/(\w+) (\d{4}-\d\d-\d\d \d\d:\d\d)/g)];
  const orders = /^Orders: (\d+); lifetime value: (.+)$/m.exec(facts);
  const count = Number(orders?.[1] ?? 0);
  const lastItems = facts.split("\n").find((line) => line.startsWith("- SO-"))?.split(": ").slice(1).join(": ") ?? "";
  const asked = chat
    .split("\n")
    .flatMap((line) => /customer: (.+)$/.exec(line)?.[1] ?? [])
    .slice(-2);
  const tags = field(facts, "Tags");
  const notes = (facts.split("Owner's notes:")[1] ?? "")
    .split("\n")
    .filter((line) => line.startsWith("- "))
    .map((line) => line.slice(2).replace(/[.\s]+$/, ""));
  const who = count > 1 ? "Постоянный клиент" : count === 1 ? "Клиент с одной покупкой" : "Потенциальный клиент";
  const lines = [
    `• ${who}, в воронке с ${dayOf(history[0]?.[2])}.`,
    `• Этап: ${stageNames[stage] ?? stage} (с ${dayOf(history.at(-1)?.[2])}).`,
    count > 0 ? `• Заказов: ${count} на ${rubles(orders?.[2] ?? "—")}; последний: ${lastItems || "—"}.` : "• Заказов пока нет.",
    asked.length > 0 ? `• Спрашивал(а) консультанта: ${asked.map((text) => `«${text}»`).join(", ")}; тон дружелюбный.` : "• С консультантом не переписывался(лась).",
    tags !== "none" || notes.length > 0 ? `• Теги: ${tags === "none" ? "нет" : tags}; заметки: ${notes.join("; ") || "нет"}.` : "",
    count > 1
      ? "• Следующий шаг: предложить подписку на любимое зерно или набор к нему со скидкой."
      : count === 1
        ? "• Следующий шаг: через неделю спросить, понравилось ли, и предложить повторить заказ."
        : "• Следующий шаг: напомнить о корзине и подсказать с выбором.",
  ];
  return lines.filter(Boolean).join("\n");
}

/**
 * The stand-in's reply: a consultant answer for a consultant prompt, a client summary for a summary
 * prompt (told apart by their system messages, as the OpenAI adapter words them).
 */
export function demoAiReply(body: ChatCompletionsBody): string {
  const system = body.messages.find((message) => message.role === "system")?.content ?? "";
  const user = body.messages.findLast((message) => message.role === "user")?.content ?? "";
  return system.startsWith("You write a short client summary") ? summarize(user) : consult(system, user);
}
