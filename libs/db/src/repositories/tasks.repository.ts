import { urgencyWindow, type Actor, type UrgencyLevel } from '@wf/engine';
import type { PgTx } from '../store/pg-store';
import { urgencyFilterSql } from '../store/urgency-sql';
import { cursorSpec, cursorTimestampSql, decodeCursor, pageOf } from './cursor';

export interface TaskRowView {
  task_id: string;
  instance_id: string;
  workflow_name: string;
  task_name: string;
  node_type: string;
  urgency_level: string;
  hours_remaining: string | null;
  is_overdue: boolean | null;
  sla_deadline: Date | null;
  assigned_user_id: string | null;
  assigned_role: string | null;
  context_entity_type: string | null;
  context_entity_id: string | null;
  context_data: Record<string, unknown>;
  created_at: Date;
}

const TASK_VIEW = `task_id, instance_id, workflow_name, task_name, node_type, urgency_level, hours_remaining, is_overdue,
  sla_deadline, assigned_user_id, assigned_role, context_entity_type, context_entity_id, context_data, created_at`;

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
  const r = await tx.query<TaskRowView & { page_sla_deadline: string | null; page_created_at: string }>(
    `SELECT ${TASK_VIEW}, ${cursorTimestampSql('q.sla_deadline')} AS page_sla_deadline,
       ${cursorTimestampSql('q.created_at')} AS page_created_at
     FROM v_user_task_queue q WHERE ${where.join(' AND ')}
     ORDER BY q.sla_deadline ASC NULLS LAST, q.created_at ASC, q.task_id ASC LIMIT $${params.length}`,
    params,
  );
  return pageOf(TASK_PAGE, r.rows, q.limit, (row) => [row.page_sla_deadline, row.page_created_at, row.task_id]);
}

export async function findTaskView(tx: PgTx, taskId: string): Promise<TaskRowView | null> {
  const r = await tx.query<TaskRowView>(`SELECT ${TASK_VIEW} FROM v_user_task_queue q WHERE q.task_id = $1`, [taskId]);
  return r.rows[0] ?? null;
}
