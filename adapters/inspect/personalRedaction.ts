import type { AnyEventObject, MachineContext } from "xstate";

/**
 * Fields that hold what a person typed or who they are. With `npm run inspect -- --live`, the
 * inspector page embeds stately.ai in the developer's browser, so real customers' names, phones,
 * addresses and messages are hidden from it unless `--show-personal` is given.
 */
const personalKeys: ReadonlySet<string> = new Set(["name", "username", "phone", "delivery", "text", "query", "question", "first_name", "last_name"]);

/** Shown instead of a hidden value; its length is not kept either. */
export const hiddenValue = "‹hidden›";

function redactValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactValue);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, personalKeys.has(key) && field !== null ? hiddenValue : redactValue(field)]));
}

/** A machine context with its personal fields hidden, at any depth (notes, too). */
export function redactContext(context: MachineContext): MachineContext {
  return redactValue(context) as MachineContext;
}

/** An event with its personal fields hidden; its type stays. */
export function redactEvent(event: AnyEventObject): AnyEventObject {
  return { ...(redactValue(event) as Record<string, unknown>), type: event.type };
}
