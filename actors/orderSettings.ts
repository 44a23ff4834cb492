import { orderMachine } from "../machines/order.machine.ts";

/** The shop's own timings for orders, which the order machine's delays and guards need. */
export interface OrderSettings {
  /** `ORDER_PAYMENT_MINUTES`: how long an unpaid order keeps its stock before it is cancelled. */
  readonly paymentMinutes: number;
  /** `ORDER_FEEDBACK_HOURS`: how long after delivery the customer is asked for a rating; 0 never asks. */
  readonly feedbackHours: number;
}

const minute = 60_000;
const hour = 60 * minute;

/** Every problem with a set of order settings, as one line each; none means they are usable. */
export function orderSettingsProblems(settings: OrderSettings): string[] {
  const problems: string[] = [];
  if (!Number.isSafeInteger(settings.paymentMinutes) || settings.paymentMinutes < 1) problems.push(`paymentMinutes must be a whole number of at least 1, got ${settings.paymentMinutes}`);
  if (!Number.isSafeInteger(settings.feedbackHours) || settings.feedbackHours < 0) problems.push(`feedbackHours must be a whole number of at least 0, got ${settings.feedbackHours}`);
  return problems;
}

/**
 * The order machine with the shop's settings, as actors/customerSettings.ts does for customers:
 * the machine names `paymentTimeout`, `feedbackDelay` and `feedbackOff`, and the composition,
 * which knows the configuration, gives them their values here.
 *
 * @throws RangeError naming every unusable setting.
 * @example
 * const machine = provideOrderSettings({ paymentMinutes: 60, feedbackHours: 24 });
 */
export function provideOrderSettings(settings: OrderSettings) {
  const problems = orderSettingsProblems(settings);
  if (problems.length > 0) throw new RangeError(`order settings: ${problems.join("; ")}`);
  const feedbackOff = settings.feedbackHours === 0;
  return orderMachine.provide({
    guards: { feedbackOff: () => feedbackOff },
    delays: {
      paymentTimeout: settings.paymentMinutes * minute,
      // Never armed when feedback is off (the guard sends a delivered order straight to `closed`).
      feedbackDelay: Math.max(1, settings.feedbackHours) * hour,
    },
  });
}
