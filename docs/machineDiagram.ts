/**
 * `npm run diagrams`: writes docs/machines/<id>.md, Mermaid state diagrams drawn from each
 * machine's own definition, so that no diagram is drawn by hand or goes stale (a test compares,
 * and another walks each definition to check that every transition is drawn).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { AnyStateMachine } from "xstate";
import { aiSummaryMachine } from "../machines/aiSummary.machine.ts";
import { broadcastMachine } from "../machines/broadcast.machine.ts";
import { catalogEditMachine } from "../machines/catalogEdit.machine.ts";
import { catalogImportMachine } from "../machines/catalogImport.machine.ts";
import { customerMachine } from "../machines/customer.machine.ts";
import { orderMachine } from "../machines/order.machine.ts";
import { ownerBroadcastMachine } from "../machines/ownerBroadcast.machine.ts";
import { ownerNavigationMachine } from "../machines/ownerNavigation.machine.ts";
import { ownerNoteMachine } from "../machines/ownerNote.machine.ts";
import { ownerCampaignMachine } from "../machines/ownerCampaign.machine.ts";
import { ownerExportMachine } from "../machines/ownerExport.machine.ts";
import { ownerOrderInputMachine } from "../machines/ownerOrderInput.machine.ts";
import { ownerSearchMachine } from "../machines/ownerSearch.machine.ts";
import { ownerSegmentMachine } from "../machines/ownerSegment.machine.ts";
import { ownerTagsMachine } from "../machines/ownerTags.machine.ts";

export const diagramMachines: readonly AnyStateMachine[] = [
  customerMachine,
  ownerNavigationMachine,
  ownerSearchMachine,
  ownerNoteMachine,
  ownerTagsMachine,
  aiSummaryMachine,
  ownerOrderInputMachine,
  orderMachine,
  catalogEditMachine,
  catalogImportMachine,
  ownerBroadcastMachine,
  ownerSegmentMachine,
  ownerCampaignMachine,
  ownerExportMachine,
  broadcastMachine,
];

/** The node that stands for "whichever state the machine is in": the source of the machine's own (root) transitions. */
export const everyState = "every_state";

type StateNode = AnyStateMachine["root"];
type Transition = ReturnType<StateNode["transitions"]["get"]> extends readonly (infer T)[] | undefined ? T : never;

/** One arrow: `source --> target: labels`, the labels being the transitions it stands for. */
interface Arrow {
  readonly source: string;
  readonly target: string;
  readonly labels: string[];
}

const nameOf = (node: StateNode): string => node.path.join("_");

function guardName(guard: unknown): string {
  if (typeof guard === "string") return guard;
  if (typeof guard === "function") return guard.name || "inline guard";
  if (typeof guard === "object" && guard !== null && "type" in guard) return String(guard.type);
  return "";
}

/** `search`, `after 5000 ms`, `always`: what makes the transition happen. */
function triggerOf(transition: Transition): string {
  if (transition.eventType === "") return "always";
  const delay = /^xstate\.after\.([^.]+)\./.exec(transition.eventType)?.[1];
  if (delay !== undefined) return /^\d+$/.test(delay) ? `after ${delay} ms` : `after ${delay}`;
  return transition.eventType;
}

/**
 * Each candidate of one event as its label: `EVENT [guard]`, and `EVENT [else]` for an unguarded
 * one after guarded ones, since it is taken only when none of them holds.
 */
function labelsOf(candidates: readonly Transition[]): { transition: Transition; label: string }[] {
  return candidates.map((transition, index) => {
    const guard = guardName(transition.guard);
    const suffix = guard ? ` [${guard}]` : index > 0 ? " [else]" : "";
    return { transition, label: `${triggerOf(transition)}${suffix}` };
  });
}

/** Every transition of `node` (its `on`, `after` and `always`) as `{ transition, label }`, in order. */
function labelledTransitions(node: StateNode): { transition: Transition; label: string }[] {
  const groups = [...node.transitions.values(), ...(node.always ? [node.always] : [])];
  return groups.flatMap((candidates) => labelsOf(candidates));
}

const isInside = (node: StateNode, ancestor: StateNode): boolean => node.path.length > ancestor.path.length && ancestor.path.every((key, index) => node.path[index] === key);

/** The deepest state whose box holds both ends of an arrow: where the arrow is written. */
function commonBox(a: StateNode, b: StateNode): StateNode {
  let box = a.parent;
  while (box && !(isInside(b, box) || b === box)) box = box.parent;
  return box ?? a.machine.root;
}

/** The dashed node that stands for whichever state inside `node` the machine is in. */
const everyStateOf = (node: StateNode): string => (node.parent ? `${nameOf(node)}_${everyState}` : everyState);

interface PlacedArrow extends Arrow {
  /** The path of the box the arrow is written in (`""` for the top level). */
  readonly box: string;
}

/**
 * Every arrow of a state node. A state with states inside has two kinds: to a state outside its
 * box, drawn from the box; to a state inside it, or staying, drawn from its dashed `every state`.
 */
function placedArrowsOf(node: StateNode): PlacedArrow[] {
  const arrows: PlacedArrow[] = [];
  const compound = Object.keys(node.states).length > 0 || !node.parent;
  const add = (source: string, target: string, box: StateNode, label: string): void => {
    const arrow = arrows.find((candidate) => candidate.source === source && candidate.target === target);
    if (arrow) arrow.labels.push(label);
    else arrows.push({ source, target, labels: [label], box: box.path.join("_") });
  };
  for (const { transition, label } of labelledTransitions(node)) {
    const targets: readonly StateNode[] = transition.target?.length ? transition.target : [node];
    for (const target of targets) {
      if (!compound) add(nameOf(node), nameOf(target), commonBox(node, target), label);
      else if (target === node || isInside(target, node)) add(everyStateOf(node), target === node ? everyStateOf(node) : nameOf(target), node, label);
      else add(nameOf(node), nameOf(target), commonBox(node, target), label);
    }
  }
  return arrows;
}

const allNodes = (node: StateNode): StateNode[] => Object.values(node.states).flatMap((child) => [child, ...allNodes(child)]);

const arrowLines = (arrows: readonly Arrow[], indent = "  "): string[] => arrows.map((arrow) => `${indent}${arrow.source} --> ${arrow.target}: ${arrow.labels.join(", ")}`);

/** The lines inside one box: its initial arrow, its states (boxes drawn inside), its arrows, its finals, its `every state`. */
function boxLines(node: StateNode, arrows: readonly PlacedArrow[], indent: string): string[] {
  const children = Object.values(node.states);
  const initial = node.type === "parallel" ? undefined : node.initial?.target[0];
  const own = arrows.filter((arrow) => arrow.box === node.path.join("_"));
  const hasEveryState = own.some((arrow) => arrow.source === everyStateOf(node));
  const lines: string[] = [];
  if (node.type === "parallel") {
    children.forEach((region, index) => {
      if (index > 0) lines.push(`${indent}--`);
      lines.push(`${indent}state ${nameOf(region)} {`, ...boxLines(region, arrows, `${indent}  `), `${indent}}`);
    });
  } else {
    if (initial) lines.push(`${indent}[*] --> ${nameOf(initial)}`);
    for (const child of children) {
      if (child.type === "history") lines.push(`${indent}state "H" as ${nameOf(child)}`);
      else if (Object.keys(child.states).length > 0) lines.push(`${indent}state ${nameOf(child)} {`, ...boxLines(child, arrows, `${indent}  `), `${indent}}`);
    }
  }
  lines.push(...arrowLines(own.filter((arrow) => arrow.source !== everyStateOf(node)), indent));
  lines.push(...children.filter((child) => child.type === "final").map((child) => `${indent}${nameOf(child)} --> [*]`));
  if (hasEveryState) lines.push(`${indent}state "every state" as ${everyStateOf(node)}`, ...arrowLines(own.filter((arrow) => arrow.source === everyStateOf(node)), indent));
  return lines;
}

const flatPage = [
  "An arrow back to its own state is a transition that stays there (it may still change the",
  "context). `[guard]` is taken when the guard holds; `[else]` when none of the guards before it on",
  "that event does. `[*]` marks the initial state and, as a target, a final one.",
];

const everyStatePage = [
  "",
  "`every state` (dashed) is not a state: it stands for whichever state the machine is in. Its",
  "arrows are the machine's own transitions (its root `on`), taken in any state that has no arrow",
  "of its own for the event, or none whose guard holds; an arrow from it back to itself leaves the",
  "machine in the state it was in.",
];

const nestedPage = [
  "",
  "A box is a state with states inside it; `[*]` inside a box marks where entering the box starts.",
  "An arrow from a box is taken from any state inside it that has no arrow of its own for the event.",
  "A dashed `every state` inside a box stands for whichever state inside that box the machine is in:",
  "its arrows lead to a state inside the box, or back to itself when the state stays. Boxes separated",
  "by a dashed line are parallel regions: the machine is in one state of each at once, and an event",
  "moves every region that has an arrow for it. `H` is a history state: back to the state the box was",
  "last in.",
];

/** The Markdown page for one machine: one diagram of its states (boxes inside boxes), their transitions and the machine's own. */
export function machineDiagram(machine: AnyStateMachine): string {
  const nodes = allNodes(machine.root);
  if (nodes.some((state) => nameOf(state).endsWith(everyState))) throw new Error(`${machine.id} has a state named ${everyState}`);
  const arrows = [machine.root, ...nodes].flatMap(placedArrowsOf);
  const nested = machine.root.type === "parallel" || nodes.some((node) => node.parent !== machine.root);
  const dashed = [...new Set(arrows.filter((arrow) => arrow.source.endsWith(everyState)).map((arrow) => arrow.source))];
  const rootOwn = dashed.includes(everyState);
  const body =
    machine.root.type === "parallel"
      ? [`  state ${machine.id} {`, ...boxLines(machine.root, arrows, "    "), "  }"]
      : boxLines(machine.root, arrows, "  ");
  return [
    `# ${machine.id}`,
    "",
    "Generated by `npm run diagrams` from `machines/`; do not edit by hand.",
    "",
    "```mermaid",
    "stateDiagram-v2",
    ...body,
    ...(dashed.length > 0 ? [`  classDef machine stroke-dasharray: 5 5`, `  class ${dashed.join(",")} machine`] : []),
    "```",
    "",
    ...flatPage,
    ...(rootOwn ? everyStatePage : []),
    ...(nested ? nestedPage : []),
    "",
  ].join("\n");
}

export const diagramPath = (machine: AnyStateMachine): string => join(import.meta.dirname, "machines", `${machine.id}.md`);

if (process.argv[1] === import.meta.filename) {
  for (const machine of diagramMachines) {
    mkdirSync(join(import.meta.dirname, "machines"), { recursive: true });
    writeFileSync(diagramPath(machine), machineDiagram(machine));
    console.log(`wrote ${diagramPath(machine)}`);
  }
}
