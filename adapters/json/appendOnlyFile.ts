import { open, type FileHandle } from "node:fs/promises";

/**
 * A write to the store failed and could not be undone, so a file may end in a torn line. The store
 * then refuses every write until it is restarted (opening cuts the torn line): acknowledging
 * anything written after it would put an acknowledged event behind a line no reader can parse.
 */
export class JsonStoreWriteError extends Error {
  override readonly name = "JsonStoreWriteError";
}

/** e.g. `ENOSPC: no space left on device`: Node's message without the syscall and path that follow the comma. */
const reasonOf = (error: unknown): string => (error instanceof Error ? error.message.replace(/,.*$/s, "").slice(0, 200) : String(error));

/**
 * An append-only file whose every append is whole or undone. A full disk writes part of a line
 * (a short write) and then fails; the file is then cut back to its last whole line before anything
 * else is written, so no later line can follow a fragment.
 */
export interface AppendOnlyFile {
  readonly path: string;
  /** Bytes on disk, all of them whole lines. */
  readonly size: number;
  /** Writes `text` whole and syncs it; on failure cuts the file back and rethrows (or throws JsonStoreWriteError when it cannot). */
  append(text: string): Promise<void>;
  /** Cuts the file back to `size`: an append whose unit failed after it, or 0 once it is folded away. */
  truncate(size: number): Promise<void>;
  /** Opens the file again after a rename replaced it. */
  reopen(size: number): Promise<void>;
  close(): Promise<void>;
}

/** Opens `path` for appending; `size` is what its reader found whole (a torn tail already cut). */
export async function openAppendOnly(path: string, size: number): Promise<AppendOnlyFile> {
  let handle: FileHandle = await open(path, "a");
  let end = size;

  async function cutBack(to: number, what: string): Promise<void> {
    try {
      await handle.truncate(to);
      await handle.datasync();
      end = to;
    } catch (error) {
      throw new JsonStoreWriteError(`${path}: ${what} (${reasonOf(error)}); the store refuses every write until it is restarted, which cuts the torn line`);
    }
  }

  return {
    path,
    get size() {
      return end;
    },
    async append(text) {
      const bytes = Buffer.from(text);
      let written = 0;
      try {
        while (written < bytes.length) {
          // A full disk answers with a short write first; only the next write reports ENOSPC.
          const { bytesWritten } = await handle.write(bytes, written, bytes.length - written);
          written += bytesWritten;
        }
        await handle.datasync();
      } catch (error) {
        await cutBack(end, `a write failed (${reasonOf(error)}) and cutting it back failed too`);
        throw error;
      }
      end += bytes.length;
    },
    async truncate(to) {
      await cutBack(to, `cutting it back to ${to} bytes failed`);
    },
    async reopen(to) {
      const next = await open(path, "a");
      await handle.close().catch(() => undefined);
      handle = next;
      end = to;
    },
    close: () => handle.close(),
  };
}
