import type { AnyStateMachine } from "xstate";

/**
 * A machine's live definition as code that Stately Studio imports (the Code panel's Import button,
 * or Machine › Import): `createMachine({ … })` with every named action, guard and delay as the string
 * it is named by. Written from the machine object, not from its file, so it is the machine as the
 * app runs it. What Studio cannot read is left out, and the graph stays the same: the `params`
 * arrows (computed from the event at run time), and a context computed from the actor's input
 * (replaced by `{}`).
 */

const identifier = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** An object or array that fits in this many characters is written on one line. */
const inlineWidth = 100;

const keyOf = (key: string): string => (identifier.test(key) ? key : JSON.stringify(key));

/** An inline function where a name was wanted: shown by its own name, so the graph keeps a label. */
const nameOfFunction = (fn: { readonly name?: string; readonly type?: unknown }): string =>
  typeof fn.type === "string" ? fn.type : fn.name ? fn.name : "inline";

/** One value of the config as source, indented by `depth`; `key` is the property it is the value of. */
function literal(value: unknown, depth: number, key: string | null): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "function") {
    if (key === "params") return undefined;
    if (key === "context" && depth === 1) return "{}";
    return JSON.stringify(nameOfFunction(value as { name?: string; type?: unknown }));
  }
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  const pad = "  ".repeat(depth + 1);
  const end = "  ".repeat(depth);
  const [open, close, parts] = Array.isArray(value)
    ? ["[", "]", value.flatMap((item) => literal(item, depth + 1, null) ?? [])]
    : ["{", "}", Object.entries(value).flatMap(([name, field]) => {
        const text = literal(field, depth + 1, name);
        return text === undefined ? [] : [`${keyOf(name)}: ${text}`];
      })];
  if (parts.length === 0) return `${open}${close}`;
  const oneLine = open === "{" ? `{ ${parts.join(", ")} }` : `[${parts.join(", ")}]`;
  if (!oneLine.includes("\n") && oneLine.length + depth * 2 <= inlineWidth) return oneLine;
  return `${open}\n${parts.map((part) => `${pad}${part},`).join("\n")}\n${end}${close}`;
}

/** `cartReminder = 7200000 ms; dormancy computed from the event`: the named delays as this machine implements them. */
function delaysLine(machine: AnyStateMachine): string | null {
  const delays: Readonly<Record<string, unknown>> = machine.implementations.delays;
  const parts = Object.entries(delays).map(([name, delay]) => (typeof delay === "number" ? `${name} = ${delay} ms` : `${name} computed from the event and context`));
  return parts.length > 0 ? `// Named delays here: ${parts.join("; ")}.` : null;
}

/** The identifier the printed machine is exported as: `customerMachine`. */
export const studioExportName = (machine: AnyStateMachine): string => `${machine.id.replace(/[^A-Za-z0-9_$]/g, "_")}Machine`;

/**
 * The paste-able source of a machine: a comment saying what it is, `import { createMachine }`, and
 * `export const <id>Machine = createMachine({ … });`. See the module's description for what is left out.
 */
export function studioSource(machine: AnyStateMachine): string {
  const delays = delaysLine(machine);
  return [
    `// The "${machine.id}" machine, printed by \`npm run studio -- ${machine.id}\` from its live definition.`,
    "// Import it into Stately Studio: the Import button of the Code panel, or Machine › Import.",
    "// Named actions, guards and delays are strings; params computed at run time are left out, and a",
    "// context computed from the actor's input is {}.",
    ...(delays ? [delays] : []),
    'import { createMachine } from "xstate";',
    "",
    `export const ${studioExportName(machine)} = createMachine(${literal(machine.config, 0, null) ?? "{}"});`,
    "",
  ].join("\n");
}
