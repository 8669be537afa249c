/**
 * The columns of `workflow_instance_nodes`, each written once. A new column of a node execution
 * goes here (and in the migration, and in the engine's `ExecutionFields` when the engine reads it):
 * the locks' SELECT list, the plan statement's SET list and recordset types, the JSON it sends
 * per row, and the start's first execution all derive from this table.
 */

import type { ExecutionFields, ExecutionState } from '@wf/engine';
import { columns, type ColumnTable } from './column-table';

/** The mutable columns: one per `ExecutionFields` field, written whole by every patch and insert. */
const FIELDS = {
  status: ['status', 'text'],
  generation: ['generation', 'integer'],
  waitingFor: ['waiting_for', 'text'],
  leaseToken: ['lease_token', 'uuid'],
  leaseExpiresAt: ['lease_expires_at', 'timestamptz'],
  assignedUserId: ['assigned_user_id', 'text'],
  assignedRole: ['assigned_role', 'text'],
  escalationRole: ['escalation_role', 'text'],
  previousAssignees: ['previous_assignees', 'text[]'],
  candidateUsers: ['candidate_users', 'text[]'],
  excludedUsers: ['excluded_users', 'text[]'],
  claimedAt: ['claimed_at', 'timestamptz'],
  votes: ['votes', 'jsonb'],
  decision: ['decision', 'text'],
  decidedBy: ['decided_by', 'text'],
  onBehalfOf: ['on_behalf_of', 'text'],
  pausesSla: ['pauses_sla', 'boolean'],
  forecastFinishAt: ['forecast_finish_at', 'timestamptz'],
  atRiskAt: ['at_risk_at', 'timestamptz'],
  wakeAt: ['wake_at', 'timestamptz'],
  waitMarks: ['wait_marks', 'jsonb'],
  messageName: ['message_name', 'text'],
  correlationKey: ['correlation_key', 'text'],
  callbackNonce: ['callback_nonce', 'text'],
  comments: ['comments', 'text'],
  output: ['output', 'jsonb'],
  error: ['error', 'jsonb'],
  attempts: ['attempts', 'integer'],
  slaDeadline: ['sla_deadline', 'timestamptz'],
  escalatedAt: ['escalated_at', 'timestamptz'],
  slaBreachedAt: ['sla_breached_at', 'timestamptz'],
  closedByFailureFrom: ['closed_by_failure_from', 'text'],
  startedAt: ['started_at', 'timestamptz'],
  completedAt: ['completed_at', 'timestamptz'],
} as const satisfies ColumnTable<ExecutionFields>;

/** What identifies an execution: set when it is created, never patched. */
const IDENTITY = {
  id: ['id', 'uuid'],
  instanceId: ['instance_id', 'uuid'],
  nodeId: ['node_id', 'text'],
  nodeType: ['node_type', 'text'],
} as const satisfies ColumnTable<Omit<ExecutionState, keyof ExecutionFields>>;

/** Written by the store, not part of the state the engine reads. */
const STORE_ONLY = {
  nodeName: ['node_name', 'text'],
  /** when it last became ready (the reconciliation sweep's clock) */
  readyAt: ['ready_at', 'timestamptz'],
} as const satisfies ColumnTable<Pick<ExecutionRecord, 'nodeName' | 'readyAt'>>;

/** Every column the store reads or writes, by field. */
export interface ExecutionRecord extends ExecutionState {
  readonly nodeName: string;
  readonly readyAt: Date;
}

/** A patch as written: every field, and when the patch made the row ready (null: it did not). */
export interface ExecutionPatchRecord extends ExecutionFields {
  readonly id: string;
  readonly readyAt: Date | null;
}

/** A new execution as written (the statement supplies the instance and the tenant). */
export type ExecutionInsertRecord = Omit<ExecutionRecord, 'instanceId'>;

/** The whole table, for read models that pick their fields (`pick`). */
export const EXECUTION_TABLE: ColumnTable<ExecutionRecord> = { ...IDENTITY, ...STORE_ONLY, ...FIELDS };

/** What a lock reads: pg returns `ExecutionState` rows as they are. */
export const EXECUTION_STATE = columns<ExecutionState>({ ...IDENTITY, ...FIELDS });

/** The columns every patch and insert writes. */
export const EXECUTION_FIELDS = columns<ExecutionFields>(FIELDS);

export const EXECUTION_PATCH_RECORD = columns<ExecutionPatchRecord>({ id: IDENTITY.id, readyAt: STORE_ONLY.readyAt, ...FIELDS });

export const EXECUTION_INSERT_RECORD = columns<ExecutionInsertRecord>({
  id: IDENTITY.id,
  nodeId: IDENTITY.nodeId,
  nodeType: IDENTITY.nodeType,
  ...STORE_ONLY,
  ...FIELDS,
});

/**
 * The insert of the new executions in `rows` (a `jsonb` parameter of `EXECUTION_INSERT_RECORD`
 * records); `from` joins what `tenant` and `instance` refer to.
 */
export function insertExecutionsSql(tenant: string, instance: string, rows: string, from = ''): string {
  const r = EXECUTION_INSERT_RECORD;
  return `INSERT INTO workflow_instance_nodes (tenant_id, instance_id, ${r.names.join(', ')})
      SELECT ${tenant}, ${instance}, ${r.names.map((c) => `x.${c}`).join(', ')}
      FROM ${from}jsonb_to_recordset(${rows}::jsonb) AS x(${r.recordType})`;
}
