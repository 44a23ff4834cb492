import type { StorageAdapter } from "grammy";
import type { SessionStore } from "../../actors/store.port.ts";

/**
 * grammY sessions kept in the CRM's own store, so that a cart or a half-finished checkout survives
 * a restart in the same file (and the same backups) as the customers themselves.
 * A value that no longer parses is treated as absent: the chat starts fresh instead of failing.
 */
export function storeSessionStorage<T>(store: SessionStore): StorageAdapter<T> {
  return {
    async read(key) {
      const text = await store.readSession(key);
      if (text === undefined) return undefined;
      try {
        return JSON.parse(text) as T;
      } catch {
        return undefined;
      }
    },
    write: (key, value) => store.writeSession(key, JSON.stringify(value)),
    delete: (key) => store.deleteSession(key),
  };
}
