import type { CrmStore } from "../../actors/store.port.ts";
import { fileRewriter } from "./atomicFile.ts";
import type { SessionsFile } from "./jsonLogFormat.ts";

/** The JSON store's bot sessions: the port's reads and writes, and what the store's units and `close` need of them. */
export interface JsonSessions extends Pick<CrmStore, "readSession" | "writeSession" | "deleteSession"> {
  /** Sets (or, with undefined, deletes) a session; an erasing unit deletes its customer's sessions through it. */
  change(key: string, value: string | undefined): Promise<void>;
  /** Settles once the last save begun has: `close` waits for it. */
  settled(): Promise<unknown>;
}

/**
 * Bot sessions in `sessions.json`, replaced whole on each change, which suits the few chats of a
 * small shop. `writable` says why the store takes no writes now (null: it does); `ensureOpen`
 * throws once the store is closed.
 */
export function jsonSessions(path: string, sessions: Map<string, string>, writable: () => Error | null, ensureOpen: () => void): JsonSessions {
  const saveSessions = fileRewriter(path, () => JSON.stringify({ format: 1, sessions: Object.fromEntries(sessions) } satisfies SessionsFile));
  let sessionsSaved: Promise<unknown> = Promise.resolve();
  /** What sessions.json holds for each key changed since the store opened (undefined: no session). */
  const savedSessions = new Map<string, string | undefined>();
  /** How many times each key was changed: a failed save undoes a change only if no later one came. */
  const sessionChanges = new Map<string, number>();

  /**
   * Sets (or, with undefined, deletes) a session and resolves once `sessions.json` holds it. When
   * the save fails, the change is taken back from memory too, unless a later change of the key
   * has replaced it (that one waits for its own save).
   */
  function changeSession(key: string, value: string | undefined): Promise<void> {
    const blocked = writable();
    if (blocked) return Promise.reject(blocked);
    if (!savedSessions.has(key)) savedSessions.set(key, sessions.get(key));
    const change = (sessionChanges.get(key) ?? 0) + 1;
    sessionChanges.set(key, change);
    if (value === undefined) sessions.delete(key);
    else sessions.set(key, value);
    const saved = saveSessions().then(
      () => void savedSessions.set(key, value),
      (error: unknown) => {
        if (sessionChanges.get(key) === change) {
          const before = savedSessions.get(key);
          if (before === undefined) sessions.delete(key);
          else sessions.set(key, before);
        }
        throw error;
      },
    );
    sessionsSaved = saved.catch(() => undefined);
    return saved;
  }

  return {
    change: changeSession,
    settled: () => sessionsSaved,
    async readSession(key) {
      ensureOpen();
      return sessions.get(key);
    },
    writeSession(key, value) {
      return changeSession(key, value);
    },
    deleteSession(key) {
      return changeSession(key, undefined);
    },
  };
}
