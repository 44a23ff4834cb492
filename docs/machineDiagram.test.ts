import { readFileSync } from "node:fs";
import { createMachine, type AnyStateMachine } from "xstate";
import { describe, expect, it } from "vitest";
import { diagramMachines, diagramPath, everyState, machineDiagram } from "./machineDiagram.ts";

/** One transition as a diagram must show it: `source --> target: label`. */
type Drawn = `${string} --> ${string}: ${string}`;

interface Definition {
  readonly initial?: string;
  readonly type?: string;
  readonly on?: Record<string, unknown>;
  readonly after?: Record<string, unknown>;
  readonly always?: unknown;
  readonly states?: Record<string, Definition>;
}

const candidatesOf = (config: unknown): unknown[] => (Array.isArray(config) ? config : [config]);
const field = (candidate: unknown, name: string): unknown => (typeof candidate === "object" && candidate !== null && name in candidate ? (candidate as Record<string, unknown>)[name] : undefined);

function guardOf(candidate: unknown): string {
  const guard = field(candidate, "guard");
  if (guard === undefined) return "";
  return typeof guard === "string" ? guard : String(field(guard, "type") ?? "");
}

/**
 * A target as written in a definition, as the path of the state it names: `"#machine.a.b"` (by id),
 * `".a.b"` (inside the state that has the transition), `"a.b"` (from its parent); none means the
 * state stays.
 */
function targetPath(candidate: unknown, path: readonly string[]): readonly string[] {
  const target = typeof candidate === "string" ? candidate : field(candidate, "target");
  if (target === undefined) return path;
  if (typeof target !== "string") throw new Error(`a target the check does not read: ${JSON.stringify(target)}`);
  if (target.startsWith("#")) return target.slice(1).split(".").slice(1);
  if (target.startsWith(".")) return [...path, ...target.slice(1).split(".")];
  return [...path.slice(0, -1), ...target.split(".")];
}

const drawnName = (path: readonly string[]): string => path.join("_");
const holds = (outer: readonly string[], inner: readonly string[]): boolean => inner.length >= outer.length && outer.every((key, index) => inner[index] === key);

/**
 * What the diagram of a machine must show, read from its definition as written (not from the
 * generator's walk): every candidate of every event, delay and `always`, with its guard; the
 * initial state and every final one, in every box. A state with states inside (and the machine
 * itself) draws its transitions into itself from its dashed `every state`, and those out of it from
 * its box.
 */
function transitionsOf(definition: Definition): Set<Drawn> {
  const expected = new Set<Drawn>();
  const walk = (path: readonly string[], node: Definition): void => {
    const box = path.length === 0 || Object.keys(node.states ?? {}).length > 0;
    const every = path.length === 0 ? everyState : `${drawnName(path)}_${everyState}`;
    const add = (trigger: string, candidates: unknown[]): void => {
      candidates.forEach((candidate, index) => {
        const guard = guardOf(candidate);
        const label = `${trigger}${guard ? ` [${guard}]` : index > 0 ? " [else]" : ""}`;
        const target = targetPath(candidate, path);
        const stays = target.length === path.length && holds(path, target);
        const source = box && holds(path, target) ? every : drawnName(path);
        expected.add(`${source} --> ${box && stays ? every : drawnName(target)}: ${label}`);
      });
    };
    for (const [event, config] of Object.entries(node.on ?? {})) add(event, candidatesOf(config));
    for (const [delay, config] of Object.entries(node.after ?? {})) add(/^\d+$/.test(delay) ? `after ${delay} ms` : `after ${delay}`, candidatesOf(config));
    if (node.always !== undefined) add("always", candidatesOf(node.always));
    if (node.initial && node.type !== "parallel") expected.add(`[*] --> ${drawnName([...path, node.initial])}: `);
    for (const [name, state] of Object.entries(node.states ?? {})) {
      walk([...path, name], state);
      if (state.type === "final") expected.add(`${drawnName([...path, name])} --> [*]: `);
    }
  };
  walk([], definition);
  return expected;
}

/** Every transition a page's Mermaid diagrams draw, one per label of each arrow. */
function drawnIn(page: string): Set<Drawn> {
  const drawn = new Set<Drawn>();
  for (const [, diagram = ""] of page.matchAll(/```mermaid\n([\s\S]*?)```/g)) {
    for (const line of diagram.split("\n")) {
      const arrow = /^\s*(\S+) --> (\S+?)(?:: (.*))?$/.exec(line);
      if (!arrow) continue;
      const labels = arrow[3] === undefined ? [""] : arrow[3].split(", ");
      for (const label of labels) drawn.add(`${arrow[1]} --> ${arrow[2]}: ${label}`);
    }
  }
  return drawn;
}

/** What the definition has and the page does not draw, and what the page draws that the definition does not have. */
function compare(machine: AnyStateMachine, page: string): { missing: Drawn[]; extra: Drawn[] } {
  const expected = transitionsOf(machine.config as Definition);
  const drawn = drawnIn(page);
  return { missing: [...expected].filter((edge) => !drawn.has(edge)), extra: [...drawn].filter((edge) => !expected.has(edge)) };
}

describe("machine diagrams", () => {
  for (const machine of diagramMachines) {
    it(`docs/machines/${machine.id}.md matches the machine (run npm run diagrams)`, () => {
      expect(readFileSync(diagramPath(machine), "utf8")).toBe(machineDiagram(machine));
    });

    it(`draws every transition of ${machine.id}, and none it does not have`, () => {
      const found = compare(machine, readFileSync(diagramPath(machine), "utf8"));
      expect(found).toEqual({ missing: [], extra: [] });
    });
  }

  it("the check fails on a diagram that leaves out a self-transition, a final state or the machine's own transitions", () => {
    const search = diagramMachines.find((machine) => machine.id === "ownerSearch");
    const navigation = diagramMachines.find((machine) => machine.id === "ownerNavigation");
    if (!search || !navigation) throw new Error("a machine is missing from diagramMachines");
    // No machine of the product ends: a small one with a final state stands in for that case.
    const ending = createMachine({ id: "ending", initial: "open", states: { open: { on: { CLOSE: "placed" } }, placed: { type: "final" } } });
    expect(compare(search, machineDiagram(search).replace("  results --> results: PAGE\n", "")).missing).toEqual(["results --> results: PAGE"]);
    expect(compare(ending, machineDiagram(ending).replace("  placed --> [*]\n", "")).missing).toEqual(["placed --> [*]: "]);
    const backOnly = machineDiagram(navigation).split("\n").filter((line) => !line.includes(`${everyState} -->`)).join("\n");
    expect(compare(navigation, backOnly).missing).toContain("every_state --> report: REPORT [isDay]");
    expect(compare(search, machineDiagram(search).replace("results --> idle: CANCEL", "results --> idle: CANCEL, CLOSE")).extra).toEqual(["results --> idle: CLOSE"]);
  });

  it("draws a delay, an eventless transition, a refusal that stays, and a final state", () => {
    const machine = createMachine({
      id: "sample",
      initial: "waiting",
      on: { RESET: ".waiting", PING: {} },
      states: {
        waiting: { after: { 5000: "late" }, on: { GO: [{ guard: "ready", target: "done" }, { actions: [] }] } },
        late: { always: { target: "done" } },
        done: { type: "final" },
      },
    });
    const page = machineDiagram(machine);
    for (const line of ["  waiting --> late: after 5000 ms", "  waiting --> done: GO [ready]", "  waiting --> waiting: GO [else]", "  late --> done: always", "  done --> [*]", `  ${everyState} --> waiting: RESET`, `  ${everyState} --> ${everyState}: PING`]) {
      expect(page).toContain(`${line}\n`);
    }
    expect(compare(machine, page)).toEqual({ missing: [], extra: [] });
  });

  it("draws the customer's parallel regions, every upward transition of the funnel, and the facts recorded in every state", () => {
    const customer = diagramMachines.find((machine) => machine.id === "customer");
    if (!customer) throw new Error("no customer machine");
    const diagram = machineDiagram(customer);
    for (const region of ["facts", "funnel", "cart", "checkout", "consultant", "activity"]) expect(diagram).toMatch(new RegExp(`^ {4}state ${region} \\{$`, "m"));
    expect(diagram.match(/^ {4}--$/gm)).toHaveLength(5);
    expect(diagram).toContain("[*] --> funnel_new");
    expect(diagram).toContain("funnel_new --> funnel_customer: order_created [else]");
    expect(diagram).toContain("funnel_customer --> funnel_repeat: order_created");
    expect(diagram).not.toMatch(/^ *funnel_repeat --> /m);
    expect(diagram).toMatch(/^ *facts_recording --> facts_recording: start, catalog_view, /m);
    expect(diagram).toContain("cart_filled_shopping_waiting --> cart_filled_shopping_quiet: after cartReminder [inQuietHours]");
    expect(diagram).toContain("cart_filled_checkingOut --> cart_filled_shopping_previous: checkout_cancelled");
    expect(diagram).toContain("activity_active --> activity_active: after dormancy [else]");
    expect(diagram).toContain("checkout_every_state --> checkout_phone: checkout_started");
  });

  it("the check fails on a nested diagram that leaves out an arrow from a box or into a history state", () => {
    const customer = diagramMachines.find((machine) => machine.id === "customer");
    if (!customer) throw new Error("no customer machine");
    const page = machineDiagram(customer);
    expect(compare(customer, page.replace("        cart_filled_checkingOut --> cart_filled_shopping_previous: checkout_cancelled\n", "")).missing).toEqual([
      "cart_filled_checkingOut --> cart_filled_shopping_previous: checkout_cancelled",
    ]);
    expect(compare(customer, page.replace(", order_created, data_erased\n", ", order_created\n")).missing).toContain("cart_filled --> cart_empty: data_erased");
    expect(compare(customer, page.replace("checkout_every_state --> checkout_phone", "checkout_idle --> checkout_phone")).extra).toEqual(["checkout_idle --> checkout_phone: checkout_started"]);
  });
});
