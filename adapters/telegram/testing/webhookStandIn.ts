/**
 * Webhook delivery for the Bot API stand-in: what the Bot API server does once a bot called
 * `setWebhook`. A test routes the webhook's public https URL to a local http address, and the
 * pending updates are POSTed there with the `X-Telegram-Bot-Api-Secret-Token` header, up to
 * `max_connections` at once but one at a time per chat (or per user, for queries), again after a
 * pause until the answer is 2xx, as Telegram redelivers.
 */

import type { Update } from "grammy/types";

/** One POST of an update to a routed webhook: the HTTP status, or 0 when the connection failed. */
export interface WebhookDelivery {
  readonly token: string;
  readonly update_id: number;
  readonly status: number;
  readonly at: number;
}

/** What the stand-in lends the webhook pump: its update queue and its clock. */
export interface WebhookHost {
  /** The updates the bot has pending, in queue order. */
  pending(token: string): Update[];
  /** Forgets an update the webhook accepted. */
  acknowledge(updateId: number): void;
  now(): number;
  sleep(ms: number): Promise<void>;
  closed(): boolean;
}

interface Hook {
  readonly url: string;
  readonly secret: string;
  /** Telegram's `max_connections`: how many POSTs may be in flight at once. */
  readonly connections: number;
  /** The updates being posted, with their queue key. */
  readonly inFlight: Map<number, string>;
}

/** Which of the Bot API server's per-webhook queues an update waits in: its chat, or the user who sent a query. */
function queueKey(update: Update): string {
  const message = update.message ?? update.edited_message ?? update.channel_post ?? update.edited_channel_post ?? update.business_message;
  if (message !== undefined) return `chat:${message.chat.id}`;
  const member = update.my_chat_member ?? update.chat_member ?? update.chat_join_request;
  if (member !== undefined) return `chat:${member.chat.id}`;
  const query = update.callback_query ?? update.pre_checkout_query ?? update.shipping_query ?? update.inline_query ?? update.chosen_inline_result;
  return query !== undefined ? `user:${query.from.id}` : `update:${update.update_id}`;
}

/** The webhooks of the bots sharing one stand-in, and where a test routed them. */
export class WebhookPump {
  readonly deliveries: WebhookDelivery[] = [];
  readonly #routes = new Map<string, string>();
  readonly #hooks = new Map<string, Hook>();
  readonly #host: WebhookHost;
  readonly #retryMs: number;

  constructor(host: WebhookHost, retryMs = 500) {
    this.#host = host;
    this.#retryMs = retryMs;
  }

  /** A bot's `setWebhook`; updates already being posted finish as they are. */
  set(token: string, url: string, secret: string, connections: number): void {
    this.#hooks.set(token, { url, secret, connections, inFlight: this.#hooks.get(token)?.inFlight ?? new Map() });
    this.pump(token);
  }

  /** A bot's `deleteWebhook`. */
  remove(token: string): void {
    this.#hooks.delete(token);
  }

  /** POSTs the updates of every bot whose webhook is `url` to `target`, a local address. */
  route(url: string, target: string): void {
    this.#routes.set(url, target);
    for (const token of this.#hooks.keys()) this.pump(token);
  }

  /** Posts what the bot has pending and may post now. */
  pump(token: string): void {
    const hook = this.#hooks.get(token);
    const target = hook !== undefined ? this.#routes.get(hook.url) : undefined;
    if (hook === undefined || target === undefined || this.#host.closed()) return;
    const busy = new Set(hook.inFlight.values());
    for (const update of this.#host.pending(token)) {
      if (hook.inFlight.size >= hook.connections) return;
      const key = queueKey(update);
      if (hook.inFlight.has(update.update_id) || busy.has(key)) continue;
      busy.add(key);
      hook.inFlight.set(update.update_id, key);
      void this.#post(token, hook, target, update);
    }
  }

  async #post(token: string, hook: Hook, target: string, update: Update): Promise<void> {
    let status = 0;
    try {
      const headers = { "content-type": "application/json", ...(hook.secret !== "" ? { "x-telegram-bot-api-secret-token": hook.secret } : {}) };
      const response = await fetch(target, { method: "POST", headers, body: JSON.stringify(update), signal: AbortSignal.timeout(60_000) });
      await response.arrayBuffer();
      status = response.status;
    } catch {
      status = 0;
    }
    this.deliveries.push({ token, update_id: update.update_id, status, at: this.#host.now() });
    if (status >= 200 && status < 300) this.#host.acknowledge(update.update_id);
    else await this.#host.sleep(this.#retryMs);
    hook.inFlight.delete(update.update_id);
    this.pump(token);
  }
}
