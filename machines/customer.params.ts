import type { CustomerContext, CustomerEffectParams, CustomerEvent, CustomerWriteParams, TimerEvent } from "./customer.types.ts";

/**
 * The params of the customer machine's named effects and writes, from the context and the event
 * that runs them: named, so that the machine's definition reads as names only.
 */

type EventOf<K extends CustomerEvent["type"]> = Extract<CustomerEvent, { type: K }>;

type Args<E extends CustomerEvent | TimerEvent = CustomerEvent | TimerEvent> = { readonly context: CustomerContext; readonly event: E };

export const reminderOf = ({ context }: Args): CustomerEffectParams["sendCartReminder"] => ({ lines: context.cart.lines, language: context.language });
export const orderOf = ({ context, event }: Args<EventOf<"order_created">>): CustomerWriteParams["recordOrder"] => ({
  orderId: event.orderId,
  items: event.items ?? [],
  total: event.total,
  currency: event.currency,
  phone: context.phone,
  delivery: context.checkout?.delivery ?? null,
  payment: event.payment ?? null,
  invoice: event.invoice ?? null,
  language: context.language,
});
export const orderIdOf = ({ event }: Args<EventOf<"order_created">>): CustomerEffectParams["notifyOwnersOfOrder"] => ({ orderId: event.orderId });
export const questionOf = ({ context, event }: Args<EventOf<"question_asked">>): CustomerEffectParams["askConsultant"] => ({ question: event.text, language: context.language });
export const questionLogOf = ({ event }: Args<EventOf<"question_asked">>): CustomerWriteParams["logMessage"] => ({ direction: "in", type: "text", text: event.text });
export const answerOf = ({ context, event }: Args<EventOf<"consultant_answered">>): CustomerEffectParams["sendConsultantAnswer"] => ({ text: event.text, language: context.language });
export const answerLogOf = ({ event }: Args<EventOf<"consultant_answered">>): CustomerWriteParams["logMessage"] => ({ direction: "out", type: "ai_response", text: event.text });
export const failureOf = ({ context, event }: Args<EventOf<"consultant_failed">>): CustomerEffectParams["sendConsultantFailure"] => ({ reason: event.reason, language: context.language });
export const timeoutOf = ({ context }: Args): CustomerEffectParams["sendConsultantFailure"] => ({ reason: "timeout", language: context.language });
/** A campaign message's params: only the language; its text is the shop's, read when it is delivered. */
export const languageOf = ({ context }: Args): { readonly language: CustomerContext["language"] } => ({ language: context.language });
