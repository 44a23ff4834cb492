/**
 * A disk that can fill up, for the JSON store's write-failure tests: every FileHandle's write,
 * writeFile, datasync and truncate of this process go through a small model with a byte budget,
 * which answers as a full disk does (a short write, then ENOSPC).
 */
import { open, type FileHandle } from "node:fs/promises";
import { join } from "node:path";

const errno = (code: string, message: string, syscall: string): NodeJS.ErrnoException => Object.assign(new Error(`${code}: ${message}, ${syscall}`), { code, syscall });

export interface DiskModel {
  /** Bytes that still fit; Infinity for a disk with room. */
  free: number;
  failTruncate: boolean;
  /** How many of the next fdatasync calls fail with EIO. */
  datasyncFailures: number;
  /** How many of the next writes fail with ENOSPC, whatever the budget, ... */
  writeFailures: number;
  /** ... once this many more writes have gone through. */
  writesBeforeFailure: number;
  /** While set, every write waits for it: a write held in flight. */
  hold: Promise<void> | null;
  restore(): void;
}

/** Routes every FileHandle write of this process through a disk that can fill up. */
export async function injectDiskModel(probeDir: string): Promise<DiskModel> {
  const probe = await open(join(probeDir, ".probe"), "w");
  const proto = Object.getPrototypeOf(probe) as FileHandle;
  await probe.close();
  const original = { write: proto.write, writeFile: proto.writeFile, datasync: proto.datasync, truncate: proto.truncate };
  const writeBytes = original.write as (this: FileHandle, buffer: Buffer, offset: number, length: number) => Promise<{ bytesWritten: number }>;
  const disk: DiskModel = {
    free: Number.POSITIVE_INFINITY,
    failTruncate: false,
    datasyncFailures: 0,
    writeFailures: 0,
    writesBeforeFailure: 0,
    hold: null,
    restore: () => Object.assign(proto, original),
  };
  /** Writes what fits of `bytes` at the handle's position (or its end, in append mode); throws ENOSPC when nothing fits. */
  async function writeSome(handle: FileHandle, bytes: Buffer): Promise<number> {
    if (disk.hold) await disk.hold;
    if (disk.writeFailures > 0 && disk.writesBeforeFailure > 0) disk.writesBeforeFailure -= 1;
    else if (disk.writeFailures > 0) {
      disk.writeFailures -= 1;
      throw errno("ENOSPC", "no space left on device", "write");
    }
    if (bytes.length > 0 && disk.free <= 0) throw errno("ENOSPC", "no space left on device", "write");
    const fits = Math.min(bytes.length, disk.free);
    disk.free -= fits;
    const { bytesWritten } = await writeBytes.call(handle, bytes, 0, fits);
    return bytesWritten;
  }
  Object.assign(proto, {
    async write(this: FileHandle, data: Buffer | string, offset?: number, length?: number) {
      const whole = typeof data === "string" ? Buffer.from(data) : data;
      const bytes = whole.subarray(offset ?? 0, (offset ?? 0) + (length ?? whole.length - (offset ?? 0)));
      const bytesWritten = await writeSome(this, bytes);
      return { bytesWritten, buffer: data };
    },
    async writeFile(this: FileHandle, data: string | Buffer) {
      let bytes = typeof data === "string" ? Buffer.from(data) : data;
      while (bytes.length > 0) bytes = bytes.subarray(await writeSome(this, bytes));
    },
    async datasync(this: FileHandle) {
      if (disk.datasyncFailures > 0) {
        disk.datasyncFailures -= 1;
        throw errno("EIO", "i/o error", "fdatasync");
      }
      return original.datasync.call(this);
    },
    async truncate(this: FileHandle, length?: number) {
      if (disk.failTruncate) throw errno("EIO", "i/o error", "ftruncate");
      return original.truncate.call(this, length);
    },
  });
  return disk;
}
