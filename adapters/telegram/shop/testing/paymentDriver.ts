import { Api } from "grammy";
import type { Update } from "grammy/types";
import { allowedUpdates } from "../../botPlumbing.ts";
import type { BotApiStandIn } from "../../testing/botApiStandIn.ts";
import type { InvoiceRecord, PaymentOutcome, PayOptions } from "../../testing/paymentsStandIn.types.ts";

/**
 * Telegram's payments as the customer makes them: the stand-in's `pay()` queues a
 * `pre_checkout_query` and, once the bot says yes, the `successful_payment`; the harness takes
 * what the stand-in queued for the shop bot with `getUpdates` (asking for the kinds the shop asks
 * for in production) and delivers each one to the bot.
 */
export function paymentDriver(standIn: BotApiStandIn, shopToken: string, deliver: (update: Update) => Promise<void>) {
  const poller = new Api(shopToken, { apiRoot: standIn.apiRoot });
  let offset = 0;
  /** Delivers what the stand-in queued for the shop bot; waits up to `timeoutSeconds` for the first. */
  async function deliverQueued(timeoutSeconds = 0): Promise<number> {
    const batch = await poller.getUpdates({ offset, timeout: timeoutSeconds, allowed_updates: [...allowedUpdates.shop] });
    for (const update of batch) {
      offset = update.update_id + 1;
      await deliver(update);
    }
    return batch.length;
  }
  /** The newest invoice the shop bot sent to this customer. */
  const lastInvoice = (chatId: number): InvoiceRecord | undefined => standIn.payments.invoices.findLast((invoice) => invoice.token === shopToken && invoice.chatId === chatId);
  return {
    deliverQueued,
    lastInvoice,
    /** The customer pays an invoice message (the newest one by default) and every update it brings reaches the bot. */
    async pay(chatId: number, options: PayOptions & { readonly messageId?: number } = {}): Promise<PaymentOutcome> {
      const messageId = options.messageId ?? lastInvoice(chatId)?.messageId;
      if (messageId === undefined) throw new Error(`no invoice in chat ${chatId}`);
      let done = false;
      const paying = standIn.pay(chatId, messageId, { token: shopToken, ...options }).finally(() => (done = true));
      while (!done) await deliverQueued(1);
      await deliverQueued(0);
      return paying;
    },
  };
}
