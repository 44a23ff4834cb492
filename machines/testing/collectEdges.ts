import type { DirectedGraphNode } from "xstate/graph";

/**
 * Every transition of a machine's graph that changes state, as `source --EVENT--> target`, for
 * tests that pin a machine's exact transition list (`toDirectedGraph(machine)` gives the node).
 */
export function collectEdges(node: DirectedGraphNode): string[] {
  return [
    ...node.edges.filter((edge) => edge.target !== edge.source).map((edge) => `${edge.source.key} --${edge.label.text}--> ${edge.target.key}`),
    ...node.children.flatMap(collectEdges),
  ];
}
