/**
 * The demo's made-up customers: names, where they came from, what they ask and where they live.
 * Every choice is drawn from the traffic's seeded PRNG, so a seed always gives the same people.
 */

import type { User } from "grammy/types";

/** Where a customer came from: the `/start` deep-link payload, or none. */
export type DemoSource = "instagram_ads" | "vk_post" | "friend" | null;

const women = [
  ["Мария", "maria"], ["Екатерина", "katya"], ["Ольга", "olya"], ["Наталья", "natasha"], ["Ирина", "ira"], ["Юлия", "yulia"],
  ["Дарья", "dasha"], ["Светлана", "sveta"], ["Алина", "alina"], ["Полина", "polina"], ["Ксения", "ksu"], ["Вера", "vera"],
] as const;
const men = [
  ["Алексей", "lesha"], ["Дмитрий", "dima"], ["Сергей", "serg"], ["Иван", "vanya"], ["Максим", "max"], ["Павел", "pasha"],
  ["Никита", "nikita"], ["Артём", "artem"], ["Егор", "egor"], ["Михаил", "misha"], ["Кирилл", "kirill"], ["Роман", "roma"],
] as const;
const surnames = [
  ["Иванов", "Иванова"], ["Петров", "Петрова"], ["Соколов", "Соколова"], ["Кузнецов", "Кузнецова"], ["Лебедев", "Лебедева"],
  ["Морозов", "Морозова"], ["Волков", "Волкова"], ["Орлов", "Орлова"], ["Никитин", "Никитина"], ["Фёдоров", "Фёдорова"],
] as const;

/** Questions a customer asks the consultant; most name something in the sample catalog, one does not. */
export const consultantQuestions = [
  "Какой кофе взять для эспрессо дома?",
  "Есть что-нибудь без кофеина на вечер?",
  "Посоветуйте зелёный чай",
  "Какой чай хорош с молоком?",
  "Чем заварить кофе в турке?",
  "Какой улун самый ароматный?",
  "Нужна воронка для пуровера, что посоветуете?",
  "Сколько стоит пуэр?",
  "Что подарить коллеге на Новый год?",
] as const;

/** What customers type into search: titles, notes of taste, a typo, something the shop does not sell. */
export const searchQueries = ["улун", "эфиопия", "шоколад", "пуэр", "матча", "фильтры", "бергамот", "кения", "капучино", "чайник"] as const;

const streets = ["Тверская", "Пятницкая", "Ленинский пр-т", "Профсоюзная", "Малая Бронная", "Садовая-Кудринская", "Покровка", "Арбат"] as const;
const deliveryNotes = ["", " Позвоните за час.", " Домофон не работает, наберите.", " После 18:00.", " Оставьте у двери."] as const;

/** One item of a list, drawn with the given PRNG. */
export const pick = <T>(rng: () => number, list: readonly T[]): T => {
  const item = list[Math.floor(rng() * list.length)];
  if (item === undefined) throw new Error("pick from an empty list");
  return item;
};

/** A Telegram user with a Russian name, a username most of the time, and a Russian client. */
export function demoPerson(rng: () => number, id: number): User {
  const woman = rng() < 0.55;
  const names: readonly (readonly [string, string])[] = woman ? women : men;
  const [first, latin] = pick(rng, names);
  const surname = rng() < 0.4 ? pick(rng, surnames)[woman ? 1 : 0] : undefined;
  const username = rng() < 0.7 ? `${latin}_${String(id).slice(-2)}${pick(rng, ["", "k", "z", "x"])}` : undefined;
  return {
    id,
    is_bot: false,
    first_name: first,
    ...(surname ? { last_name: surname } : {}),
    ...(username ? { username } : {}),
    language_code: "ru",
  };
}

/** The deep-link sources in about the mix a small shop sees: ads first, then posts, friends, none. */
export function demoSource(rng: () => number): DemoSource {
  const roll = rng();
  return roll < 0.35 ? "instagram_ads" : roll < 0.6 ? "vk_post" : roll < 0.75 ? "friend" : null;
}

/** A Moscow delivery address, sometimes with a note for the courier, as customers type them. */
export function demoAddress(rng: () => number): string {
  return `Москва, ${pick(rng, streets)}, ${1 + Math.floor(rng() * 60)}, кв. ${1 + Math.floor(rng() * 180)}.${pick(rng, deliveryNotes)}`;
}

/** A Russian mobile number; typed with spaces and dashes now and then, as people do. */
export function demoPhone(rng: () => number, typed: boolean): string {
  const digits = Array.from({ length: 7 }, () => Math.floor(rng() * 10)).join("");
  const code = 900 + Math.floor(rng() * 99);
  return typed ? `+7 ${code} ${digits.slice(0, 3)}-${digits.slice(3, 5)}-${digits.slice(5)}` : `7${code}${digits}`;
}
