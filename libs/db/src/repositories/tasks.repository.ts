import { urgencyWindow, type Actor, type JsonObject, type NodeType, type UrgencyLevel } from '@wf/engine';
import type { PgTx } from '../store/pg-store';
import { columns } from '../store/column-table';
import { urgencyFilterSql } from '../store/urgency-sql';
import { cursorSpec, cursorTimestampSql, decodeCursor, pageOf } from './cursor';

/** A task as the queue view holds it; urgency is judged in the caller's clock, not the view's `now()`. */
export interface TaskView {
  taskId: string;
  instanceId: string;
  workflowName: string;
  taskName: string;
  nodeType: NodeType;
  slaDeadline: Date | null;
  assignedUserId: string | null;
  assignedRole: string | null;
  contextEntityType: string | null;
  contextEntityId: string | null;
  contextData: JsonObject;
  createdAt: Date;
}

/** The columns of `v_user_task_queue` a task is read from. */
const TASK_VIEW = columns<TaskView>({
  taskId: ['task_id', 'uuid'],
  instanceId: ['instance_id', 'uuid'],
  workflowName: ['workflow_name', 'text'],
  taskName: ['task_name', 'text'],
  nodeType: ['node_type', 'text'],
  slaDeadline: ['sla_deadline', 'timestamptz'],
  assignedUserId: ['assigned_user_id', 'text'],
  assignedRole: ['assigned_role', 'text'],
  contextEntityType: ['context_entity_type', 'text'],
  contextEntityId: ['context_entity_id', 'text'],
  contextData: ['context_data', 'jsonb'],
  createdAt: ['created_at', 'timestamptz'],
}, 'q.');

/** Who sees a task (API.md "Tasks"); $1 user id, $2 roles. */
const HOLDS_TASK_SQL = `(q.assigned_user_id = $1
  OR (q.assigned_user_id IS NULL AND q.assigned_role = ANY ($2::text[]))
  OR (q.escalated_at IS NOT NULL AND q.escalation_role = ANY ($2::text[])))`;

export interface TaskQuery {
  urgencyLevel?: UrgencyLevel;
  limit: number;
  cursor: string | null;
  /** the moment urgency is judged at (the API's clock, so tests can inject one) */
  now: Date;
  urgentThresholdHours: number;
}

/**
 * Most urgent first: `sla_deadline ASC NULLS LAST, created_at ASC, task_id ASC`. The cursor
 * carries all three; a task without a deadline sorts after every one with a deadline.
 */
const TASK_PAGE = cursorSpec('tasks', ['timestamp?', 'timestamp', 'uuid']);

/** The actor's task queue, most urgent first (deadline, then creation). */
export async function listMyTasks(tx: PgTx, actor: Actor, q: TaskQuery) {
  const params: unknown[] = [actor.userId, actor.roles];
  const where = [HOLDS_TASK_SQL];
  const param = (value: unknown, type: string) => {
    params.push(value);
    return `$${params.length}::${type}`;
  };
  if (q.urgencyLevel) {
    where.push(urgencyFilterSql('q.sla_deadline', q.urgencyLevel, urgencyWindow(q.now, q.urgentThresholdHours), param));
  }
  if (q.cursor) {
    const [deadline, createdAt, id] = decodeCursor(TASK_PAGE, q.cursor);
    const sameDeadlineAfter = `(q.created_at, q.task_id) > (${param(createdAt, 'timestamptz')}, ${param(id, 'uuid')})`;
    if (deadline === null) {
      where.push(`(q.sla_deadline IS NULL AND ${sameDeadlineAfter})`);
    } else {
      const d = param(deadline, 'timestamptz');
      where.push(`(q.sla_deadline > ${d} OR q.sla_deadline IS NULL OR (q.sla_deadline = ${d} AND ${sameDeadlineAfter}))`);
    }
  }
  params.push(q.limit + 1);
  const r = await tx.query<TaskView & { pageSlaDeadline: string | null; pageCreatedAt: string }>(
    `SELECT ${TASK_VIEW.select}, ${cursorTimestampSql('q.sla_deadline')} AS "pageSlaDeadline",
       ${cursorTimestampSql('q.created_at')} AS "pageCreatedAt"
     FROM v_user_task_queue q WHERE ${where.join(' AND ')}
     ORDER BY q.sla_deadline ASC NULLS LAST, q.created_at ASC, q.task_id ASC LIMIT $${params.length}`,
    params,
  );
  const page = pageOf(TASK_PAGE, r.rows, q.limit, (row) => [row.pageSlaDeadline, row.pageCreatedAt, row.taskId]);
  // the cursor's columns stay here: a page holds tasks as the API shows them
  return { items: page.items.map(({ pageSlaDeadline: _deadline, pageCreatedAt: _created, ...task }): TaskView => task), nextCursor: page.nextCursor };
}

export async function findTaskView(tx: PgTx, taskId: string): Promise<TaskView | null> {
  const r = await tx.query<TaskView>(`SELECT ${TASK_VIEW.select} FROM v_user_task_queue q WHERE q.task_id = $1`, [taskId]);
  return r.rows[0] ?? null;
}

/** Those of `taskIds` that are in the actor's queue now (the rule of `listMyTasks`), in no particular order. */
export async function findQueuedTasks(tx: PgTx, actor: Actor, taskIds: readonly string[]): Promise<TaskView[]> {
  const r = await tx.query<TaskView>(
    `SELECT ${TASK_VIEW.select} FROM v_user_task_queue q WHERE q.task_id = ANY ($3::uuid[]) AND ${HOLDS_TASK_SQL}`,
    [actor.userId, actor.roles, taskIds],
  );
  return r.rows;
}
