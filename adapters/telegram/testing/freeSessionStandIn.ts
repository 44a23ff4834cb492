/**
 * A local stand-in for grammY's free session service, so that tests drive the real
 * `@grammyjs/storage-free` client over real HTTP (`freeStorage(token, { rootUrl })`) without
 * reaching the internet.
 *
 * It answers the calls the client makes the way grammyjs/free-session-backend does:
 * - `POST /login` with `{"token": "<bot token>"}` → 201 `{"token": "<JWT>"}`; 400 for a body that
 *   is not JSON or has no token string; 401 `{"error":"invalid bot token"}` for a token Telegram
 *   would refuse (here: one that is not `<bot id>:<secret>`, or that `acceptsToken` refuses).
 * - `GET|POST|DELETE /session/<key>` and `GET /sessions` need `Authorization: Bearer <JWT>`, else
 *   401 `{"error":"unauthorized"}`. The JWT (HS512, payload `{ id }`) names the bot, so each bot
 *   has its own keys; the key is the raw path after `/session/`, as sent, not decoded.
 * - `GET /session/<key>` → 200 with the stored text, or 404 with no body.
 * - `POST /session/<key>` → 204. Refused with 400 `key lengths exceeds 64` for a key of 64 or more
 *   characters, 400 `data exceeds 16384 bytes` for a body of 16,384 bytes or more, 400 `missing
 *   body`, and 409 `max session count reached` once the bot holds 50,000 keys (the real filter
 *   refuses even an overwrite then; a delete frees a slot).
 * - `DELETE /session/<key>` → 204, whether or not the key existed.
 * - `GET /sessions` → 200 with a JSON array of the bot's keys (what the client's `readAllKeys` parses).
 * - Anything else → 404 `{"error":"not found"}`.
 *
 * Everything lives under `/api`, like the real root URL. Requests are recorded without bodies, so
 * the bot token sent to `/login` is never kept.
 */

import { Buffer } from "node:buffer";
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** The real service's hard limits, as its source checks them (`>=`, so the limit itself is refused). */
const keyLengthRefusedFrom = 64;
const valueBytesRefusedFrom = 16 * 1024;
const realMaxKeys = 50_000;

/** Options for {@link startFreeSessionStandIn}. */
export interface FreeSessionStandInOptions {
  /**
   * Which well-formed bot tokens `/login` accepts, in place of the `getMe` the real service calls
   * (default: all of them). Refusing one plays a revoked or mistyped token.
   */
  readonly acceptsToken?: (token: string) => boolean;
  /** How many keys one bot may hold (default 50,000, the real limit); lower it to reach the limit in a test. */
  readonly maxKeys?: number;
}

/** One request the stand-in answered. `path` is relative to `rootUrl`, e.g. `/session/shop:7`. */
export interface FreeSessionRequest {
  readonly method: string;
  readonly path: string;
  readonly status: number;
}

/** A running stand-in. See {@link startFreeSessionStandIn}. */
export interface FreeSessionStandIn {
  /** Pass as `freeStorage(token, { rootUrl })`, e.g. `http://127.0.0.1:40123/api`. */
  readonly rootUrl: string;
  /** Every request, in arrival order, including refused and injected failures. */
  readonly requests: ReadonlyArray<FreeSessionRequest>;
  /**
   * What is stored: one bot's values by key, or, without `botId`, every bot's under the object
   * names the real service uses (`bot<id>/<key>`).
   */
  values(botId?: number): Map<string, string>;
  /**
   * Answers the next `times` requests (default 1; `Infinity` until told otherwise; 0 clears) with
   * `status` and `{"error": error}`, before any other check, as an outage or a proxy would.
   */
  failNext(status: number, times?: number, error?: string): void;
  /** Invalidates every JWT handed out, as a key rotation on the service would: the next call gets 401. */
  revokeLogins(): void;
  /** Stops the server and drops open connections. */
  close(): Promise<void>;
}

interface Injected {
  status: number;
  error: string;
  remaining: number;
}

const json = { "content-type": "application/json" };

const base64url = (data: string | Buffer): string => Buffer.from(data).toString("base64url");

/** Starts a stand-in on 127.0.0.1 at a free port. */
export async function startFreeSessionStandIn(options: FreeSessionStandInOptions = {}): Promise<FreeSessionStandIn> {
  const acceptsToken = options.acceptsToken ?? (() => true);
  const maxKeys = options.maxKeys ?? realMaxKeys;
  const requests: FreeSessionRequest[] = [];
  /** Bot id → key → stored text. A key in the map is a key counted against the bot's limit. */
  const bots = new Map<number, Map<string, string>>();
  let secret = randomBytes(64);
  let injected: Injected | undefined;

  function signJwt(botId: number): string {
    const unsigned = `${base64url(JSON.stringify({ alg: "HS512", typ: "JWT", jwtid: randomUUID() }))}.${base64url(JSON.stringify({ id: botId }))}`;
    return `${unsigned}.${createHmac("sha512", secret).update(unsigned).digest("base64url")}`;
  }

  /** The bot id a JWT names, or undefined when it was not signed by this stand-in (since the last revocation). */
  function verifyJwt(header: string | undefined): number | undefined {
    if (header === undefined) return undefined;
    // The real service cuts "Bearer " off by length without checking it; so does this one.
    const [head, payload, signature, ...rest] = header.substring("Bearer ".length).split(".");
    if (head === undefined || payload === undefined || signature === undefined || rest.length > 0) return undefined;
    const expected = createHmac("sha512", secret).update(`${head}.${payload}`).digest();
    const given = Buffer.from(signature, "base64url");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    try {
      const claims: unknown = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
      if (typeof claims === "object" && claims !== null && "id" in claims && typeof claims.id === "number") return claims.id;
    } catch {
      // a signed payload that is not JSON cannot happen; treat it as unauthorized all the same
    }
    return undefined;
  }

  function keysOf(botId: number): Map<string, string> {
    let keys = bots.get(botId);
    if (keys === undefined) {
      keys = new Map();
      bots.set(botId, keys);
    }
    return keys;
  }

  function login(body: Buffer): [number, string] {
    let token: unknown;
    try {
      const parsed: unknown = JSON.parse(body.toString("utf8"));
      token = typeof parsed === "object" && parsed !== null && "token" in parsed ? parsed.token : undefined;
    } catch {
      return [400, JSON.stringify({ error: "invalid or missing json body" })];
    }
    if (typeof token !== "string" || token === "") return [400, JSON.stringify({ error: "expected token string in request body" })];
    const match = /^(\d{1,20}):[\w-]{20,}$/.exec(token);
    if (match?.[1] === undefined || !acceptsToken(token)) return [401, JSON.stringify({ error: "invalid bot token" })];
    return [201, JSON.stringify({ token: signJwt(Number(match[1])) })];
  }

  function session(method: string, botId: number, key: string, body: Buffer): [number, string | undefined] {
    const keys = keysOf(botId);
    switch (method) {
      case "GET": {
        const value = keys.get(key);
        return value === undefined ? [404, undefined] : [200, value];
      }
      case "POST":
        if (key.length >= keyLengthRefusedFrom) return [400, JSON.stringify({ error: `key lengths exceeds ${keyLengthRefusedFrom}` })];
        if (body.length === 0) return [400, JSON.stringify({ error: "missing body" })];
        if (body.length >= valueBytesRefusedFrom) return [400, JSON.stringify({ error: `data exceeds ${valueBytesRefusedFrom} bytes` })];
        if (keys.size >= maxKeys) return [409, JSON.stringify({ error: "max session count reached" })];
        keys.set(key, body.toString("utf8"));
        return [204, undefined];
      case "DELETE":
        keys.delete(key);
        return [204, undefined];
      default:
        return [404, JSON.stringify({ error: "not found" })];
    }
  }

  function answer(method: string, path: string, authorization: string | undefined, body: Buffer): [number, string | undefined] {
    if (injected !== undefined && injected.remaining > 0) {
      injected.remaining -= 1;
      return [injected.status, JSON.stringify({ error: injected.error })];
    }
    const [, route, ...keyParts] = path.split("/");
    if (route === "login") return login(body);
    if (route === "session" || (route === "sessions" && keyParts.length === 0)) {
      const botId = verifyJwt(authorization);
      if (botId === undefined) return [401, JSON.stringify({ error: "unauthorized" })];
      if (route === "session") return session(method, botId, keyParts.join("/"), body);
      if (method === "GET") return [200, JSON.stringify([...keysOf(botId).keys()])];
    }
    return [404, JSON.stringify({ error: "not found" })];
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
    const method = req.method ?? "GET";
    // The pathname as sent: percent-escapes stay, as in the real service's `new URL(req.url).pathname`.
    const pathname = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
    const path = pathname.startsWith("/api/") ? pathname.slice("/api".length) : pathname;
    const [status, text] = pathname.startsWith("/api/")
      ? answer(method, path, req.headers.authorization, Buffer.concat(chunks))
      : [404, JSON.stringify({ error: "not found" })];
    requests.push({ method, path, status });
    if (text === undefined) res.writeHead(status).end();
    else res.writeHead(status, status === 200 && path !== "/sessions" ? {} : json).end(text);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, json).end(JSON.stringify({ error: "stand-in failure" }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    rootUrl: `http://127.0.0.1:${port}/api`,
    requests,
    values(botId) {
      if (botId !== undefined) return new Map(bots.get(botId) ?? []);
      const all = new Map<string, string>();
      for (const [id, keys] of bots) for (const [key, value] of keys) all.set(`bot${id}/${key}`, value);
      return all;
    },
    failNext(status, times = 1, error = `injected ${status}`) {
      injected = { status, error, remaining: times };
    },
    revokeLogins() {
      secret = randomBytes(64);
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
