import { leadOf } from "../actors/customerSnapshot.ts";
import { customerActor, type CustomerStepper } from "../actors/customerStepper.ts";
import { timerRowOf, type RecordedAction } from "../actors/durableStep.ts";
import { orderJustPlaced, type Lead, type StoredOrder, type TimerRow } from "../actors/store.port.ts";
import type { CustomerEvent, CustomerWriteParams, TimerEvent } from "../machines/customer.types.ts";

/** An event a synthetic customer does (or an owner does to them), before the runtime stamps it. */
export interface PlannedEvent {
  readonly type: CustomerEvent["type"];
  readonly payload: Readonly<Record<string, unknown>>;
  readonly at: number;
}

/** A row of `crm_events` as the runtime would have appended it. */
export interface LogRow {
  readonly seq: number;
  readonly type: string;
  readonly payload: string;
  readonly at: number;
  readonly key: string;
}

/** A customer's rows after living through their plan: their log, snapshot, lead, armed timers and orders. */
export interface SimulatedCustomer {
  readonly log: LogRow[];
  readonly snapshot: string;
  readonly lead: Lead;
  readonly lastSeq: number;
  readonly timers: TimerRow[];
  readonly orders: StoredOrder[];
}

interface Cause {
  readonly at: number;
  readonly seq: number;
  readonly key: string;
}

/** One customer's life in the runtime, without a store: what `dispatch`, the timer scheduler and the effect worker would have left. */
class Life {
  readonly log: LogRow[] = [];
  readonly orders: StoredOrder[] = [];
  readonly timers = new Map<string, TimerRow>();
  snapshot: ReturnType<CustomerStepper["initialOf"]>["snapshot"];
  private initial: readonly RecordedAction[] | null;
  private readonly stepper: CustomerStepper;
  private readonly userId: number;
  private readonly actor: string;
  private readonly nextSeq: () => number;

  constructor(stepper: CustomerStepper, userId: number, nextSeq: () => number) {
    this.stepper = stepper;
    this.userId = userId;
    this.actor = customerActor(userId);
    this.nextSeq = nextSeq;
    const { snapshot, actions } = stepper.initialOf(userId);
    this.snapshot = snapshot;
    this.initial = actions;
  }

  /** Appends and steps one event, as a unit of the runtime would; `key` null keys it by its seq, as the generator's own events are. */
  step(type: string, payload: Readonly<Record<string, unknown>>, at: number, key: string | null): void {
    const seq = this.nextSeq();
    const cause = { at, seq, key: key ?? `g:${seq}` };
    this.log.push({ seq, type, payload: JSON.stringify(payload), at, key: cause.key });
    const step = this.stepper.step(this.snapshot, { ...payload, type, at, seq } as CustomerEvent | TimerEvent);
    const actions = this.initial ? [...this.initial, ...step.actions] : step.actions;
    this.initial = null;
    this.snapshot = step.snapshot;
    this.apply(cause, actions);
  }

  /** The step's rows: timers armed and cancelled, orders written, facts emitted; a delivered reminder's reply comes back as its event. */
  private apply(cause: Cause, actions: readonly RecordedAction[]): void {
    let effects = 0;
    let emits = 0;
    const replies: string[] = [];
    for (const action of actions) {
      if (action.kind === "timer") this.timers.set(action.sendId, timerRowOf(this.actor, cause, action));
      else if (action.kind === "cancel") this.timers.delete(action.sendId);
      else if (action.kind === "write" && action.name === "recordOrder") {
        const { orderId, items, total, currency, phone, delivery, payment, invoice } = action.params as CustomerWriteParams["recordOrder"];
        this.orders.push({ ...orderJustPlaced, orderId, items, total, currency, phone, delivery, payment: payment ?? "cash", invoice, userId: this.userId, at: cause.at });
      } else if (action.kind === "effect") {
        const key = `e:${this.actor}:${cause.seq}:${effects++}`;
        if (action.name === "sendCartReminder") replies.push(`${key}:done`);
      } else if (action.kind === "emit") {
        const { type, ...fields } = action.event;
        this.log.push({ seq: this.nextSeq(), type, payload: JSON.stringify(fields), at: cause.at, key: `${cause.key}#${emits++}` });
      }
    }
    for (const key of replies) this.step("reminder_sent", {}, cause.at, key);
  }

  /** Fires every armed timer due by `until`, earliest first, each at its due time, as the scheduler would have. */
  fireDue(until: number): void {
    for (;;) {
      let due: TimerRow | undefined;
      for (const timer of this.timers.values()) {
        if (timer.dueAt <= until && (!due || timer.dueAt < due.dueAt || (timer.dueAt === due.dueAt && timer.key < due.key))) due = timer;
      }
      if (!due) return;
      this.timers.delete(due.sendId);
      const { type, ...fields } = JSON.parse(due.event) as { type: string };
      this.step(type, fields, due.dueAt, due.key);
    }
  }
}

/**
 * A customer's rows as the runtime would have left them at `end`, had it run through `planned`:
 * the real machine stepped through each event, every timer fired when it fell due (dormancy,
 * cart reminders) and every effect delivered (a reminder's `reminder_sent` applied). What is
 * still armed at `end` stays a timer row.
 */
export function simulateCustomer(stepper: CustomerStepper, userId: number, planned: readonly PlannedEvent[], end: number, nextSeq: () => number): SimulatedCustomer {
  const life = new Life(stepper, userId, nextSeq);
  for (const event of planned) {
    life.fireDue(event.at);
    life.step(event.type, event.payload, event.at, null);
  }
  life.fireDue(end);
  return {
    log: life.log,
    snapshot: stepper.persist(life.snapshot),
    lead: leadOf(life.snapshot),
    lastSeq: life.log.at(-1)?.seq ?? 0,
    timers: [...life.timers.values()],
    orders: life.orders,
  };
}
