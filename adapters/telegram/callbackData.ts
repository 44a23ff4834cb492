/**
 * Compact, versioned, validated callback data for inline buttons.
 *
 * A button is `<version>.<action>.<arg>…`, e.g. `1.cat.coffee.2`, well inside Telegram's 64 bytes.
 * Decoding checks the version, the action and every argument, so a button from an older release,
 * a forged one or a truncated one decodes to `null`, and the bot answers "this button is out of
 * date" instead of acting on it.
 */

/** `id`: a catalog or order token (`[A-Za-z0-9_-]{1,24}`); `int`: a non-negative safe integer; `flag`: 0 or 1. */
export type ArgKind = "id" | "int" | "flag";

type ArgValue<K extends ArgKind> = K extends "id" ? string : K extends "int" ? number : boolean;
type ArgsOf<T extends readonly ArgKind[]> = { -readonly [I in keyof T]: ArgValue<T[I]> };

export type Decoded<S extends Record<string, readonly ArgKind[]>> = {
  [A in keyof S & string]: { readonly action: A; readonly args: ArgsOf<S[A]> };
}[keyof S & string];

const idPattern = /^[A-Za-z0-9_-]{1,24}$/;
const intPattern = /^(0|[1-9][0-9]{0,14})$/;
const maxBytes = 64;

export interface CallbackCodec<S extends Record<string, readonly ArgKind[]>> {
  readonly version: string;
  encode<A extends keyof S & string>(action: A, ...args: ArgsOf<S[A]>): string;
  decode(data: string | undefined): Decoded<S> | null;
}

/** A codec for one bot's buttons. Bump `version` when a button's meaning changes. */
export function callbackCodec<const S extends Record<string, readonly ArgKind[]>>(version: string, spec: S): CallbackCodec<S> {
  if (!/^[a-z0-9]{1,3}$/.test(version)) throw new Error(`a callback version is 1 to 3 lower-case letters or digits: ${version}`);
  for (const action of Object.keys(spec)) {
    if (!/^[a-z]{1,6}$/.test(action)) throw new Error(`a callback action is 1 to 6 lower-case letters: ${action}`);
  }

  function encodeArg(kind: ArgKind, value: unknown): string {
    const text = kind === "flag" ? (value ? "1" : "0") : String(value);
    const ok = kind === "id" ? idPattern.test(text) : kind === "int" ? intPattern.test(text) : true;
    if (!ok) throw new Error(`not a valid ${kind} for a button: ${text.slice(0, 30)}`);
    return text;
  }

  function decodeArg(kind: ArgKind, text: string): string | number | boolean | undefined {
    if (kind === "id") return idPattern.test(text) ? text : undefined;
    if (kind === "int") return intPattern.test(text) ? Number(text) : undefined;
    return text === "1" ? true : text === "0" ? false : undefined;
  }

  return {
    version,
    encode(action, ...args) {
      const kinds = spec[action] ?? [];
      const data = [version, action, ...kinds.map((kind, index) => encodeArg(kind, args[index]))].join(".");
      if (Buffer.byteLength(data) > maxBytes) throw new Error(`callback data over ${maxBytes} bytes: ${action}`);
      return data;
    },
    decode(data) {
      if (typeof data !== "string" || data.length === 0 || Buffer.byteLength(data) > maxBytes) return null;
      const [dataVersion, action, ...parts] = data.split(".");
      if (dataVersion !== version || action === undefined || !Object.hasOwn(spec, action)) return null;
      const kinds = spec[action] ?? [];
      if (parts.length !== kinds.length) return null;
      const args: unknown[] = [];
      for (const [index, kind] of kinds.entries()) {
        const value = decodeArg(kind, parts[index] ?? "");
        if (value === undefined) return null;
        args.push(value);
      }
      return { action, args } as unknown as Decoded<S>;
    },
  };
}
