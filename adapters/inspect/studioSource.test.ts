import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import type { AnyStateMachine } from "xstate";
import { provideCustomerSettings } from "../../actors/customerSettings.ts";
import { diagramMachines } from "../../docs/machineDiagram.ts";
import { provideOrderSettings } from "../../actors/orderSettings.ts";
import { customerMachine } from "../../machines/customer.machine.ts";
import { orderMachine } from "../../machines/order.machine.ts";
import { studioExportName, studioSource } from "./studioSource.ts";

const repo = join(import.meta.dirname, "..", "..");
// Inside the repository, so that the printed `import { createMachine } from "xstate"` resolves as it would in a project.
const cache = join(repo, "node_modules", ".cache");
mkdirSync(cache, { recursive: true });
const dir = mkdtempSync(join(cache, "studio-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type StateNode = AnyStateMachine["root"];

/** An action or guard as the graph shows it: its name, and its params when they are data. */
function named(item: unknown): unknown {
  if (typeof item === "string") return item;
  if (typeof item === "function") return (item as { type?: unknown }).type ?? item.name;
  if (typeof item === "object" && item !== null && "type" in item) {
    const params = "params" in item && typeof item.params !== "function" ? { params: item.params } : {};
    return { name: item.type, ...params };
  }
  return item ?? null;
}

/** Every state of a machine with its kind, initial state, entry and exit, and every transition (events, delays, always). */
function graphOf(machine: AnyStateMachine): unknown[] {
  const walk = (node: StateNode): unknown[] => [
    {
      id: node.id,
      type: node.type,
      history: node.history ?? null,
      initial: node.initial?.target.map((target) => target.id) ?? null,
      entry: node.entry.map(named),
      exit: node.exit.map(named),
      transitions: [...node.transitions.entries(), ...(node.always ? [["always", node.always] as const] : [])].map(([event, candidates]) => [
        event,
        candidates.map((transition) => ({
          targets: transition.target?.map((target) => target.id) ?? null,
          guard: named(transition.guard),
          actions: transition.actions.map(named),
          reenter: transition.reenter,
        })),
      ]),
    },
    ...Object.values(node.states).flatMap(walk),
  ];
  return walk(machine.root);
}

/** Writes the printed source as a module file and imports it, as a project holding it would. */
async function importPrinted(machine: AnyStateMachine): Promise<AnyStateMachine> {
  const file = join(dir, `${machine.id}.mjs`);
  writeFileSync(file, studioSource(machine));
  const module = (await import(pathToFileURL(file).href)) as Record<string, AnyStateMachine | undefined>;
  const printed = module[studioExportName(machine)];
  if (!printed) throw new Error(`${file} exports no ${studioExportName(machine)}`);
  return printed;
}

const run = promisify(execFile);
const studio = (args: string[]) => run(process.execPath, [join(repo, "adapters", "inspect", "studio.ts"), ...args], { cwd: repo });

describe("npm run studio: a machine for Stately Studio, from its live definition", () => {
  for (const machine of diagramMachines) {
    it(`prints ${machine.id} as createMachine source that parses back into the same states and transitions`, async () => {
      const printed = await importPrinted(machine);
      expect(printed.id).toBe(machine.id);
      expect(graphOf(printed)).toEqual(graphOf(machine));
    });
  }

  it("names every action, guard and delay by a string and leaves no function in the code", () => {
    for (const machine of diagramMachines) {
      const source = studioSource(machine);
      expect(source).not.toMatch(/=>|function/);
      expect(source).toContain(`export const ${studioExportName(machine)} = createMachine({`);
    }
    const customer = studioSource(customerMachine);
    expect(customer).toContain('guard: "mayRemind",');
    expect(customer).toContain('actions: { type: "sendCartReminder" }');
    expect(customer).toContain("after: {\n                    cartReminder: [");
    expect(customer).toContain("context: {},");
  });

  it("prints the customer machine as the app provides it, with the shop's own delays", async () => {
    const provided = provideCustomerSettings({
      cartReminderMinutes: 45,
      dormantDays: 10,
      timeZone: "Europe/Moscow",
      quietHours: { from: 22, to: 9 },
      consentVersion: "v2",
      consultant: { maxQuestions: 5, windowMs: 60_000, timeoutMs: 30_000 },
    });
    const source = studioSource(provided);
    expect(source).toContain("// Named delays here: cartReminder = 2700000 ms; secondReminder = 86400000 ms; winBack = 1209600000 ms; untilMorning computed from the event and context; consultantTimeout = 30000 ms; dormancy computed from the event and context.");
    expect(graphOf(await importPrinted(provided))).toEqual(graphOf(customerMachine));
  });

  it("prints the order machine as the app provides it, with the shop's payment window and rating delay", async () => {
    const provided = provideOrderSettings({ paymentMinutes: 30, feedbackHours: 2 });
    const source = studioSource(provided);
    expect(source).toContain("// Named delays here: paymentTimeout = 1800000 ms; feedbackDelay = 7200000 ms.");
    expect(source).toContain('export const orderMachine = createMachine({\n  id: "order",');
    expect(graphOf(await importPrinted(provided))).toEqual(graphOf(orderMachine));
    expect((await studio(["order"])).stdout).toBe(studioSource(orderMachine));
  });

  it("runs as npm run studio -- <machine>, and refuses a missing or unknown name with the list", async () => {
    const printed = await studio(["customer"]);
    expect(printed.stdout).toBe(studioSource(customerMachine));
    for (const args of [[], ["nope"], ["customer", "checkout"]]) {
      const failed = await studio(args).then(
        () => null,
        (error: { code?: number; stderr?: string }) => error,
      );
      expect(failed?.code).toBe(2);
      expect(failed?.stderr).toContain(`npm run studio -- <machine>   prints it for Stately Studio's Code › Import; one of: ${diagramMachines.map((machine) => machine.id).join(", ")}\n`);
    }
    const unknown = await studio(["nope"]).catch((error: { stderr?: string }) => error);
    expect("stderr" in unknown ? unknown.stderr : "").toMatch(/^there is no machine named "nope"\n/);
  });
});
