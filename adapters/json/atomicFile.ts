import { open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/** Where `replaceFile` stages the new text; a crash may leave it behind, and opening a store removes it. */
export function tempPathOf(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp`);
}

async function syncFolder(dir: string): Promise<void> {
  if (process.platform === "win32") return; // a folder cannot be opened for fsync there; NTFS journals the rename
  const folder = await open(dir, "r");
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
}

/**
 * Replaces a file's content all at once and durably: the text goes to a temporary file, which is
 * synced and renamed over the old one, then the folder is synced so the rename survives a power cut.
 * A crash leaves the old file or the new one, never a mix; nothing of the old content stays in the file.
 * A failure (a full disk) leaves the old file and removes the temporary one.
 */
export async function replaceFile(path: string, text: string): Promise<void> {
  const temp = tempPathOf(path);
  try {
    const file = await open(temp, "w");
    try {
      await file.writeFile(text);
      await file.datasync();
    } finally {
      await file.close();
    }
    await rename(temp, path);
  } catch (error) {
    // A full disk leaves part of the new text in the temporary file: the old file stands, and the
    // part goes now, so it holds no space (nor personal data) until the next start.
    await rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
  await syncFolder(dirname(path));
}

/**
 * Rewrites of one file, one at a time, each with the content `render` gives when it starts. A call
 * made while a rewrite runs waits for one more, shared with every call made meanwhile, so a burst
 * of changes costs two rewrites, not one per change. Resolves once the caller's change is on disk.
 */
export function fileRewriter(path: string, render: () => string): () => Promise<void> {
  let running: Promise<void> = Promise.resolve();
  let waiting: Promise<void> | null = null;
  return () => {
    if (waiting) return waiting;
    const next = running
      .catch(() => undefined)
      .then(() => {
        waiting = null;
        return replaceFile(path, render());
      });
    waiting = next;
    running = next;
    return next;
  };
}
