/**
 * What the diagram colours: each node by the status of its latest execution, and the path taken
 * (the flows between nodes that both ran, the first one reached from the start, the last one
 * into an end). Status is always given as text too (the legend and the node list).
 */

import type { DiagramFlow } from './definition-to-bpmn';

/** One node execution, as GET /api/instances/:id lists them (in execution order). */
export interface ExecutionLike {
  readonly nodeId: string;
  readonly status: string;
  readonly startedAt?: string | null;
}

export type NodeState = 'done' | 'active' | 'failed' | 'cancelled' | 'not-reached';

export const STATE_LABEL: Record<NodeState, string> = {
  done: 'Done',
  active: 'Waiting or running',
  failed: 'Failed',
  cancelled: 'Cancelled or skipped',
  'not-reached': 'Not reached',
};

/** The CSS class a state's shapes get (canvas.addMarker). */
export function markerOf(state: NodeState): string {
  return `wf-${state}`;
}

/** An execution status of the API as a diagram state. */
export function stateOf(status: string): NodeState {
  switch (status) {
    case 'completed':
      return 'done';
    case 'ready':
    case 'running':
    case 'waiting':
      return 'active';
    case 'failed':
      return 'failed';
    case 'cancelled':
    case 'skipped':
      return 'cancelled';
    default:
      return 'not-reached';
  }
}

/** Node id -> the state of its latest execution (the API lists executions in execution order). */
export function nodeStates(executions: readonly ExecutionLike[]): Map<string, NodeState> {
  const states = new Map<string, NodeState>();
  for (const e of executions) states.set(e.nodeId, stateOf(e.status));
  return states;
}

/**
 * The flows of the path taken, read from the executions in execution order: into each execution
 * of a node, the flow from the latest completed execution before it among the node's
 * predecessors (a parallel join: from every completed predecessor before it); from the start to
 * the first node that ran; from a completed node without a route out into its end event.
 */
export function takenFlows(flows: readonly DiagramFlow[], executions: readonly ExecutionLike[], joins: ReadonlySet<string> = new Set()): Set<string> {
  const taken = new Set<string>();
  const into = new Map<string, DiagramFlow[]>();
  for (const f of flows) {
    if (f.to !== null && f.from !== null) into.set(f.to, [...(into.get(f.to) ?? []), f]);
  }
  const reached = new Set(executions.map((e) => e.nodeId));
  const completed = new Set(executions.filter((e) => e.status === 'completed').map((e) => e.nodeId));
  for (const f of flows) {
    if (f.from === null && f.to !== null && reached.has(f.to)) taken.add(f.id);
    if (f.to === null && f.from !== null && completed.has(f.from)) taken.add(f.id);
  }
  executions.forEach((e, j) => {
    const incoming = into.get(e.nodeId) ?? [];
    if (incoming.length === 0) return;
    const before = executions.slice(0, j).filter((p) => p.status === 'completed');
    if (joins.has(e.nodeId)) {
      for (const f of incoming) if (before.some((p) => p.nodeId === f.from)) taken.add(f.id);
      return;
    }
    for (let i = before.length - 1; i >= 0; i -= 1) {
      const flow = incoming.find((f) => f.from === before[i]?.nodeId);
      if (flow) {
        taken.add(flow.id);
        return;
      }
    }
  });
  return taken;
}
