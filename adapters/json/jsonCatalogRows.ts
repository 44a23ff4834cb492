/**
 * The JSON store's catalog: categories, products and their stock, and the edits log, held in
 * memory and rebuilt at open from the `k` (edits) and `s` (stock) parts of `events.jsonl`'s lines.
 *
 * A unit stages its changes over what the units before it left, those still being written
 * included, so two units placed at once can never both take the last unit of a product: the second
 * sees the first's reservation. If the first's write then fails, so does the second (jsonStore.ts
 * chains them), and neither is kept.
 */
import { StockShortage, type CatalogReads, type CatalogTx, type ProductRow, type StockLine, type StoredCatalogEdit } from "../../actors/catalogStore.port.ts";
import { pageBounds, pageOf } from "../../actors/paging.ts";
import { applyChange, checkChange, checkStockLines, editedProduct, emptyCatalog, productRow, rowsOf, type CatalogState } from "../catalog/catalogRows.ts";
import type { LogLine } from "./jsonLogFormat.ts";

/** What one unit has staged: the rows it changed as it left them, its edits, and the products whose stock it moved. */
export interface CatalogUnit {
  readonly rows: CatalogState;
  readonly edits: StoredCatalogEdit[];
  readonly stockMoved: Set<string>;
}

export function jsonCatalog() {
  const committed = emptyCatalog();
  const edits: StoredCatalogEdit[] = [];
  const inFlight = new Set<CatalogUnit>();
  let version = 1;
  let nextSeq = 1;

  /** A product as a unit sees it: its own change, else the newest unit in flight that changed it, else the committed row. */
  function productSeen(unit: CatalogUnit, productId: string): ProductRow | undefined {
    const own = unit.rows.products.get(productId);
    if (own) return own;
    for (const other of [...inFlight].reverse()) {
      const staged = other.rows.products.get(productId);
      if (staged) return staged;
    }
    return committed.products.get(productId);
  }

  /** Takes every line or none: a shortage leaves the unit's rows as they were. */
  function reserve(unit: CatalogUnit, lines: readonly StockLine[]): void {
    checkStockLines(lines);
    const taken = new Map<string, ProductRow>();
    for (const { productId, qty } of lines) {
      const product = taken.get(productId) ?? productSeen(unit, productId);
      if (!product) continue;
      if (product.hidden) throw new StockShortage(productId, 0);
      if (product.stock === undefined) continue;
      if (product.stock < qty) throw new StockShortage(productId, product.stock);
      taken.set(productId, { ...product, stock: product.stock - qty });
    }
    for (const [productId, product] of taken) {
      unit.rows.products.set(productId, product);
      unit.stockMoved.add(productId);
    }
  }

  function release(unit: CatalogUnit, lines: readonly StockLine[]): void {
    checkStockLines(lines);
    for (const { productId, qty } of lines) {
      const product = productSeen(unit, productId);
      if (product?.stock === undefined) continue;
      unit.rows.products.set(productId, { ...product, stock: product.stock + qty });
      unit.stockMoved.add(productId);
    }
  }

  function stage(): { readonly unit: CatalogUnit; readonly writes: CatalogTx } {
    const unit: CatalogUnit = { rows: emptyCatalog(), edits: [], stockMoved: new Set() };
    const writes: CatalogTx = {
      reserveStock: (lines) => reserve(unit, lines),
      releaseStock: (lines) => release(unit, lines),
      applyCatalogEdit(edit) {
        checkChange(edit.change);
        const productId = editedProduct(edit.change);
        if (productId !== null) {
          const product = productSeen(unit, productId);
          if (!product) throw new Error(`product ${productId} is not in the catalog`);
          unit.rows.products.set(productId, product);
        }
        applyChange(unit.rows, edit.change);
        unit.edits.push({ seq: nextSeq++, by: edit.by, at: edit.at, change: edit.change });
      },
    };
    return { unit, writes };
  }

  /** The unit's `k` and `s`; empty when it edited nothing and moved no tracked stock. */
  function lineParts(unit: CatalogUnit): Pick<LogLine, "k" | "s"> {
    const stock = [...unit.stockMoved].map((productId): [string, number | null] => [productId, unit.rows.products.get(productId)?.stock ?? null]);
    return { ...(unit.edits.length > 0 ? { k: unit.edits } : {}), ...(stock.length > 0 ? { s: stock } : {}) };
  }

  /**
   * Applies a line's edits, then the stocks it left: at open in log order, and after each line is
   * on disk. Each line that changed the catalog moves the version.
   */
  function apply(line: Pick<LogLine, "k" | "s">): void {
    for (const edit of line.k ?? []) {
      // Checked before it was written; a product gone since (a hand-edited log) leaves the edit in the log alone.
      const productId = editedProduct(edit.change);
      if (productId === null || committed.products.has(productId)) applyChange(committed, edit.change);
      edits.push(edit);
      nextSeq = Math.max(nextSeq, edit.seq + 1);
    }
    for (const [productId, stock] of line.s ?? []) {
      const product = committed.products.get(productId);
      if (product) committed.products.set(productId, productRow({ ...product, stock: stock ?? undefined }));
    }
    if ((line.k?.length ?? 0) + (line.s?.length ?? 0) > 0) version += 1;
  }

  const reads: CatalogReads = {
    catalogRows: () => rowsOf(committed),
    catalogVersion: () => version,
    async catalogEdits(request) {
      const { offset, limit } = pageBounds(request);
      const newestFirst = edits.slice(Math.max(0, edits.length - offset - limit - 1), Math.max(0, edits.length - offset)).reverse();
      return pageOf(newestFirst, offset, limit);
    },
  };

  return {
    reads,
    stage,
    lineParts,
    apply,
    begin: (unit: CatalogUnit): void => void inFlight.add(unit),
    end: (unit: CatalogUnit): void => void inFlight.delete(unit),
  };
}
