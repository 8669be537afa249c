/**
 * Urgency in SQL, from the engine's `urgencyWindow`: the two instants are bound as parameters, so
 * the boundaries live in one place (libs/engine sla-clock) and Postgres's `now()` plays no part.
 */
import type { UrgencyLevel, UrgencyWindow } from '@wf/engine';

/** `bind(value, type)` adds a parameter and returns its placeholder (`$3::timestamptz`). */
export type Bind = (value: unknown, type: string) => string;

/** A CASE naming the urgency of `deadline` (a column or expression); `atRisk` the at-risk mark's column. */
export function urgencyCaseSql(deadline: string, w: UrgencyWindow, bind: Bind, atRisk = 'NULL'): string {
  return `CASE WHEN ${deadline} <= ${bind(w.overdueFrom, 'timestamptz')} THEN 'OVERDUE'
               WHEN ${atRisk} IS NOT NULL THEN 'AT_RISK'
               WHEN ${deadline} <= ${bind(w.urgentUntil, 'timestamptz')} THEN 'URGENT'
               ELSE 'NORMAL' END`;
}

/** The sort rank of urgency: 0 overdue, 1 at risk, 2 the rest (by deadline among themselves). */
export function urgencyRankSql(deadline: string, w: UrgencyWindow, bind: Bind, atRisk: string): string {
  return `(CASE WHEN ${deadline} <= ${bind(w.overdueFrom, 'timestamptz')} THEN 0 WHEN ${atRisk} IS NOT NULL THEN 1 ELSE 2 END)`;
}

/** A condition true for the tasks of `level`; a task without a deadline is NORMAL. */
export function urgencyFilterSql(deadline: string, level: UrgencyLevel, w: UrgencyWindow, bind: Bind, atRisk = 'NULL'): string {
  if (level === 'OVERDUE') return `${deadline} <= ${bind(w.overdueFrom, 'timestamptz')}`;
  // every parameter bound must be used: Postgres refuses one it cannot type
  if (level === 'AT_RISK') return `(${atRisk} IS NOT NULL AND (${deadline} > ${bind(w.overdueFrom, 'timestamptz')} OR ${deadline} IS NULL))`;
  if (level === 'URGENT') return `(${atRisk} IS NULL AND ${deadline} > ${bind(w.overdueFrom, 'timestamptz')} AND ${deadline} <= ${bind(w.urgentUntil, 'timestamptz')})`;
  return `(${atRisk} IS NULL AND (${deadline} > ${bind(w.urgentUntil, 'timestamptz')} OR ${deadline} IS NULL))`;
}
