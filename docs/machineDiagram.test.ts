import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { diagramMachines, diagramPath, machineDiagram } from "./machineDiagram.ts";

describe("machine diagrams", () => {
  for (const machine of diagramMachines) {
    it(`docs/machines/${machine.id}.md matches the machine (run npm run diagrams)`, () => {
      expect(readFileSync(diagramPath(machine), "utf8")).toBe(machineDiagram(machine));
    });
  }

  it("draws every upward transition of the funnel", () => {
    const [funnel] = diagramMachines;
    if (!funnel) throw new Error("no machine");
    const diagram = machineDiagram(funnel);
    expect(diagram).toContain("[*] --> new");
    expect(diagram).toContain("new --> customer: order_created");
    expect(diagram).toContain("customer --> repeat: order_created");
    expect(diagram).not.toMatch(/repeat --> /);
  });
});
