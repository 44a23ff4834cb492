import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freeStorage } from "@grammyjs/storage-free";
import { Bot, session, type Context, type SessionFlavor, type StorageAdapter } from "grammy";
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from "vitest";
import type { SessionStore } from "../../actors/store.port.ts";
import { openSqliteStore } from "../sqlite/sqliteStore.ts";
import {
  FreeSessionUnavailable,
  freeSessionLimits,
  SessionKeyTooLong,
  SessionKeyUnsafe,
  SessionTooLarge,
  sessionStorageFor,
} from "./sessionStorage.ts";
import { startBotApiStandIn, testBotInfo, type BotApiStandIn } from "./testing/botApiStandIn.ts";
import { startFreeSessionStandIn, type FreeSessionStandIn } from "./testing/freeSessionStandIn.ts";
import { privateText, user } from "./testing/telegramUpdates.ts";

const botId = 6001;
const token = `${botId}:AAE-free-session-test-token_not-real`;
const secretHalf = token.slice(token.indexOf(":") + 1);
const botInfo = testBotInfo({ id: botId, first_name: "Counter", username: "counter_test_bot", can_join_groups: false });
const ann = user(71, { first_name: "Ann" });

/** Never used by the free kind; a store that fails loudly if it were. */
const noStore: SessionStore = {
  readSession: () => Promise.reject(new Error("the store must not be used")),
  writeSession: () => Promise.reject(new Error("the store must not be used")),
  deleteSession: () => Promise.reject(new Error("the store must not be used")),
};

let free: FreeSessionStandIn;
let fetched: string[];
let fetchSpy: MockInstance<typeof fetch>;
let consoleError: MockInstance<typeof console.error>;

beforeEach(async () => {
  free = await startFreeSessionStandIn();
  fetched = [];
  const realFetch = globalThis.fetch;
  // The free client calls the global fetch: anything not bound for the stand-in is refused, so no test reaches the internet.
  fetchSpy = vi.spyOn(globalThis, "fetch").mockImplementation((input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    fetched.push(url);
    if (!url.startsWith(`${free.rootUrl}/`)) return Promise.reject(new Error(`test fetch left the stand-in: ${url}`));
    return realFetch(input, init);
  });
  // The client logs "<status> in free session service, retrying!" on every 5xx.
  consoleError = vi.spyOn(console, "error").mockImplementation(() => {});
});

afterEach(async () => {
  fetchSpy.mockRestore();
  consoleError.mockRestore();
  await free.close();
});

function freeKind<T>(options: { prefix?: string; freeDeadlineMs?: number } = {}): StorageAdapter<T> {
  return sessionStorageFor<T>({ kind: "free", store: noStore, botToken: token, freeRootUrl: free.rootUrl, ...options });
}

/** The rejection of a promise, failing the test if it resolves. */
async function rejectionOf(promise: Promise<unknown> | unknown): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** A raw request to the stand-in, as the client would send it. */
async function raw(method: string, path: string, init: { body?: string; jwt?: string } = {}): Promise<{ status: number; text: string }> {
  const response = await fetch(`${free.rootUrl}${path}`, {
    method,
    ...(init.body !== undefined ? { body: init.body } : {}),
    ...(init.jwt !== undefined ? { headers: { Authorization: `Bearer ${init.jwt}` } } : {}),
  });
  return { status: response.status, text: await response.text() };
}

async function jwtFor(botToken = token): Promise<string> {
  const { status, text } = await raw("POST", "/login", { body: JSON.stringify({ token: botToken }) });
  expect(status).toBe(201);
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed !== "object" || parsed === null || !("token" in parsed) || typeof parsed.token !== "string") throw new Error(text);
  return parsed.token;
}

describe("the free session stand-in", () => {
  it("logs a well-formed bot token in with a JWT and refuses a malformed one, a missing one and calls without the JWT", async () => {
    const jwt = await jwtFor();
    expect(jwt.split(".")).toHaveLength(3);
    expect(await raw("POST", "/login", { body: JSON.stringify({ token: "not-a-bot-token" }) })).toEqual({ status: 401, text: '{"error":"invalid bot token"}' });
    expect((await raw("POST", "/login", { body: "{}" })).status).toBe(400);
    expect((await raw("POST", "/login", { body: "not json" })).status).toBe(400);
    expect(await raw("GET", "/session/k")).toEqual({ status: 401, text: '{"error":"unauthorized"}' });
    expect((await raw("GET", "/session/k", { jwt: `${jwt.slice(0, -2)}xx` })).status).toBe(401);
    expect((await raw("GET", "/sessions")).status).toBe(401);
    expect((await raw("GET", "/session/k", { jwt })).status).toBe(404);
  });

  it("refuses what the real service refuses: a 64-character key, 16 KiB of data, a new write past the key limit", async () => {
    const jwt = await jwtFor();
    expect(await raw("POST", `/session/${"k".repeat(64)}`, { jwt, body: "1" })).toEqual({ status: 400, text: '{"error":"key lengths exceeds 64"}' });
    expect((await raw("POST", `/session/${"k".repeat(63)}`, { jwt, body: "1" })).status).toBe(204);
    expect(await raw("POST", "/session/big", { jwt, body: "x".repeat(16_384) })).toEqual({ status: 400, text: '{"error":"data exceeds 16384 bytes"}' });
    expect((await raw("POST", "/session/big", { jwt, body: "x".repeat(16_383) })).status).toBe(204);
    expect((await raw("POST", "/session/empty", { jwt })).status).toBe(400);

    await free.close();
    free = await startFreeSessionStandIn({ maxKeys: 2 });
    const jwt2 = await jwtFor();
    expect((await raw("POST", "/session/a", { jwt: jwt2, body: "1" })).status).toBe(204);
    expect((await raw("POST", "/session/b", { jwt: jwt2, body: "2" })).status).toBe(204);
    expect(await raw("POST", "/session/c", { jwt: jwt2, body: "3" })).toEqual({ status: 409, text: '{"error":"max session count reached"}' });
    expect((await raw("POST", "/session/a", { jwt: jwt2, body: "again" })).status).toBe(409);
    expect((await raw("DELETE", "/session/b", { jwt: jwt2 })).status).toBe(204);
    expect((await raw("POST", "/session/c", { jwt: jwt2, body: "3" })).status).toBe(204);
    expect(await raw("GET", "/sessions", { jwt: jwt2 })).toEqual({ status: 200, text: '["a","c"]' });
  });

  it("keeps each bot's sessions apart, by the bot id in its JWT", async () => {
    const other = `6002:${secretHalf}`;
    await freeStorage<number>(token, { rootUrl: free.rootUrl }).write("same", 1);
    await freeStorage<number>(other, { rootUrl: free.rootUrl }).write("same", 2);
    expect(await freeStorage<number>(token, { rootUrl: free.rootUrl }).read("same")).toBe(1);
    expect(free.values(6002)).toEqual(new Map([["same", "2"]]));
    expect(free.values()).toEqual(new Map([["bot6001/same", "1"], ["bot6002/same", "2"]]));
  });
});

describe("free sessions through @grammyjs/storage-free", () => {
  it("logs in once, then writes, reads and deletes a session over HTTP", async () => {
    const storage = freeKind<{ cart: string[] }>({ prefix: "shop:" });
    expect(await storage.read("71")).toBeUndefined();
    await storage.write("71", { cart: ["latte"] });
    expect(free.values(botId)).toEqual(new Map([["shop:71", '{"cart":["latte"]}']]));
    expect(await storage.read("71")).toEqual({ cart: ["latte"] });
    await storage.delete("71");
    expect(await storage.read("71")).toBeUndefined();
    expect(free.requests).toEqual([
      { method: "POST", path: "/login", status: 201 },
      { method: "GET", path: "/session/shop:71", status: 404 },
      { method: "POST", path: "/session/shop:71", status: 204 },
      { method: "GET", path: "/session/shop:71", status: 200 },
      { method: "DELETE", path: "/session/shop:71", status: 204 },
      { method: "GET", path: "/session/shop:71", status: 404 },
    ]);
    expect(fetched.every((url) => url.startsWith(`${free.rootUrl}/`))).toBe(true);
  });

  it("lists this bot's keys under its prefix only", async () => {
    const shop = freeKind<number>({ prefix: "shop:" });
    const owner = freeKind<number>({ prefix: "owner:" });
    await shop.write("1", 1);
    await shop.write("2", 2);
    await owner.write("1", 3);
    const keys: string[] = [];
    for await (const key of shop.readAllKeys?.() ?? []) keys.push(key);
    expect(keys.sort()).toEqual(["1", "2"]);
    expect(free.requests.at(-1)).toEqual({ method: "GET", path: "/sessions", status: 200 });
  });

  it("logs in again, unseen by the bot, when the service no longer knows its JWT", async () => {
    const storage = freeKind<number>();
    await storage.write("k", 1);
    free.revokeLogins();
    expect(await storage.read("k")).toBe(1);
    expect(free.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      "POST /login 201",
      "POST /session/k 204",
      "GET /session/k 401",
      "POST /login 201",
      "GET /session/k 200",
    ]);
  });

  describe("a grammY bot", () => {
    type CounterContext = Context & SessionFlavor<{ count: number }>;
    let telegram: BotApiStandIn;

    beforeEach(async () => {
      telegram = await startBotApiStandIn({ botInfo });
    });
    afterEach(async () => {
      await telegram.close();
    });

    function counterBot(): Bot<CounterContext> {
      const bot = new Bot<CounterContext>(token, { botInfo, client: { apiRoot: telegram.apiRoot } });
      bot.use(session({ initial: () => ({ count: 0 }), storage: freeKind<{ count: number }>({ prefix: "shop:" }) }));
      bot.on("message:text", async (ctx) => {
        ctx.session.count += 1;
        await ctx.reply(`message ${ctx.session.count}`);
      });
      return bot;
    }

    it("keeps a counter across updates and across a restart with a new bot and a new storage", async () => {
      const first = counterBot();
      await first.handleUpdate(privateText(ann, "one"));
      await first.handleUpdate(privateText(ann, "two"));
      expect(telegram.lastMessage(ann.id)?.text).toBe("message 2");

      const restarted = counterBot();
      await restarted.handleUpdate(privateText(ann, "three"));
      expect(telegram.lastMessage(ann.id)?.text).toBe("message 3");

      expect(free.values(botId)).toEqual(new Map([[`shop:${ann.id}`, '{"count":3}']]));
      expect(free.requests.filter((r) => r.path === "/login")).toHaveLength(2);
      expect(fetched.length).toBeGreaterThan(0);
      expect(fetched.every((url) => url.startsWith(`${free.rootUrl}/`))).toBe(true);
      expect(telegram.calls.map((call) => call.method)).toEqual(["sendMessage", "sendMessage", "sendMessage"]);
    });
  });

  describe("limits, checked before sending", () => {
    it("refuses a session over 16 KiB by name and size, without its content and without any request", async () => {
      const storage = freeKind<{ note: string }>();
      const personal = "Ann Smith, +7 999 123-45-67, ";
      const value = { note: personal.repeat(600) };
      const error = await rejectionOf(storage.write("71", value));
      expect(error).toBeInstanceOf(SessionTooLarge);
      const bytes = Buffer.byteLength(JSON.stringify(value), "utf8");
      expect(error).toMatchObject({ _tag: "SessionTooLarge", key: "71", bytes, limit: freeSessionLimits.maxValueBytes });
      expect(messageOf(error)).toContain('"71"');
      expect(messageOf(error)).toContain(String(bytes));
      expect(messageOf(error)).not.toContain("Ann Smith");
      expect(free.requests).toEqual([]);
      expect(fetched).toEqual([]);
    });

    it("counts UTF-8 bytes of the JSON, and lets the largest accepted session through to the service", async () => {
      const storage = freeKind<string>();
      // A JSON string is its text plus two quotes; "ж" is two bytes in UTF-8.
      const largest = "ж".repeat((freeSessionLimits.maxValueBytes - 3) / 2) + "x";
      expect(Buffer.byteLength(JSON.stringify(largest), "utf8")).toBe(freeSessionLimits.maxValueBytes);
      await storage.write("edge", largest);
      expect(await storage.read("edge")).toBe(largest);
      expect(await rejectionOf(storage.write("edge", `${largest}x`))).toBeInstanceOf(SessionTooLarge);
      expect(free.requests.filter((r) => r.method === "POST" && r.path !== "/login")).toEqual([{ method: "POST", path: "/session/edge", status: 204 }]);
    });

    it("refuses a key of 64 characters or more, prefix included, on every operation and before any request", async () => {
      const storage = freeKind<number>({ prefix: "shop:" });
      const tooLong = "7".repeat(64 - "shop:".length);
      for (const attempt of [() => storage.write(tooLong, 1), () => storage.read(tooLong), () => storage.delete(tooLong)]) {
        const error = await rejectionOf(attempt());
        expect(error).toBeInstanceOf(SessionKeyTooLong);
        expect(error).toMatchObject({ key: `shop:${tooLong}`, length: 64, limit: 63 });
        expect(messageOf(error)).toContain(`shop:${tooLong}`);
      }
      expect(free.requests).toEqual([]);
      await storage.write(tooLong.slice(1), 1);
      expect(free.values(botId).get(`shop:${tooLong.slice(1)}`)).toBe("1");
    });

    it("refuses a key the client would send as a different key", async () => {
      const storage = freeKind<number>();
      for (const key of ["a?b", "a#b", "../b", "a\\b", "%41"]) {
        expect(await rejectionOf(storage.write(key, 1))).toBeInstanceOf(SessionKeyUnsafe);
      }
      expect(free.requests).toEqual([]);
    });
  });

  describe("failures", () => {
    it("gives up on an outage at the deadline with an error that holds neither the token nor its secret", async () => {
      free.failNext(503, 8);
      const storage = freeKind<number>({ freeDeadlineMs: 150 });
      const error = await rejectionOf(storage.write("71", 1));
      expect(error).toBeInstanceOf(FreeSessionUnavailable);
      expect(error).toMatchObject({ _tag: "FreeSessionUnavailable", operation: "write", key: "71", reason: "timeout" });
      expect(messageOf(error)).not.toContain(secretHalf);
      expect(free.requests.some((r) => r.status === 503)).toBe(true);
      const logged = consoleError.mock.calls.map((args) => args.map(String).join(" ")).join("\n");
      expect(logged).toContain("503");
      expect(logged).not.toContain(secretHalf);
      free.failNext(503, 0);
      // The given-up write still lands once the service answers, before the next call on the key.
      expect(await storage.read("71")).toBe(1);
    });

    it("rides out a short outage, as the client retries every 5xx", async () => {
      free.failNext(500, 2);
      await freeKind<number>().write("71", 1);
      expect(free.requests.map((r) => r.status)).toEqual([500, 500, 201, 204]);
      expect(free.values(botId).get("71")).toBe("1");
    });

    it("never lets a write given up on land after a newer write of the same key", async () => {
      const storage = freeKind<number>({ freeDeadlineMs: 100 });
      await storage.read("71");
      free.failNext(503, 6);
      expect(await rejectionOf(storage.write("71", 1))).toMatchObject({ reason: "timeout" });
      // The newer write waits behind the one given up on, so it may time out too; both land, in order.
      void Promise.resolve(storage.write("71", 2)).catch(() => {});
      const landed = () => free.requests.filter((r) => r.method === "POST" && r.status === 204);
      await vi.waitFor(() => expect(landed()).toHaveLength(2), { timeout: 5_000, interval: 20 });
      expect(free.values(botId).get("71")).toBe("2");
    });

    it("turns a refusal into a tagged error with the status, redacting a token the service echoed", async () => {
      const storage = freeKind<number>();
      await storage.read("71");
      free.failNext(400, 1, `bad request from ${token}`);
      const error = await rejectionOf(storage.write("71", 1));
      expect(error).toMatchObject({ _tag: "FreeSessionUnavailable", reason: "rejected", status: 400 });
      expect(messageOf(error)).toContain("bad request from [bot token]");
      expect(messageOf(error)).not.toContain(secretHalf);
    });

    it("reports a full bot (409) as a refusal", async () => {
      await free.close();
      free = await startFreeSessionStandIn({ maxKeys: 1 });
      const storage = freeKind<number>();
      await storage.write("1", 1);
      expect(await rejectionOf(storage.write("2", 2))).toMatchObject({ reason: "rejected", status: 409, key: "2" });
    });

    it("reports a refused login without the token", async () => {
      await free.close();
      free = await startFreeSessionStandIn({ acceptsToken: () => false });
      const error = await rejectionOf(freeKind<number>().read("71"));
      expect(error).toMatchObject({ _tag: "FreeSessionUnavailable", reason: "login", operation: "read" });
      expect(messageOf(error)).not.toContain(secretHalf);
    });

    it("reports a service that cannot be reached", async () => {
      const storage = freeKind<number>();
      await free.close();
      const error = await rejectionOf(storage.read("71"));
      expect(error).toMatchObject({ _tag: "FreeSessionUnavailable", reason: "unreachable" });
      expect(messageOf(error)).toContain("ECONNREFUSED");
      free = await startFreeSessionStandIn();
    });
  });
});

describe("sessions in the CRM's own store", () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "session-storage-"));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("round-trips through SQLite under the prefix, survives reopening the file, and never calls the free service", async () => {
    const path = join(dir, "crm.sqlite");
    const store = openSqliteStore({ path });
    const storage = sessionStorageFor<{ count: number }>({ kind: "store", store, botToken: token, prefix: "owner:" });
    await storage.write("71", { count: 4 });
    expect(await store.readSession("owner:71")).toBe('{"count":4}');
    expect(await storage.read("71")).toEqual({ count: 4 });
    await store.close();

    const reopened = openSqliteStore({ path });
    const again = sessionStorageFor<{ count: number }>({ kind: "store", store: reopened, botToken: token, prefix: "owner:" });
    expect(await again.read("71")).toEqual({ count: 4 });
    await again.delete("71");
    expect(await again.read("71")).toBeUndefined();
    expect(await reopened.readSession("owner:71")).toBeUndefined();
    await reopened.close();
    expect(fetched).toEqual([]);
  });

  it("keeps a grammY bot's counter in the store, with no size limit of the free service", async () => {
    const telegram = await startBotApiStandIn({ botInfo });
    const store = openSqliteStore({ path: join(dir, "crm.sqlite") });
    try {
      const bot = new Bot<Context & SessionFlavor<{ count: number; note: string }>>(token, { botInfo, client: { apiRoot: telegram.apiRoot } });
      bot.use(session({ initial: () => ({ count: 0, note: "" }), storage: sessionStorageFor<{ count: number; note: string }>({ kind: "store", store, botToken: token }) }));
      bot.on("message:text", async (ctx) => {
        ctx.session.count += 1;
        ctx.session.note = "x".repeat(20_000);
        await ctx.reply(`message ${ctx.session.count}`);
      });
      await bot.handleUpdate(privateText(ann, "one"));
      await bot.handleUpdate(privateText(ann, "two"));
      expect(telegram.lastMessage(ann.id)?.text).toBe("message 2");
      expect(JSON.parse((await store.readSession(String(ann.id))) ?? "{}")).toMatchObject({ count: 2 });
    } finally {
      await store.close();
      await telegram.close();
    }
  });
});
