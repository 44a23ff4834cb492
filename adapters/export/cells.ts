import type { SegmentContext, SegmentFilter, SegmentStore } from "../../actors/segments.port.ts";
import type { CrmQueries, Lead, StoredOrder } from "../../actors/store.port.ts";
import { leadColumns, leadRow, orderColumns, orderRow } from "../sheets/sheetRows.ts";

/**
 * A spreadsheet reads a cell beginning with `=`, `+`, `-` or `@` (or a tab or carriage return that
 * hides one) as a formula: a customer named `=HYPERLINK(…)` would run in the owner's Excel. OWASP's
 * advice is a leading `'`, which every spreadsheet shows as text and hides.
 */
export function neutralise(cell: string): string {
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

/** What an export holds: leads (all, or a segment's) or the orders placed in `[from, to)`. */
export type ExportSubject =
  | { readonly kind: "leads"; readonly filter?: SegmentFilter; readonly context: SegmentContext }
  | { readonly kind: "orders"; readonly from: number; readonly to: number };

/** A table's header, which columns hold numbers (written as numbers in XLSX, never neutralised), and its rows. */
export interface ExportTable {
  readonly header: readonly string[];
  readonly numeric: ReadonlySet<number>;
  readonly rows: AsyncIterable<readonly string[]>;
}

const leadNumbers = new Set([leadColumns.indexOf("user_id"), leadColumns.indexOf("orders_count"), leadColumns.indexOf("lifetime_value")]);
const orderNumbers = new Set([orderColumns.indexOf("user_id"), orderColumns.indexOf("total")]);

/** The store an export reads: the lead and order queries, and the segments' cursor over user ids. */
export type ExportStore = Pick<CrmQueries, "lead" | "ordersByStatus"> & Pick<SegmentStore, "segmentUserIds">;

/** Ids a page; leads are read one by one, so at most this many ids are held at once. */
const idPage = 1000;

/**
 * Leads in user id order through the segments' cursor (an empty filter is everyone), never more
 * than a page of ids in memory. Customers who used /forget are in no segment, so they are left out.
 */
async function* leadsOf(store: ExportStore, filter: SegmentFilter, context: SegmentContext): AsyncGenerator<Lead> {
  let after = 0;
  for (;;) {
    const ids = await store.segmentUserIds(filter, context, after, idPage);
    for (const id of ids) {
      const lead = await store.lead(id);
      if (lead !== null) yield lead;
    }
    if (ids.length < idPage) return;
    after = ids[ids.length - 1] ?? after;
  }
}

/** Orders placed in `[from, to)`, walked newest first through the "🧾 Orders" index a page at a time, stopping at the first older than `from`. */
async function* ordersOf(store: ExportStore, from: number, to: number): AsyncGenerator<StoredOrder> {
  const limit = 100;
  for (let offset = 0; ; offset += limit) {
    const page = await store.ordersByStatus(null, { offset, limit });
    for (const order of page.items) {
      if (order.at < from) return;
      if (order.at < to) yield order;
    }
    if (!page.hasMore) return;
  }
}

async function* mapped<T>(items: AsyncIterable<T>, row: (item: T) => readonly string[]): AsyncGenerator<readonly string[]> {
  for await (const item of items) yield row(item);
}

/** The table of an export, in the columns of the Sheets mirror (adapters/sheets/sheetRows.ts). */
export function exportTable(store: ExportStore, subject: ExportSubject): ExportTable {
  if (subject.kind === "leads") {
    return { header: leadColumns, numeric: leadNumbers, rows: mapped(leadsOf(store, subject.filter ?? {}, subject.context), leadRow) };
  }
  return { header: orderColumns, numeric: orderNumbers, rows: mapped(ordersOf(store, subject.from, subject.to), orderRow) };
}
