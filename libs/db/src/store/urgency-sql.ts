/**
 * Urgency in SQL, from the engine's `urgencyWindow`: the two instants are bound as parameters, so
 * the boundaries live in one place (libs/engine sla-clock) and Postgres's `now()` plays no part.
 */
import type { UrgencyLevel, UrgencyWindow } from '@wf/engine';

/** `bind(value, type)` adds a parameter and returns its placeholder (`$3::timestamptz`). */
export type Bind = (value: unknown, type: string) => string;

/** A CASE naming the urgency of `deadline` (a column or expression). */
export function urgencyCaseSql(deadline: string, w: UrgencyWindow, bind: Bind): string {
  return `CASE WHEN ${deadline} <= ${bind(w.overdueFrom, 'timestamptz')} THEN 'OVERDUE'
               WHEN ${deadline} <= ${bind(w.urgentUntil, 'timestamptz')} THEN 'URGENT'
               ELSE 'NORMAL' END`;
}

/** A condition true for the tasks of `level`; a task without a deadline is NORMAL. */
export function urgencyFilterSql(deadline: string, level: UrgencyLevel, w: UrgencyWindow, bind: Bind): string {
  if (level === 'OVERDUE') return `${deadline} <= ${bind(w.overdueFrom, 'timestamptz')}`;
  if (level === 'URGENT') return `(${deadline} > ${bind(w.overdueFrom, 'timestamptz')} AND ${deadline} <= ${bind(w.urgentUntil, 'timestamptz')})`;
  return `(${deadline} > ${bind(w.urgentUntil, 'timestamptz')} OR ${deadline} IS NULL)`;
}
