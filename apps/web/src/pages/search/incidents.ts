/**
 * A failed instance as an incident: the node that failed, its error said in words, and when. The
 * engine keeps a failed execution's error as `{ code, message, details }` (node executions'
 * `error`); anything else it holds is shown as text rather than dropped.
 */

import type { InstanceSummaryDto } from '../../api/types';

export interface ExecutionLike {
  readonly nodeId: string;
  readonly name: string;
  readonly status: string;
  readonly attempts: number;
  readonly error: unknown;
  readonly startedAt: string | null;
  readonly completedAt: string | null;
}

export interface FailedInstanceLike extends Omit<InstanceSummaryDto, 'status'> {
  readonly nodes: readonly ExecutionLike[];
}

export interface Incident {
  readonly instanceId: string;
  readonly workflowName: string;
  readonly workflowVersion: number;
  readonly businessKey: string | null;
  readonly startedBy: string;
  /** the failed node's name (and id); null when no execution says it failed */
  readonly failedNode: { readonly nodeId: string; readonly name: string; readonly attempts: number } | null;
  readonly errorCode: string | null;
  readonly errorMessage: string;
  /** when it failed: the failed execution's end, else the instance's */
  readonly failedAt: string | null;
}

/** `{ code, message }` of an execution's error, whatever shape it has. */
export function errorOf(error: unknown): { code: string | null; message: string } {
  if (error === null || error === undefined) return { code: null, message: 'no error recorded' };
  if (typeof error === 'string') return { code: null, message: error };
  if (typeof error === 'object' && !Array.isArray(error)) {
    const e = error as Record<string, unknown>;
    const code = typeof e['code'] === 'string' ? e['code'] : null;
    const message = typeof e['message'] === 'string' && e['message'].trim() !== '' ? e['message'] : JSON.stringify(error);
    return { code, message };
  }
  return { code: null, message: JSON.stringify(error) };
}

export function incidentOf(instance: FailedInstanceLike): Incident {
  // the last failed execution is where the instance stopped
  const failed = [...instance.nodes].reverse().find((n) => n.status === 'failed') ?? null;
  const withError = failed ?? [...instance.nodes].reverse().find((n) => n.error !== null && n.error !== undefined) ?? null;
  const { code, message } = errorOf(withError?.error ?? null);
  return {
    instanceId: instance.id,
    workflowName: instance.workflowName,
    workflowVersion: instance.workflowVersion,
    businessKey: instance.contextEntityId,
    startedBy: instance.startedBy,
    failedNode: withError ? { nodeId: withError.nodeId, name: withError.name, attempts: withError.attempts } : null,
    errorCode: code,
    errorMessage: message,
    failedAt: withError?.completedAt ?? instance.completedAt ?? withError?.startedAt ?? null,
  };
}

/** The GraphQL query that lists failed instances with their executions in one request (batched reads). */
export const INCIDENTS_QUERY = `query Incidents($limit: Int, $cursor: String) {
  workflowInstancesPage(status: "failed", limit: $limit, cursor: $cursor) {
    items {
      id workflowName workflowVersion contextEntityType contextEntityId startedBy startedAt completedAt
      nodes { nodeId name status attempts error startedAt completedAt }
    }
    nextCursor
  }
}`;

/** The outcome of a retry as the row says it. */
export function retryOutcomeText(status: string): string {
  if (status === 'failed') return 'Retried, and it failed again';
  if (status === 'running') return 'Retried: running again';
  return `Retried: now ${status.replace(/_/g, ' ')}`;
}
