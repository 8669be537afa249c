import { urgencyWindow, type Actor, type JsonObject, type NodeType, type Principal, type UrgencyLevel } from '@wf/engine';
import type { PgTx } from '../store/pg-store';
import { columns } from '../store/column-table';
import { urgencyFilterSql, urgencyRankSql } from '../store/urgency-sql';
import { cursorSpec, cursorTimestampSql, decodeCursor, pageOf } from './cursor';

/** A task as the queue view holds it; urgency is judged in the caller's clock, not the view's `now()`. */
export interface TaskView {
  taskId: string;
  instanceId: string;
  workflowName: string;
  taskName: string;
  nodeId: string;
  nodeType: NodeType;
  slaDeadline: Date | null;
  assignedUserId: string | null;
  assignedRole: string | null;
  contextEntityType: string | null;
  contextEntityId: string | null;
  contextData: JsonObject;
  createdAt: Date;
  /** a quorum's voters, when given by list or expression */
  candidateUsers: string[];
  claimedAt: Date | null;
  startedBy: string;
  /** when its forecast finish was found to pass its deadline (AT_RISK); null: not at risk, or no forecast */
  atRiskAt: Date | null;
}

/** The columns of `v_user_task_queue` a task is read from. */
const TASK_VIEW = columns<TaskView>({
  taskId: ['task_id', 'uuid'],
  instanceId: ['instance_id', 'uuid'],
  workflowName: ['workflow_name', 'text'],
  taskName: ['task_name', 'text'],
  nodeId: ['node_id', 'text'],
  nodeType: ['node_type', 'text'],
  slaDeadline: ['sla_deadline', 'timestamptz'],
  assignedUserId: ['assigned_user_id', 'text'],
  assignedRole: ['assigned_role', 'text'],
  contextEntityType: ['context_entity_type', 'text'],
  contextEntityId: ['context_entity_id', 'text'],
  contextData: ['context_data', 'jsonb'],
  createdAt: ['created_at', 'timestamptz'],
  candidateUsers: ['candidate_users', 'text[]'],
  claimedAt: ['claimed_at', 'timestamptz'],
  startedBy: ['started_by', 'text'],
  atRiskAt: ['at_risk_at', 'timestamptz'],
}, 'q.');

type Bind = (value: unknown, type: string) => string;

/**
 * Who has a task in their queue (API.md "Tasks"): it is assigned to them; or to one of their roles,
 * or to them among a quorum's voters, and not to a specific user; or it is escalated to one of
 * their roles; or they stand in as deputy for whom it is assigned to in person. Never when
 * separation of duties excludes them, nor once they voted on it.
 */
function queueRuleSql(actor: Actor, principals: readonly Principal[], bind: Bind): string {
  const user = bind(actor.userId, 'text');
  const roles = bind(actor.roles, 'text[]');
  const own = `(q.assigned_user_id = ${user}
    OR (q.assigned_user_id IS NULL AND (q.assigned_role = ANY (${roles}) OR ${user} = ANY (q.candidate_users)))
    OR (q.escalated_at IS NOT NULL AND q.escalation_role = ANY (${roles})))`;
  // a vote cast in person or by a deputy for them
  const notExcluded = `NOT (${user} = ANY (q.excluded_users))
    AND NOT (q.votes <> '[]' AND (q.votes @> jsonb_build_array(jsonb_build_object('userId', ${user}))
      OR q.votes @> jsonb_build_array(jsonb_build_object('onBehalfOf', ${user}))))`;
  if (principals.length === 0) return `(${own} AND ${notExcluded})`;
  const rows = bind(JSON.stringify(principals.map((p) => ({ user_id: p.userId, workflows: p.workflows, roles: p.roles }))), 'jsonb');
  const asDeputy = `EXISTS (SELECT 1 FROM jsonb_to_recordset(${rows}) AS p(user_id text, workflows text[], roles text[])
    WHERE (q.assigned_user_id = p.user_id OR (q.assigned_user_id IS NULL AND p.user_id = ANY (q.candidate_users)))
      AND (p.workflows IS NULL OR q.workflow_name = ANY (p.workflows))
      AND (p.roles IS NULL OR q.assigned_role = ANY (p.roles))
      AND NOT (p.user_id = ANY (q.excluded_users))
      AND NOT (q.votes <> '[]' AND (q.votes @> jsonb_build_array(jsonb_build_object('userId', p.user_id))
        OR q.votes @> jsonb_build_array(jsonb_build_object('onBehalfOf', p.user_id)))))`;
  return `((${own} OR ${asDeputy}) AND ${notExcluded})`;
}

export interface TaskQuery {
  urgencyLevel?: UrgencyLevel;
  limit: number;
  cursor: string | null;
  /** the moment urgency is judged at (the API's clock, so tests can inject one) */
  now: Date;
  urgentThresholdHours: number;
  /** the absent users the actor stands in for now (their in-person tasks are in the queue too) */
  principals?: readonly Principal[];
}

/** Filters by the task's instance, on both lists. */
export interface InstanceTaskFilter {
  workflowName?: string;
  contextEntityType?: string;
  contextEntityId?: string;
}

/** The operator view's filters: every open task of the tenant. */
export interface OpenTaskFilter extends InstanceTaskFilter {
  nodeId?: string;
  assignedRole?: string;
  assignedUserId?: string;
  urgencyLevel?: UrgencyLevel;
  overdue?: boolean;
  /** created at least this many hours before `now` */
  olderThanHours?: number;
}

/**
 * Most urgent first: overdue, then at risk, then the rest; within each, `sla_deadline ASC NULLS
 * LAST, created_at ASC, task_id ASC`. The cursor carries all four; a task without a deadline sorts
 * after every one with a deadline. The rank is judged at the query's `now`, so a task that turns
 * overdue between two pages may be met again or missed: the next refresh shows it.
 */
const TASK_PAGE = cursorSpec('tasks2', ['rank', 'timestamp?', 'timestamp', 'uuid']);

async function pageOfTasks(tx: PgTx, q: TaskQuery, where: string[], params: unknown[]) {
  const param: Bind = (value, type) => {
    params.push(value);
    return `$${params.length}::${type}`;
  };
  const window = urgencyWindow(q.now, q.urgentThresholdHours);
  if (q.urgencyLevel) where.push(urgencyFilterSql('q.sla_deadline', q.urgencyLevel, window, param, 'q.at_risk_at'));
  const rank = urgencyRankSql('q.sla_deadline', window, param, 'q.at_risk_at');
  if (q.cursor) {
    const [pageRank, deadline, createdAt, id] = decodeCursor(TASK_PAGE, q.cursor);
    const sameDeadlineAfter = `(q.created_at, q.task_id) > (${param(createdAt, 'timestamptz')}, ${param(id, 'uuid')})`;
    const r0 = param(Number(pageRank), 'integer');
    const sameRankAfter = deadline === null
      ? `(q.sla_deadline IS NULL AND ${sameDeadlineAfter})`
      : (() => {
        const d = param(deadline, 'timestamptz');
        return `(q.sla_deadline > ${d} OR q.sla_deadline IS NULL OR (q.sla_deadline = ${d} AND ${sameDeadlineAfter}))`;
      })();
    where.push(`(${rank} > ${r0} OR (${rank} = ${r0} AND ${sameRankAfter}))`);
  }
  params.push(q.limit + 1);
  const r = await tx.query<TaskView & { pageRank: number; pageSlaDeadline: string | null; pageCreatedAt: string }>(
    `SELECT ${TASK_VIEW.select}, ${rank} AS "pageRank", ${cursorTimestampSql('q.sla_deadline')} AS "pageSlaDeadline",
       ${cursorTimestampSql('q.created_at')} AS "pageCreatedAt"
     FROM v_user_task_queue q WHERE ${where.length > 0 ? where.join(' AND ') : 'true'}
     ORDER BY ${rank} ASC, q.sla_deadline ASC NULLS LAST, q.created_at ASC, q.task_id ASC LIMIT $${params.length}`,
    params,
  );
  const page = pageOf(TASK_PAGE, r.rows, q.limit, (row) => [String(row.pageRank), row.pageSlaDeadline, row.pageCreatedAt, row.taskId]);
  // the cursor's columns stay here: a page holds tasks as the API shows them
  return {
    items: page.items.map(({ pageRank: _rank, pageSlaDeadline: _deadline, pageCreatedAt: _created, ...task }): TaskView => task),
    nextCursor: page.nextCursor,
  };
}

function binder(params: unknown[]): Bind {
  return (value, type) => {
    params.push(value);
    return `$${params.length}::${type}`;
  };
}

/** What both lists filter by: the workflow and the business key of the task's instance. */
function instanceFilterSql(filter: InstanceTaskFilter, bind: Bind): string[] {
  const where: string[] = [];
  if (filter.workflowName !== undefined) where.push(`q.workflow_name = ${bind(filter.workflowName, 'text')}`);
  if (filter.contextEntityType !== undefined) where.push(`q.context_entity_type = ${bind(filter.contextEntityType, 'text')}`);
  if (filter.contextEntityId !== undefined) where.push(`q.context_entity_id = ${bind(filter.contextEntityId, 'text')}`);
  return where;
}

/** The actor's task queue, most urgent first (deadline, then creation), optionally of one workflow or business key. */
export async function listMyTasks(tx: PgTx, actor: Actor, q: TaskQuery, filter: InstanceTaskFilter = {}) {
  const params: unknown[] = [];
  const bind = binder(params);
  return pageOfTasks(tx, q, [queueRuleSql(actor, q.principals ?? [], bind), ...instanceFilterSql(filter, bind)], params);
}

/** Every open task of the tenant (the operator view), filtered, most urgent first. */
export async function listOpenTasks(tx: PgTx, filter: OpenTaskFilter, q: TaskQuery) {
  const params: unknown[] = [];
  const bind = binder(params);
  const where = instanceFilterSql(filter, bind);
  if (filter.nodeId !== undefined) where.push(`q.node_id = ${bind(filter.nodeId, 'text')}`);
  if (filter.assignedRole !== undefined) where.push(`q.assigned_role = ${bind(filter.assignedRole, 'text')}`);
  if (filter.assignedUserId !== undefined) {
    const user = bind(filter.assignedUserId, 'text');
    where.push(`(q.assigned_user_id = ${user} OR (q.assigned_user_id IS NULL AND ${user} = ANY (q.candidate_users)))`);
  }
  if (filter.overdue !== undefined) {
    const now = bind(q.now, 'timestamptz');
    where.push(filter.overdue ? `q.sla_deadline <= ${now}` : `(q.sla_deadline IS NULL OR q.sla_deadline > ${now})`);
  }
  if (filter.olderThanHours !== undefined) {
    where.push(`q.created_at <= ${bind(new Date(q.now.getTime() - filter.olderThanHours * 3_600_000), 'timestamptz')}`);
  }
  return pageOfTasks(tx, q, where, params);
}

export async function findTaskView(tx: PgTx, taskId: string): Promise<TaskView | null> {
  const r = await tx.query<TaskView>(`SELECT ${TASK_VIEW.select} FROM v_user_task_queue q WHERE q.task_id = $1`, [taskId]);
  return r.rows[0] ?? null;
}

/** Those of `taskIds` that are in the actor's queue now (the rule of `listMyTasks`), in no particular order. */
export async function findQueuedTasks(tx: PgTx, actor: Actor, taskIds: readonly string[], principals: readonly Principal[] = []): Promise<TaskView[]> {
  const params: unknown[] = [taskIds];
  const rule = queueRuleSql(actor, principals, binder(params));
  const r = await tx.query<TaskView>(`SELECT ${TASK_VIEW.select} FROM v_user_task_queue q WHERE q.task_id = ANY ($1::uuid[]) AND ${rule}`, params);
  return r.rows;
}
