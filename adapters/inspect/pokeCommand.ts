import type { DispatchResult } from "../../actors/customerRuntime.ts";
import type { CustomerEventInput } from "../../machines/customer.types.ts";

/** How a developer pokes a customer from `npm run inspect`'s terminal; printed with a line it cannot read. */
export const pokeUsage = `send a customer an event: <user id> <event type> [JSON fields], e.g.
  501 catalog_view
  501 add_to_cart {"productId":"sencha","qty":1}`;

/** One line read: whom to send what. */
export interface Poke {
  readonly userId: number;
  readonly event: CustomerEventInput;
}

/**
 * Reads `501 add_to_cart {"productId":"sencha","qty":1}`. The runtime checks the event's type
 * when it is dispatched; here only the shape of the line is checked. Null for a blank line.
 */
export function parsePoke(line: string): { readonly ok: true; readonly poke: Poke } | { readonly ok: false; readonly problem: string } | null {
  const text = line.trim();
  if (text === "") return null;
  const match = /^(\S+)\s+(\S+)\s*(.*)$/s.exec(text);
  if (!match) return { ok: false, problem: pokeUsage };
  const [, id = "", type = "", rest = ""] = match;
  const userId = Number(id);
  if (!/^\d+$/.test(id) || !Number.isSafeInteger(userId) || userId <= 0) return { ok: false, problem: `"${id}" is not a user id: ${pokeUsage}` };
  if (!/^[a-z_]+$/.test(type)) return { ok: false, problem: `"${type}" is not an event type (lower-case letters and _): ${pokeUsage}` };
  let fields: unknown = {};
  if (rest !== "") {
    try {
      fields = JSON.parse(rest);
    } catch {
      return { ok: false, problem: `the fields are not JSON: ${rest}` };
    }
  }
  if (typeof fields !== "object" || fields === null || Array.isArray(fields)) return { ok: false, problem: `the fields must be a JSON object, like {"qty":1}, not ${rest}` };
  return { ok: true, poke: { userId, event: { ...fields, type } as CustomerEventInput } };
}

/** A region's state as a path: `filled.shopping.waiting`. */
function statePath(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value !== "object" || value === null) return String(value);
  return Object.entries(value)
    .map(([key, inner]) => `${key}.${statePath(inner)}`)
    .join(" + ");
}

/** The terminal's answer to a dispatched poke: what was committed, and where the customer is now. */
export function pokeAnswer(poke: Poke, result: DispatchResult): string {
  const regions = Object.entries(result.snapshot.value)
    .filter(([region]) => region !== "facts")
    .map(([region, state]) => `${region} ${statePath(state)}`)
    .join(", ");
  return `customer ${poke.userId}: ${poke.event.type} committed as event ${result.seq}; now ${regions}`;
}

/**
 * One line from the developer, sent to that customer through the bridge (whose actor dispatches it
 * into the runtime). Resolves with the line to print: what was committed, or why nothing was
 * (`refusal`, when poking is not allowed at all). Null for a blank line; never rejects.
 */
export async function poke(bridge: { send(userId: number, event: CustomerEventInput): Promise<DispatchResult> }, line: string, refusal: string | null): Promise<string | null> {
  const parsed = parsePoke(line);
  if (parsed === null) return null;
  if (refusal !== null) return refusal;
  if (!parsed.ok) return parsed.problem;
  try {
    return pokeAnswer(parsed.poke, await bridge.send(parsed.poke.userId, parsed.poke.event));
  } catch (error) {
    return `customer ${parsed.poke.userId}: ${parsed.poke.event.type} was not sent: ${error instanceof Error ? error.message : String(error)}`;
  }
}
