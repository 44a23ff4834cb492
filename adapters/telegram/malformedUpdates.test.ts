import fc from "fast-check";
import type { Update } from "grammy/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ownerBotInfo, shopBotInfo, startShopHarness, type ShopHarness } from "./shop/testing/shopHarness.ts";
import { captureOutput } from "./testing/capturedOutput.ts";
import * as updates from "./testing/telegramUpdates.ts";
import { updateProblem } from "./updateValidity.ts";

type Json = Record<string, unknown>;

const owner = updates.user(100, { first_name: "Ольга", language_code: "ru" });
const customer = updates.user(501, { first_name: "Анна", username: "anna", language_code: "ru" });
const shown = { message_id: 77, date: 1, chat: updates.privateChat(customer), text: "Меню" };

/** Well-formed updates of every kind the bots get, from a customer and from the owner. */
const templates = (): Update[] => [
  updates.privateText(customer, "чай"),
  updates.command(customer, "start", "ads"),
  updates.command(owner, "crm"),
  updates.privateText(owner, "Анна"),
  updates.callback(customer, "s1.cats", shown),
  updates.callback(owner, "o1.crm", { ...shown, chat: updates.privateChat(owner) }),
  updates.contact(customer, "+79991234567"),
  updates.sticker(customer),
  updates.groupText(customer, "/start"),
  updates.channelPost("news"),
  updates.botBlocked(customer, shopBotInfo),
  updates.botUnblocked(owner, ownerBotInfo),
];

/** Where a user id, a chat id or a string sits in the templates' payloads (paths under the kind). */
const idPaths = [["chat", "id"], ["from", "id"], ["message", "chat", "id"], ["message", "from", "id"], ["new_chat_member", "user", "id"], ["contact", "user_id"], ["sender_chat", "id"], ["message_id"]];
const ownPaths = [["from"], ["chat"], ["message"], ["message", "chat"], ["new_chat_member"], ["old_chat_member"], ["text"], ["data"], ["entities"]];
const stringPaths = [["text"], ["data"], ["caption"], ["from", "first_name"], ["from", "username"], ["from", "language_code"], ["chat", "title"], ["chat", "first_name"], ["contact", "phone_number"], ["id"]];

const badId = fc.constantFrom<unknown>(0, -1, 1e20, 1.5, -0.5, Number.MAX_SAFE_INTEGER + 2, null, "42", true, {}, []);
const hugeString = fc.integer({ min: 300, max: 100_000 }).map((length) => "я".repeat(length));
const wrongKind = fc.constantFrom("poll", "inline_query", "message_reaction", "edited_message", "callback_query", "my_chat_member", "chat_join_request", "foo", "");

type Mutation = (update: Json) => void;

function kindOf(update: Json): string {
  return Object.keys(update).find((key) => key !== "update_id") ?? "";
}

function setAt(target: Json, path: readonly string[], value: unknown): void {
  let node: Json = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== "object" || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Json;
  }
  const last = path.at(-1);
  if (last === undefined) return;
  if (value === undefined) delete node[last];
  else node[last] = value;
}

const underKind = (path: readonly string[], value: unknown): Mutation => (update) => {
  const payload = update[kindOf(update)];
  if (typeof payload === "object" && payload !== null && !Array.isArray(payload)) setAt(payload as Json, path, value);
};

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.tuple(fc.constantFrom(...idPaths), badId).map(([path, value]) => underKind(path, value)),
  fc.constantFrom(...ownPaths).map((path) => underKind(path, undefined)),
  fc.tuple(fc.constantFrom(...stringPaths), fc.oneof(hugeString, fc.constantFrom<unknown>(5, null, {}, ["x"]))).map(([path, value]) => underKind(path, value)),
  fc.tuple(fc.constantFrom(...ownPaths, ...idPaths, ...stringPaths), fc.jsonValue({ maxDepth: 2 })).map(([path, value]) => underKind(path, value)),
  wrongKind.map((kind): Mutation => (update) => {
    const current = kindOf(update);
    const payload = update[current];
    delete update[current];
    update[kind] = payload;
  }),
  wrongKind.map((kind): Mutation => (update) => void (update[kind] = { id: "1" })),
  fc.jsonValue({ maxDepth: 2 }).map((value): Mutation => (update) => void (update[kindOf(update)] = value)),
  fc.constantFrom<unknown>(undefined, -1, 1.5, "7", 1e20).map((value): Mutation => (update) => setAt(update, ["update_id"], value)),
  fc.constant<Mutation>((update) => underKind(["entities"], [{ type: "bot_command", offset: 5, length: 400 }])(update)),
);

const malformedUpdate = fc.tuple(fc.nat(templates().length - 1), fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([index, mutations]) => {
  const update = structuredClone(templates()[index]) as unknown as Json;
  for (const mutate of mutations) mutate(update);
  return update;
});

let shop: ShopHarness;
beforeAll(async () => {
  shop = await startShopHarness({ owner: { ownerIds: [100] } });
  await shop.customer(501, { first_name: "Анна" }).start();
});
afterAll(async () => {
  await shop.close();
});

describe("malformed updates through both bots", () => {
  it("never let an error out or print anything unstructured, and each dropped one gets exactly one update_dropped line (3,000 updates)", async () => {
    const output = captureOutput();
    let dropped = 0;
    try {
      await fc.assert(
        fc.asyncProperty(malformedUpdate, fc.constantFrom("shop" as const, "owner" as const), async (update, bot) => {
          shop.logLines.length = 0;
          const handle = bot === "shop" ? shop.bot.handleUpdate.bind(shop.bot) : shop.owner.bot.handleUpdate.bind(shop.owner.bot);
          await handle(update as unknown as Update);
          await shop.runtime.settled();
          expect(output.lines()).toEqual([]);
          expect(shop.logLines.filter((line) => line.event === "update_failed")).toEqual([]);
          const drops = shop.logLines.filter((line) => line.event === "update_dropped");
          const reason = updateProblem(update);
          if (reason === null) {
            expect(drops).toEqual([]);
            return;
          }
          dropped++;
          const id = update["update_id"];
          const updateId = typeof id === "number" && Number.isSafeInteger(id) ? id : null;
          expect(shop.logLines).toEqual([{ level: "warn", event: "update_dropped", fields: { bot, updateId, reason } }]);
        }),
        { numRuns: 3_000, seed: 20261130 },
      );
    } finally {
      output.restore();
    }
    // Most generated updates are malformed; the rest were handled without a failure.
    expect(dropped).toBeGreaterThan(2_000);
  }, 60_000);
});
