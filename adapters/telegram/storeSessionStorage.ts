import type { StorageAdapter } from "grammy";
import type { SessionStore } from "../../actors/store.port.ts";

/** How many chats' last written values are remembered to skip unchanged writes. */
const rememberedChats = 10_000;

/**
 * grammY sessions kept in the CRM's own store, so that a cart or a half-finished checkout survives
 * a restart in the same file (and the same backups) as the customers themselves.
 *
 * grammY writes a session back after every update that read it; most updates (browsing the
 * catalog) change nothing, so a value equal to the one last read or written is not written again.
 * A value that no longer parses is treated as absent: the chat starts fresh instead of failing.
 */
export function storeSessionStorage<T>(store: SessionStore): StorageAdapter<T> {
  const known = new Map<string, string>();
  const remember = (key: string, text: string): void => {
    known.delete(key);
    known.set(key, text);
    if (known.size > rememberedChats) known.delete(known.keys().next().value ?? key);
  };
  return {
    async read(key) {
      const text = await store.readSession(key);
      if (text === undefined) {
        known.delete(key);
        return undefined;
      }
      remember(key, text);
      try {
        return JSON.parse(text) as T;
      } catch {
        return undefined;
      }
    },
    async write(key, value) {
      const text = JSON.stringify(value);
      if (known.get(key) === text) return;
      await store.writeSession(key, text);
      remember(key, text);
    },
    async delete(key) {
      known.delete(key);
      await store.deleteSession(key);
    },
  };
}
