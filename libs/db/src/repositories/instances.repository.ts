import type { Actor, HistoryEvent, InstanceView, StartPlan } from '@wf/engine';
import { isAdmin } from '@wf/engine';
import type { PgTx } from '../store/pg-store';
import { columns, pick, type RowOf } from '../store/column-table';
import { EXECUTION_INSERT_RECORD, EXECUTION_TABLE, insertExecutionsSql } from '../store/execution-columns';
import { HISTORY_VIEW, insertHistorySql, type HistoryView } from '../store/history-columns';
import { hashHistory } from '../store/history-rows';
import { INSTANCE_START_RECORD, INSTANCE_TABLE } from '../store/instance-columns';
import { historyRecordsJson, insertOf } from '../store/instance-write';
import { participationSql } from '../store/participation-sql';
import { cursorSpec, cursorTimestampSql, decodeCursor, pageOf } from './cursor';

/** The instance read model: the API's shape, selected directly (camelCase aliases). */
const INSTANCE_FIELDS = columns(
  pick(INSTANCE_TABLE, [
    'id',
    'status',
    'definitionId',
    'contextEntityType',
    'contextEntityId',
    'contextData',
    'triggerType',
    'startedBy',
    'parentInstanceId',
    'slaDeadline',
    'startedAt',
    'completedAt',
    'lastHistoryHash',
    'cancelReason',
    'slaPausedMs',
  ]),
  'i.',
);
const INSTANCE_VIEW = `${INSTANCE_FIELDS.select}, d.name AS "workflowName", d.version AS "workflowVersion"`;
/** What `INSTANCE_VIEW` returns: an `InstanceView`, or a type error where a field is missing. */
type InstanceViewRow = RowOf<typeof INSTANCE_FIELDS> & { workflowName: string; workflowVersion: number };

export interface StartRecord {
  readonly plan: StartPlan;
  readonly idempotencyKey: string | null;
  readonly requestHash: string | null;
  /** the tree's root, for a sub-workflow's child */
  readonly rootInstanceId?: string | null;
}

/**
 * The start in one statement: the instance, its first execution, its first history row. Each
 * is one JSON parameter read with the record type of its column table, so the columns written are
 * the tables' columns.
 */
const START_SQL = `WITH inst AS (
       INSERT INTO workflow_instances (${INSTANCE_START_RECORD.names.join(', ')})
       SELECT ${INSTANCE_START_RECORD.names.map((c) => `x.${c}`).join(', ')}
       FROM jsonb_to_record($1::jsonb) AS x(${INSTANCE_START_RECORD.recordType})
       ON CONFLICT (tenant_id, started_by, idempotency_key) DO NOTHING
       RETURNING id, tenant_id),
     node AS (
       ${insertExecutionsSql('inst.tenant_id', 'inst.id', '$2', 'inst, ')}),
     logged AS (
       ${insertHistorySql('inst.tenant_id', 'inst.id', '$3', 'inst, ')})
     SELECT id FROM inst`;

/**
 * Insert the instance, its first execution and its first history row in one statement. With an
 * idempotency key the same caller already used in the tenant nothing is written and null is returned. Without a
 * key nothing can conflict, so the statement is held back to travel with COMMIT.
 */
export async function insertStartedInstance(tx: PgTx, rec: StartRecord): Promise<string | null> {
  const { plan } = rec;
  const inst = plan.instance;
  const { rows: history, lastHash } = hashHistory(inst.id, null, plan.history as HistoryEvent[], plan.now);
  const params = [
    JSON.stringify(
      INSTANCE_START_RECORD.record({
        ...inst,
        lastHistoryHash: lastHash,
        idempotencyKey: rec.idempotencyKey,
        requestHash: rec.requestHash,
        rootInstanceId: rec.rootInstanceId ?? null,
      }),
    ),
    JSON.stringify([insertOf(plan.firstExecution)].map(EXECUTION_INSERT_RECORD.record)),
    historyRecordsJson(history),
  ];
  if (rec.idempotencyKey === null) {
    tx.defer(START_SQL, params);
    return inst.id;
  }
  const res = await tx.query<{ id: string }>(START_SQL, params);
  return res.rows[0]?.id ?? null;
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
  const r = await tx.query<InstanceViewRow & { requestHash: string | null }>(
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
  const r = await tx.query<InstanceViewRow>(
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
  contextEntityType?: string;
  contextEntityId?: string;
  startedBy?: string;
  /** started at or after / before; completed at or after / before */
  startedFrom?: Date;
  startedTo?: Date;
  completedFrom?: Date;
  completedTo?: Date;
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
  if (q.contextEntityType !== undefined) add('i.context_entity_type = ?', q.contextEntityType);
  if (q.contextEntityId !== undefined) add('i.context_entity_id = ?', q.contextEntityId);
  if (q.startedBy !== undefined) add('i.started_by = ?', q.startedBy);
  if (q.startedFrom) add('i.started_at >= ?::timestamptz', q.startedFrom);
  if (q.startedTo) add('i.started_at < ?::timestamptz', q.startedTo);
  if (q.completedFrom) add('i.completed_at >= ?::timestamptz', q.completedFrom);
  if (q.completedTo) add('i.completed_at < ?::timestamptz', q.completedTo);
  if (q.cursor) {
    const [startedAt, id] = decodeCursor(INSTANCE_PAGE, q.cursor);
    params.push(startedAt, id);
    where.push(`(i.started_at, i.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
  }
  params.push(q.limit + 1);
  const r = await tx.query<InstanceViewRow & { pageStartedAt: string }>(
    `SELECT ${INSTANCE_VIEW}, ${cursorTimestampSql('i.started_at')} AS "pageStartedAt"
     FROM workflow_instances i JOIN workflow_definitions d ON d.id = i.definition_id
     WHERE ${where.join(' AND ')} ORDER BY i.started_at DESC, i.id DESC LIMIT $${params.length}`,
    params,
  );
  return pageOf(INSTANCE_PAGE, r.rows, q.limit, (row) => [row.pageStartedAt, row.id]);
}

/** An execution as the instance detail shows it (the node's name as `name`). */
const NODE_EXECUTION_FIELDS = columns(
  pick(EXECUTION_TABLE, [
    'id',
    'nodeId',
    'nodeType',
    'status',
    'assignedUserId',
    'assignedRole',
    'decision',
    'comments',
    'attempts',
    'error',
    'slaDeadline',
    'startedAt',
    'completedAt',
    'waitingFor',
    'wakeAt',
    'messageName',
    'correlationKey',
    'callbackNonce',
    'atRiskAt',
  ]),
);
const NODE_EXECUTION_VIEW = `${NODE_EXECUTION_FIELDS.select}, node_name AS "name"`;
export type NodeExecutionView = RowOf<typeof NODE_EXECUTION_FIELDS> & { readonly name: string };

export async function listExecutions(tx: PgTx, instanceId: string): Promise<NodeExecutionView[]> {
  const res = await tx.query<NodeExecutionView>(
    `SELECT ${NODE_EXECUTION_VIEW} FROM workflow_instance_nodes WHERE instance_id = $1 ORDER BY seq`,
    [instanceId],
  );
  return res.rows;
}

export type { HistoryView };

export async function listHistory(tx: PgTx, instanceId: string): Promise<HistoryView[]> {
  const res = await tx.query<HistoryView>(
    `SELECT ${HISTORY_VIEW.select} FROM workflow_instance_history WHERE instance_id = $1 ORDER BY seq`,
    [instanceId],
  );
  return res.rows;
}

/** An instance's comment thread: its `comment_added` history rows, oldest first. */
export async function listComments(tx: PgTx, instanceId: string): Promise<HistoryView[]> {
  const res = await tx.query<HistoryView>(
    `SELECT ${HISTORY_VIEW.select} FROM workflow_instance_history WHERE instance_id = $1 AND event_type = 'comment_added' ORDER BY seq`,
    [instanceId],
  );
  return res.rows;
}

/**
 * Of `instanceIds`, the ones the actor may see (admin, starter, participant: the rule of
 * `findVisibleInstance`), as a subquery: the batch reads below serve a page of instances in one
 * statement each (the GraphQL API's DataLoaders).
 */
const VISIBLE_OF_IDS_SQL = `SELECT i.id FROM workflow_instances i WHERE i.id = ANY ($1::uuid[]) AND ($4::boolean OR ${participationSql('$2', '$3')})`;

/** The executions of those of `instanceIds` the actor may see, each instance's in execution order. */
export async function listVisibleExecutions(tx: PgTx, actor: Actor, instanceIds: readonly string[]): Promise<(NodeExecutionView & { readonly instanceId: string })[]> {
  const res = await tx.query<NodeExecutionView & { instanceId: string }>(
    `SELECT instance_id AS "instanceId", ${NODE_EXECUTION_VIEW} FROM workflow_instance_nodes
     WHERE instance_id IN (${VISIBLE_OF_IDS_SQL}) ORDER BY instance_id, seq`,
    [instanceIds, actor.userId, actor.roles, isAdmin(actor)],
  );
  return res.rows;
}

/** The history of those of `instanceIds` the actor may see, each instance's oldest first. */
export async function listVisibleHistories(tx: PgTx, actor: Actor, instanceIds: readonly string[]): Promise<HistoryView[]> {
  const res = await tx.query<HistoryView>(
    `SELECT ${HISTORY_VIEW.select} FROM workflow_instance_history
     WHERE instance_id IN (${VISIBLE_OF_IDS_SQL}) ORDER BY instance_id, seq`,
    [instanceIds, actor.userId, actor.roles, isAdmin(actor)],
  );
  return res.rows;
}

/** Those of `instanceIds` the actor may see, in no particular order. */
export async function findVisibleInstances(tx: PgTx, actor: Actor, instanceIds: readonly string[]): Promise<InstanceView[]> {
  const r = await tx.query<InstanceViewRow>(
    `SELECT ${INSTANCE_VIEW} FROM workflow_instances i JOIN workflow_definitions d ON d.id = i.definition_id
     WHERE i.id IN (${VISIBLE_OF_IDS_SQL})`,
    [instanceIds, actor.userId, actor.roles, isAdmin(actor)],
  );
  return r.rows;
}
