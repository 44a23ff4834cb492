/**
 * One lead or order waiting to be mirrored to the Google Sheet. The store queues it in the same
 * unit of work as the change itself (`saveActor` queues the lead, `saveOrder` the order), so a
 * sync is never lost and never invented; many changes to one lead are one item, whose `version`
 * counts them.
 */
export interface MirrorItem {
  readonly kind: "lead" | "order";
  /** The user id (as text) of a lead, or the order id. */
  readonly ref: string;
  readonly version: number;
  readonly queuedAt: number;
}

/** The durable outbox of the Sheets mirror; the worker in adapters/sheets drains it. */
export interface MirrorOutbox {
  /** Up to `limit` pending items of one kind, the oldest queued first. */
  pendingMirror(kind: MirrorItem["kind"], limit: number): Promise<readonly MirrorItem[]>;
  /** Marks items mirrored. An item changed since it was read (its version moved on) stays pending. */
  completeMirror(items: readonly MirrorItem[]): Promise<void>;
  /** Queues every lead and order again: the first sync of a new sheet, or a repair. Returns how many. */
  enqueueAllForMirror(): Promise<number>;
  pendingMirrorCount(): Promise<{ readonly leads: number; readonly orders: number }>;
}
