import type { Actor, HistoryEvent, InstanceView, NewInstance, StartPlan } from '@wf/engine';
import { isAdmin } from '@wf/engine';
import type { PgTx } from '../store/pg-store';
import { hashHistory } from '../store/history-rows';
import { participationSql } from '../store/participation-sql';
import { historyRecordsJson } from '../store/instance-write';
import { cursorSpec, cursorTimestampSql, decodeCursor, pageOf } from './cursor';

/** The instance read model: the API's shape, selected directly (camelCase aliases). */
const INSTANCE_VIEW = `i.id, i.status, i.definition_id AS "definitionId", d.name AS "workflowName", d.version AS "workflowVersion",
  i.context_entity_type AS "contextEntityType", i.context_entity_id AS "contextEntityId", i.context_data AS "contextData",
  i.trigger_type AS "triggerType", i.started_by AS "startedBy", i.parent_instance_id AS "parentInstanceId",
  i.sla_deadline AS "slaDeadline", i.started_at AS "startedAt", i.completed_at AS "completedAt",
  i.last_history_hash AS "lastHistoryHash", i.cancel_reason AS "cancelReason"`;

export interface StartRecord {
  readonly plan: StartPlan;
  readonly idempotencyKey: string | null;
  readonly requestHash: string | null;
  /** the tree's root, for a sub-workflow's child */
  readonly rootInstanceId?: string | null;
}

/**
 * Insert the instance, its first execution and its first history row in one statement. With an
 * idempotency key the same caller already used in the tenant nothing is written and null is returned. Without a
 * key nothing can conflict, so the statement is held back to travel with COMMIT.
 */
export async function insertStartedInstance(tx: PgTx, rec: StartRecord): Promise<string | null> {
  const { plan } = rec;
  const inst: NewInstance = plan.instance;
  const { rows: history, lastHash } = hashHistory(inst.id, null, plan.history as HistoryEvent[], plan.now);
  const e = plan.firstExecution;
  const text = `WITH inst AS (
       INSERT INTO workflow_instances (id, tenant_id, definition_id, status, context_entity_type, context_entity_id,
         context_data, trigger_type, started_by, parent_instance_id, parent_node_execution_id, depth, sla_deadline,
         idempotency_key, request_hash, open_executions, step_count, last_history_hash, started_at, root_instance_id)
       VALUES ($1, $2, $3, 'running', $4, $5, $6::jsonb, $7, $8, $9, $10, $11, $12, $13, $14, 1, 0, $15, $16, $22)
       ON CONFLICT (tenant_id, started_by, idempotency_key) DO NOTHING
       RETURNING id),
     node AS (
       INSERT INTO workflow_instance_nodes (id, tenant_id, instance_id, node_id, node_type, node_name, status, ready_at)
       SELECT $17, $2, inst.id, $18, $19, $20, 'ready', $16 FROM inst),
     logged AS (
       INSERT INTO workflow_instance_history (id, tenant_id, instance_id, node_execution_id, event_type,
         actor_user_id, details, created_at, prev_hash, hash)
       SELECT x.id, $2, inst.id, x.node_execution_id, x.event_type, x.actor_user_id, x.details, x.created_at,
         x.prev_hash, x.hash
       FROM inst, jsonb_to_recordset($21::jsonb) AS x(id uuid, node_execution_id uuid, event_type text,
         actor_user_id text, details jsonb, created_at timestamptz, prev_hash text, hash text))
     SELECT id FROM inst`;
  const params = [
    inst.id,
    inst.tenantId,
    inst.definitionId,
    inst.contextEntityType,
    inst.contextEntityId,
    JSON.stringify(inst.contextData),
    inst.triggerType,
    inst.startedBy,
    inst.parentInstanceId,
    inst.parentNodeExecutionId,
    inst.depth,
    inst.slaDeadline,
    rec.idempotencyKey,
    rec.requestHash,
    lastHash,
    plan.now,
    e.id,
    e.nodeId,
    e.nodeType,
    e.nodeName,
    historyRecordsJson(history),
    rec.rootInstanceId ?? null,
  ];
  if (rec.idempotencyKey === null) {
    tx.defer(text, params);
    return inst.id;
  }
  const r = await tx.query<{ id: string }>(text, params);
  return r.rows[0]?.id ?? null;
}

/** Keep the operator's reason on a cancelled instance (the history row has it too). */
export async function recordCancelReason(tx: PgTx, instanceId: string, reason: string): Promise<void> {
  await tx.query(`UPDATE workflow_instances SET cancel_reason = $2 WHERE id = $1`, [instanceId, reason]);
}

/**
 * Count one more instance in the tree of `parentId` (its root: the parent's root, or the parent
 * itself), unless the tree already holds `limit`. Returns the root's id, or null at the limit.
 * The root's row lock serialises the counting of one tree.
 */
export async function countTreeInstance(tx: PgTx, parentId: string, limit: number): Promise<string | null> {
  const r = await tx.query<{ id: string }>(
    `UPDATE workflow_instances r SET tree_instance_count = r.tree_instance_count + 1
     FROM workflow_instances p
     WHERE p.id = $1 AND r.id = COALESCE(p.root_instance_id, p.id) AND r.tree_instance_count < $2
     RETURNING r.id`,
    [parentId, limit],
  );
  return r.rows[0]?.id ?? null;
}

/** The instance this caller started with this key: keys are the caller's, never shared in a tenant. */
export async function findInstanceByIdempotencyKey(
  tx: PgTx,
  startedBy: string,
  key: string,
): Promise<{ instance: InstanceView; requestHash: string | null } | null> {
  const r = await tx.query<InstanceView & { requestHash: string | null }>(
    `SELECT ${INSTANCE_VIEW}, i.request_hash AS "requestHash" FROM workflow_instances i JOIN workflow_definitions d ON d.id = i.definition_id
     WHERE i.started_by = $1 AND i.idempotency_key = $2`,
    [startedBy, key],
  );
  const row = r.rows[0];
  if (!row) return null;
  const { requestHash, ...instance } = row;
  return { instance, requestHash };
}

/** The instance when the actor may see it (admin, starter, participant), else null. */
export async function findVisibleInstance(tx: PgTx, actor: Actor, id: string): Promise<InstanceView | null> {
  const admin = isAdmin(actor);
  const r = await tx.query<InstanceView>(
    `SELECT ${INSTANCE_VIEW} FROM workflow_instances i JOIN workflow_definitions d ON d.id = i.definition_id
     WHERE i.id = $1 AND ($4::boolean OR ${participationSql('$2', '$3')})`,
    [id, actor.userId, actor.roles, admin],
  );
  return r.rows[0] ?? null;
}

export interface InstanceQuery {
  status?: string;
  workflowDefinitionId?: string;
  workflowName?: string;
  limit: number;
  cursor: string | null;
}

/** Newest first: `started_at DESC, id DESC`, the cursor carrying both. */
const INSTANCE_PAGE = cursorSpec('instances', ['timestamp', 'uuid']);

export async function listVisibleInstances(tx: PgTx, actor: Actor, q: InstanceQuery) {
  const params: unknown[] = [actor.userId, actor.roles, isAdmin(actor)];
  const where = [`($3::boolean OR ${participationSql('$1', '$2')})`];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (q.status) add('i.status = ?', q.status);
  if (q.workflowDefinitionId) add('i.definition_id = ?', q.workflowDefinitionId);
  if (q.workflowName) add('d.name = ?', q.workflowName);
  if (q.cursor) {
    const [startedAt, id] = decodeCursor(INSTANCE_PAGE, q.cursor);
    params.push(startedAt, id);
    where.push(`(i.started_at, i.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
  }
  params.push(q.limit + 1);
  const r = await tx.query<InstanceView & { pageStartedAt: string }>(
    `SELECT ${INSTANCE_VIEW}, ${cursorTimestampSql('i.started_at')} AS "pageStartedAt"
     FROM workflow_instances i JOIN workflow_definitions d ON d.id = i.definition_id
     WHERE ${where.join(' AND ')} ORDER BY i.started_at DESC, i.id DESC LIMIT $${params.length}`,
    params,
  );
  return pageOf(INSTANCE_PAGE, r.rows, q.limit, (row) => [row.pageStartedAt, row.id]);
}

export interface NodeExecutionRowView {
  id: string;
  node_id: string;
  node_type: string;
  node_name: string;
  status: string;
  assigned_user_id: string | null;
  assigned_role: string | null;
  decision: string | null;
  comments: string | null;
  attempts: number;
  error: unknown;
  sla_deadline: Date | null;
  started_at: Date | null;
  completed_at: Date | null;
}

export async function listExecutions(tx: PgTx, instanceId: string): Promise<NodeExecutionRowView[]> {
  const r = await tx.query<NodeExecutionRowView>(
    `SELECT id, node_id, node_type, node_name, status, assigned_user_id, assigned_role, decision, comments, attempts,
       error, sla_deadline, started_at, completed_at
     FROM workflow_instance_nodes WHERE instance_id = $1 ORDER BY seq`,
    [instanceId],
  );
  return r.rows;
}

export interface HistoryRowView {
  id: string;
  event_type: string;
  node_execution_id: string | null;
  actor_user_id: string | null;
  details: unknown;
  created_at: Date;
  prev_hash: string | null;
  hash: string | null;
  instance_id: string;
}

export async function listHistory(tx: PgTx, instanceId: string): Promise<HistoryRowView[]> {
  const r = await tx.query<HistoryRowView>(
    `SELECT id, instance_id, event_type, node_execution_id, actor_user_id, details, created_at, prev_hash, hash
     FROM workflow_instance_history WHERE instance_id = $1 ORDER BY seq`,
    [instanceId],
  );
  return r.rows;
}
