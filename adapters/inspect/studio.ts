/**
 * `npm run studio -- <machine>`: prints a machine, from its live definition, as code that Stately
 * Studio imports (see studioSource.ts and docs/inspect.md). With no name or an unknown one, it
 * lists the machines and exits 2.
 */
import { diagramMachines } from "../../docs/machineDiagram.ts";
import { studioSource } from "./studioSource.ts";

const names = diagramMachines.map((machine) => machine.id);
const usage = `npm run studio -- <machine>   prints it for Stately Studio's Code › Import; one of: ${names.join(", ")}`;
const [name, ...rest] = process.argv.slice(2);
const machine = diagramMachines.find((candidate) => candidate.id === name);

if (name === "--help" || name === "-h") {
  process.stdout.write(`${usage}\n`);
} else if (!machine || rest.length > 0) {
  process.stderr.write(`${name === undefined ? "which machine?" : machine ? `one machine at a time, not ${rest.join(" ")}` : `there is no machine named "${name}"`}\n${usage}\n`);
  process.exitCode = 2;
} else {
  process.stdout.write(studioSource(machine));
}
