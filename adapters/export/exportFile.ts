import { mkdtemp, rename, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exportTable, neutralise, type ExportStore, type ExportSubject } from "./cells.ts";
import { csvWriter, xlsxWriter, type TableWriter } from "./writers.ts";

export type ExportFormat = "csv" | "xlsx";

/** Telegram's upload limit for a bot's document (50 MB); a file above it is split into parts. */
export const telegramUploadLimit = 50 * 1024 * 1024;

/** An export written to disk: its files (one, or the parts of a split), the rows (header aside), and its folder to remove after sending. */
export interface ExportResult {
  readonly dir: string;
  readonly files: readonly string[];
  readonly rows: number;
  /** Whether the rows were split over several files, each under the limit and each with the header. */
  readonly split: boolean;
}

export interface ExportOptions {
  /** The largest file written (default Telegram's 50 MB). */
  readonly limitBytes?: number;
  /** The files' base name, e.g. `leads-2026-11-30`. */
  readonly name: string;
  /** Rows written to the file at a time (default 500, fewer under a small limit, so that a batch cannot overshoot it). */
  readonly batch?: number;
}

function cellsOf(row: readonly string[], numeric: ReadonlySet<number>, format: ExportFormat): (string | number)[] {
  return row.map((cell, i) => {
    if (!numeric.has(i)) return neutralise(cell);
    return format === "xlsx" && cell !== "" && Number.isFinite(Number(cell)) ? Number(cell) : cell;
  });
}

/**
 * Streams an export to files in a new temporary folder: the store is read a page at a time and
 * rows go to disk in batches, so memory does not grow with the number of leads. When the next batch
 * could take a file near `limitBytes` (twice the largest batch so far, and a margin for the
 * compressor's buffer and the zip's directory), the rest goes to a next part (`-part2` …), each a whole table with its header.
 */
export async function writeExport(store: ExportStore, subject: ExportSubject, format: ExportFormat, options: ExportOptions): Promise<ExportResult> {
  const limit = options.limitBytes ?? telegramUploadLimit;
  const margin = Math.min(2 * 1024 * 1024, Math.floor(limit / 5));
  const batchSize = options.batch ?? Math.max(1, Math.min(500, Math.floor(limit / 100_000)));
  const dir = await mkdtemp(join(tmpdir(), "shop-crm-export-"));
  const table = exportTable(store, subject);
  const files: string[] = [];
  const open = (): TableWriter => {
    const path = join(dir, `${options.name}-part${files.length + 1}.${format}`);
    files.push(path);
    return format === "csv" ? csvWriter(path, table.header) : xlsxWriter(path, table.header, subject.kind === "leads" ? "Leads" : "Orders");
  };
  try {
    let writer: TableWriter | null = null;
    let batch: (string | number)[][] = [];
    let rows = 0;
    let growth = 0;
    const flush = async (): Promise<void> => {
      if (batch.length === 0) return;
      if (writer !== null && writer.bytes() + 2 * growth > limit - margin) {
        await writer.close();
        writer = null;
      }
      writer ??= open();
      const before = writer.bytes();
      await writer.write(batch);
      growth = Math.max(growth, writer.bytes() - before);
      batch = [];
    };
    for await (const row of table.rows) {
      batch.push(cellsOf(row, table.numeric, format));
      rows += 1;
      if (batch.length >= batchSize) await flush();
    }
    await flush();
    if (writer === null && files.length === 0) writer = open();
    if (writer !== null) await writer.close();
    return { dir, files: await named(files, options.name, format), rows, split: files.length > 1 };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** A single file loses its `-part1`. */
async function named(files: readonly string[], name: string, format: ExportFormat): Promise<readonly string[]> {
  if (files.length === 1 && files[0] !== undefined) {
    const single = join(files[0], "..", `${name}.${format}`);
    await rename(files[0], single);
    return [single];
  }
  return files;
}
