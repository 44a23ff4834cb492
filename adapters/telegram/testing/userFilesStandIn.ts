/**
 * Files users send to a bot, for tests: `getFile` and the download at `/file/bot<token>/<path>`, as
 * the Bot API serves them, in front of the Bot API stand-in (botApiStandIn.ts), to which every
 * other request is forwarded as it came. A bot pointed at {@link UserFiles.apiRoot} sees one Bot API.
 *
 * A test registers a file's bytes for a bot ({@link UserFiles.add}) and puts the returned ids in a
 * `document` or `photo` of an update. As on Telegram, file_ids are the bot's own (another bot's
 * `getFile` of it is refused), `getFile` refuses a file over 20 MB with "file is too big", and a
 * file_path stays downloadable afterwards.
 */
import { Buffer } from "node:buffer";
import { createServer, request, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** What `getFile` tells a bot about a file, and what a document or a PhotoSize carries. */
export interface UserFileIds {
  readonly file_id: string;
  readonly file_unique_id: string;
  readonly file_size: number;
}

export interface UserFiles {
  /** Pass as `client.apiRoot` in place of the stand-in's. */
  readonly apiRoot: string;
  /** A file a user sent to the bot of `token`; `file_size` is the bytes' length unless given (to claim a size Telegram would report). */
  add(token: string, bytes: Uint8Array, options?: { readonly name?: string; readonly size?: number }): UserFileIds;
  /** The `getFile` calls, in order, with whether each was answered ok. */
  readonly getFileCalls: ReadonlyArray<{ readonly token: string; readonly file_id: string; readonly ok: boolean }>;
  /** The downloads, in order. */
  readonly downloads: ReadonlyArray<{ readonly token: string; readonly path: string; readonly status: number }>;
  close(): Promise<void>;
}

/** Telegram's limit on files a bot may download. */
const botDownloadLimit = 20 * 1024 * 1024;

interface Stored {
  readonly token: string;
  readonly ids: UserFileIds;
  readonly path: string;
  readonly bytes: Uint8Array;
}

async function bodyOf(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks);
}

/** `file_id` from a JSON body, a form body or the query, as grammY or curl may send it. */
function fileIdOf(body: Buffer, url: URL): string | undefined {
  const text = body.toString("utf8");
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === "object" && parsed !== null && "file_id" in parsed) return String(parsed.file_id);
  } catch {
    // A form or an empty body.
  }
  return new URLSearchParams(text).get("file_id") ?? url.searchParams.get("file_id") ?? undefined;
}

function answer(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

/** Starts the file server in front of the stand-in at `standInRoot` (e.g. `standIn.apiRoot`). */
export async function startUserFiles(standInRoot: string): Promise<UserFiles> {
  const byId = new Map<string, Stored>();
  const byPath = new Map<string, Stored>();
  const getFileCalls: { token: string; file_id: string; ok: boolean }[] = [];
  const downloads: { token: string; path: string; status: number }[] = [];
  const target = new URL(standInRoot);
  let next = 0;

  function forward(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    const upstream = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } }, (reply) => {
      res.writeHead(reply.statusCode ?? 502, reply.headers);
      reply.pipe(res);
    });
    upstream.on("error", () => res.destroy());
    res.on("close", () => upstream.destroy());
    upstream.end(body);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const body = await bodyOf(req);
    const download = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    if (download?.[1] !== undefined && download[2] !== undefined) {
      const token = decodeURIComponent(download[1]);
      const stored = byPath.get(download[2]);
      const found = stored !== undefined && stored.token === token;
      downloads.push({ token, path: download[2], status: found ? 200 : 404 });
      if (!found) return answer(res, 404, { ok: false, error_code: 404, description: "Not Found" });
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(stored.bytes.byteLength) });
      res.end(stored.bytes);
      return;
    }
    const method = /^\/bot([^/]+)\/getFile\/?$/i.exec(url.pathname);
    if (method?.[1] === undefined) return forward(req, res, body);
    const token = decodeURIComponent(method[1]);
    const fileId = fileIdOf(body, url) ?? "";
    const stored = byId.get(fileId);
    const ok = stored !== undefined && stored.token === token && stored.ids.file_size <= botDownloadLimit;
    getFileCalls.push({ token, file_id: fileId, ok });
    if (stored === undefined || stored.token !== token) return answer(res, 400, { ok: false, error_code: 400, description: "Bad Request: invalid file_id" });
    if (!ok) return answer(res, 400, { ok: false, error_code: 400, description: "Bad Request: file is too big" });
    answer(res, 200, { ok: true, result: { ...stored.ids, file_path: stored.path } });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => answer(res, 500, { ok: false, error_code: 500, description: "Internal Server Error" }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    apiRoot: `http://127.0.0.1:${port}`,
    add(token, bytes, options = {}) {
      next += 1;
      const ids: UserFileIds = { file_id: `userfile-${next}-${"f".repeat(24)}`, file_unique_id: `uf${next}`, file_size: options.size ?? bytes.byteLength };
      const stored: Stored = { token, ids, path: `documents/file_${next}${/\.[A-Za-z0-9]{1,5}$/.exec(options.name ?? "")?.[0] ?? ""}`, bytes };
      byId.set(ids.file_id, stored);
      byPath.set(stored.path, stored);
      return ids;
    },
    getFileCalls,
    downloads,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
