import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCustomerRuntime, type CustomerRuntime } from "../../actors/customerRuntime.ts";
import type { CrmStore } from "../../actors/store.port.ts";
import { manualClock } from "../storeContract.ts";
import { openSqliteStore } from "../sqlite/sqliteStore.ts";
import { openReadsOverSqlite } from "./pgReadsFixture.ts";
import { freshDatabase } from "./testing/freshDatabase.ts";

/** A small deterministic generator, so that a failure names a corpus that can be replayed. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

const syllables = ["ка", "ло", "ми", "ров", "ин", "ёж", "ша", "ко", "ff", "an", "ta", "ér", "mi", "ro", "sh", "ov", "й", "та", "ну"];
const phrases = ["Оптовый заказ", "оптовик", "оптовая закупка", "заказы по средам", "orders every monday", "ordering coffee", "Café on Arbat", "перезвонить вечером", "Иван Петров", "Ivan Petrov"];

interface Lead {
  readonly userId: number;
  readonly username: string;
  readonly name: string;
  readonly note: string;
  readonly tag: string;
  readonly phone: string | null;
}

function corpus(random: () => number, count: number): Lead[] {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const word = (): string => Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(syllables)).join("");
  return Array.from({ length: count }, (_, i) => ({
    userId: 1_000 + i,
    username: `${word()}_${word()}${random() < 0.3 ? String(Math.floor(random() * 1000)) : ""}`,
    name: `${word()} ${word()}`.replace(/^./, (first) => first.toUpperCase()),
    note: `${pick(phrases)} ${word()}`,
    tag: word(),
    phone: random() < 0.5 ? `+7 (9${Math.floor(random() * 100)}) ${Math.floor(100 + random() * 900)}-${Math.floor(10 + random() * 90)}-${Math.floor(10 + random() * 90)}` : null,
  }));
}

async function fill(runtime: CustomerRuntime, leads: readonly Lead[]): Promise<void> {
  for (const lead of leads) {
    // Every ninth lead is only the owner's note and tag: never seen, so last in every list.
    if (lead.userId % 9 !== 0) await runtime.dispatch(lead.userId, { type: "start", username: lead.username, name: lead.name, key: `${lead.userId}:start` });
    if (lead.phone !== null) await runtime.dispatch(lead.userId, { type: "contact_shared", phone: lead.phone, key: `${lead.userId}:phone` });
    await runtime.addNote(lead.userId, lead.note, `${lead.userId}:note`);
    await runtime.toggleTag(lead.userId, lead.tag, `${lead.userId}:tag`);
  }
}

/** Queries from the corpus: every word's prefixes, whole words, two words at once, phones in other formats, and words that are no one's. */
function queries(leads: readonly Lead[], random: () => number): string[] {
  const words = [...new Set(leads.flatMap((lead) => `${lead.username} ${lead.name} ${lead.note} ${lead.tag}`.split(/[\s_]+/)))];
  const found = new Set<string>(["nobody", "жжжж", "42", "   ", "'; DROP TABLE crm_leads; --", "a:* | b", "!!!", "\\"]);
  for (const word of words) for (let n = 1; n <= word.length; n++) found.add(word.slice(0, n).toUpperCase());
  for (let i = 0; i < 40; i++) found.add(`${words[Math.floor(random() * words.length)]} ${(words[Math.floor(random() * words.length)] ?? "").slice(0, 3)}`);
  for (const lead of leads) if (lead.phone !== null) found.add(lead.phone.replace(/\D/g, "").slice(-7));
  return [...found];
}

describe("PostgreSQL's lead search against SQLite's", () => {
  const dirs: string[] = [];
  let sqlite: CrmStore;
  let postgres: CrmStore;
  /** The same leads, searched with a walk of 3 recent leads: nearly every page is made of the index's matches, sorted. */
  let sorting: CrmStore;
  const runtimes: CustomerRuntime[] = [];
  const random = generator(Number(process.env["SEARCH_SEED"] ?? 15));
  const leads = corpus(random, 40);

  beforeAll(async () => {
    for (const _ of [0, 1, 2]) dirs.push(mkdtempSync(join(tmpdir(), "crm-pg-search-")));
    sqlite = openSqliteStore({ path: join(dirs[0] ?? "", "crm.sqlite") });
    postgres = await openReadsOverSqlite(dirs[1] ?? "", { freshDatabase: () => freshDatabase("search") });
    sorting = await openReadsOverSqlite(dirs[2] ?? "", { freshDatabase: () => freshDatabase("search"), searchWalk: 3 });
    for (const store of [sqlite, postgres, sorting]) {
      const runtime = createCustomerRuntime({ store, clock: manualClock(Date.parse("2026-01-27T10:00:00Z")) });
      runtimes.push(runtime);
      await fill(runtime, leads);
    }
  });

  afterAll(async () => {
    for (const runtime of runtimes) await runtime.close();
    await sqlite.close();
    await postgres.close();
    await sorting.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  const ids = async (store: CrmStore, query: string): Promise<number[]> => (await store.search(query, { limit: 100 })).items.map((lead) => lead.userId);

  it("finds every lead SQLite finds, in the same order, for every prefix, word and phone of a generated corpus", async () => {
    const missed: string[] = [];
    for (const query of queries(leads, random)) {
      const [expected, got] = [await ids(sqlite, query), await ids(postgres, query)];
      const extra = new Set(got.filter((id) => !expected.includes(id)));
      if (got.filter((id) => !extra.has(id)).join() !== expected.join()) missed.push(`${query}: sqlite ${expected.join()} postgres ${got.join()}`);
    }
    expect(missed).toEqual([]);
  });

  it("gives the same pages whether they come from walking recent leads or from sorting the index's matches", async () => {
    const differ: string[] = [];
    for (const query of queries(leads, generator(7)).filter((_, i) => i % 3 === 0)) {
      for (const page of [{ limit: 3 }, { offset: 3, limit: 3 }, { offset: 1, limit: 100 }]) {
        const [walked, sorted] = [await postgres.search(query, page), await sorting.search(query, page)];
        const ids = (result: typeof walked): string => `${result.items.map((lead) => lead.userId).join()} more ${result.hasMore}`;
        if (ids(walked) !== ids(sorted)) differ.push(`${query} ${JSON.stringify(page)}: walked ${ids(walked)} sorted ${ids(sorted)}`);
      }
    }
    expect(differ).toEqual([]);
  });

  it("finds no more than SQLite for a prefix that is no whole word, so prefixes never widen through a stem", async () => {
    const widened: string[] = [];
    for (const query of ["оптов", "опто", "зака", "ord", "orde", "перезв", "caf", "iva", "петр"]) {
      const [expected, got] = [await ids(sqlite, query), await ids(postgres, query)];
      if (got.join() !== expected.join()) widened.push(`${query}: sqlite ${expected.join()} postgres ${got.join()}`);
    }
    expect(widened).toEqual([]);
  });

  it("also finds other forms of a whole Russian or English word, which SQLite's prefixes miss, and never a different word", async () => {
    const withNote = (text: string): number[] => leads.filter((lead) => lead.note.startsWith(text)).map((lead) => lead.userId).sort();
    const sorted = async (query: string): Promise<number[]> => (await ids(postgres, query)).sort();
    expect(withNote("оптовая").length).toBeGreaterThan(0);
    // "оптовый" and "оптовая" share the stem "оптов"; "оптовик" is another word.
    expect(await sorted("оптовый")).toEqual([...withNote("Оптовый"), ...withNote("оптовая")].sort());
    expect((await ids(sqlite, "оптовый")).sort()).toEqual(withNote("Оптовый"));
    expect(await sorted("заказами")).toEqual([...withNote("Оптовый заказ"), ...withNote("заказы")].sort());
    expect(await ids(sqlite, "заказами")).toEqual([]);
    expect(await sorted("ordered")).toEqual([...withNote("orders"), ...withNote("ordering")].sort());
    expect(await ids(sqlite, "ordered")).toEqual([]);
  });
});
