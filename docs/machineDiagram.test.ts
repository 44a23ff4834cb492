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

/** A target as written in a definition: `"crm"` (a sibling) or `".crm"` (a child of the root); none means the state stays. */
function targetOf(candidate: unknown, source: string): string {
  const target = typeof candidate === "string" ? candidate : field(candidate, "target");
  if (target === undefined) return source;
  if (typeof target !== "string") throw new Error(`a target the check does not read: ${JSON.stringify(target)}`);
  return target.replace(/^\./, "");
}

/**
 * What the diagram of a machine must show, read from its definition as written (not from the
 * generator's walk): every candidate of every event, delay and `always`, with its guard; the root's
 * as arrows from `every_state`; the initial state and every final one.
 */
function transitionsOf(definition: Definition): Set<Drawn> {
  const expected = new Set<Drawn>();
  const add = (source: string, trigger: string, candidates: unknown[]): void => {
    candidates.forEach((candidate, index) => {
      const guard = guardOf(candidate);
      const label = `${trigger}${guard ? ` [${guard}]` : index > 0 ? " [else]" : ""}`;
      expected.add(`${source} --> ${targetOf(candidate, source)}: ${label}`);
    });
  };
  const walk = (source: string, node: Definition): void => {
    for (const [event, config] of Object.entries(node.on ?? {})) add(source, event, candidatesOf(config));
    for (const [delay, config] of Object.entries(node.after ?? {})) add(source, /^\d+$/.test(delay) ? `after ${delay} ms` : `after ${delay}`, candidatesOf(config));
    if (node.always !== undefined) add(source, "always", candidatesOf(node.always));
  };
  walk(everyState, definition);
  for (const [name, state] of Object.entries(definition.states ?? {})) {
    walk(name, state);
    if (state.type === "final") expected.add(`${name} --> [*]: `);
  }
  if (definition.initial) expected.add(`[*] --> ${definition.initial}: `);
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
    const checkout = diagramMachines.find((machine) => machine.id === "checkout");
    const navigation = diagramMachines.find((machine) => machine.id === "ownerNavigation");
    if (!search || !checkout || !navigation) throw new Error("a machine is missing from diagramMachines");
    expect(compare(search, machineDiagram(search).replace("  results --> results: PAGE\n", "")).missing).toEqual(["results --> results: PAGE"]);
    expect(compare(checkout, machineDiagram(checkout).replace("  placed --> [*]\n", "")).missing).toEqual(["placed --> [*]: "]);
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

  it("draws every upward transition of the funnel, and its facts in every stage without contradicting them", () => {
    const funnel = diagramMachines.find((machine) => machine.id === "customerFunnel");
    if (!funnel) throw new Error("no funnel");
    const diagram = machineDiagram(funnel);
    expect(diagram).toContain("[*] --> new");
    expect(diagram).toContain("new --> customer: order_created [else]");
    expect(diagram).toContain("customer --> repeat: order_created");
    expect(diagram).not.toMatch(/^ {2}repeat --> /m);
    expect(diagram).toMatch(/^ {2}every_state --> every_state: start, catalog_view, /m);
    expect(diagram).not.toContain("without changing it");
    expect(diagram).toContain("taken in any state that has no arrow\nof its own for the event");
  });
});
