/**
 * The columns of `workflow_instances`, each written once: the locks' SELECT list, the start's
 * insert and the read model's SELECT list derive from this table. A new instance column goes here
 * and in the migration.
 */

import type { InstanceState, NewInstance } from '@wf/engine';
import { columns, type ColumnTable } from './column-table';

/** What the engine reasons over: one column per `InstanceState` field. */
const STATE = {
  id: ['id', 'uuid'],
  tenantId: ['tenant_id', 'uuid'],
  definitionId: ['definition_id', 'uuid'],
  status: ['status', 'text'],
  contextData: ['context_data', 'jsonb'],
  startedBy: ['started_by', 'text'],
  triggerType: ['trigger_type', 'text'],
  parentInstanceId: ['parent_instance_id', 'uuid'],
  parentNodeExecutionId: ['parent_node_execution_id', 'uuid'],
  depth: ['depth', 'integer'],
  openExecutions: ['open_executions', 'integer'],
  stepCount: ['step_count', 'integer'],
  lastHistoryHash: ['last_history_hash', 'text'],
  slaDeadline: ['sla_deadline', 'timestamptz'],
  startedAt: ['started_at', 'timestamptz'],
} as const satisfies ColumnTable<InstanceState>;

/** Written once, by the start. */
const STARTED = {
  contextEntityType: ['context_entity_type', 'text'],
  contextEntityId: ['context_entity_id', 'text'],
  idempotencyKey: ['idempotency_key', 'text'],
  requestHash: ['request_hash', 'text'],
  /** the tree's root, for a sub-workflow's child */
  rootInstanceId: ['root_instance_id', 'uuid'],
} as const satisfies ColumnTable<Omit<InstanceStartRecord, keyof InstanceState>>;

/** Written when the instance ends or an operator acts on it. */
const LATER = {
  completedAt: ['completed_at', 'timestamptz'],
  cancelReason: ['cancel_reason', 'text'],
  slaPausedMs: ['sla_paused_ms', 'double precision'],
} as const satisfies ColumnTable<Omit<InstanceRecord, keyof InstanceStartRecord>>;

/** A started instance as the start writes it. */
export interface InstanceStartRecord extends NewInstance {
  readonly idempotencyKey: string | null;
  readonly requestHash: string | null;
  readonly rootInstanceId: string | null;
}

/** Every column the store reads or writes, by field. */
export interface InstanceRecord extends InstanceStartRecord {
  readonly completedAt: Date | null;
  readonly cancelReason: string | null;
  readonly slaPausedMs: number;
}

/** The whole table, for read models that pick their fields (`pick`). */
export const INSTANCE_TABLE: ColumnTable<InstanceRecord> = { ...STATE, ...STARTED, ...LATER };

/** What a lock reads: pg returns `InstanceState` rows as they are. */
export const INSTANCE_STATE = columns<InstanceState>(STATE);

export const INSTANCE_START_RECORD = columns<InstanceStartRecord>({ ...STATE, ...STARTED });
