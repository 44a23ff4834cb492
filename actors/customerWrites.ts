import type { CustomerWriteParams } from "../machines/customer.types.ts";
import { truncateText } from "./conversation.ts";
import { orderJustPlaced, type StoreTx } from "./store.port.ts";

/** What a write knows besides its params: whose step it is, when, and what the caller passed along. */
export interface WriteContext {
  readonly userId: number;
  /** The time of the event whose step decided the write. */
  readonly at: number;
  /** `/forget`'s chat sessions, deleted with the rest (they never enter the log). */
  readonly sessionKeys: readonly string[];
}

type WriteRunners = { readonly [K in keyof CustomerWriteParams]: (tx: StoreTx, params: CustomerWriteParams[K], context: WriteContext) => void };

/**
 * The customer machine's named writes, run inside the step's unit of work, so that they commit
 * with the event that decided them or not at all.
 *
 * `logMessage` stores the message row only: the event that decided it (`question_asked`,
 * `consultant_answered`) is already the log's fact of it, so no `message_in`/`message_out` event is
 * added (an event appended without a step would make a replay differ from the live run).
 */
export const customerWriteRunners: WriteRunners = {
  recordOrder: (tx, { orderId, items, total, currency, phone, delivery, payment, invoice }, { userId, at }) =>
    tx.saveOrder({ ...orderJustPlaced, orderId, items, total, currency, phone, delivery, payment: payment ?? "cash", invoice, userId, at }),
  logMessage: (tx, params, { userId, at }) =>
    tx.appendMessage({ userId, direction: params.direction, type: params.type, text: truncateText(params.text), at }),
  erasePersonalData: (tx, _params, { userId, sessionKeys }) => tx.erasePersonalData(userId, sessionKeys),
};

/** Runs one recorded write by name; a name without a runner is a runtime bug (assertDurable lists the same names). */
export function runCustomerWrite(tx: StoreTx, name: string, params: unknown, context: WriteContext): void {
  const runner = (customerWriteRunners as Readonly<Record<string, (tx: StoreTx, params: unknown, context: WriteContext) => void>>)[name];
  if (!runner) throw new Error(`no runner for the write "${name}"`);
  runner(tx, params, context);
}
