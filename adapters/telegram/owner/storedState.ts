import type { SessionStore } from "../../../actors/store.port.ts";

/**
 * A small piece of the owner bot's own state kept in the store's key-value space (which owners got
 * today's report, which orders were announced), read back through `accept`, which returns the value
 * or null when the stored JSON is missing, malformed or of another shape.
 */
export async function readStoredState<T>(store: SessionStore, key: string, accept: (value: Record<string, unknown>) => T | null): Promise<T | null> {
  const text = await store.readSession(key);
  if (text === undefined) return null;
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === "object" && parsed !== null ? accept(parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
