/** SLA arithmetic: deadlines from (fractional) hours, urgency of a deadline at a moment. */

/** Most urgent first: AT_RISK (forecast to finish after the deadline) sorts between OVERDUE and URGENT. */
export const URGENCY_LEVELS = ['OVERDUE', 'AT_RISK', 'URGENT', 'NORMAL'] as const;
export type UrgencyLevel = (typeof URGENCY_LEVELS)[number];

const MS_PER_HOUR = 3_600_000;

export function addHours(from: Date, hours: number): Date {
  return new Date(from.getTime() + Math.round(hours * MS_PER_HOUR));
}

/**
 * The deadline `hours` after `from`, with `hours` held to `maxHours`. Saves refuse more than
 * DEFINITION_BOUNDS.maxSlaHours; a row stored before that bound (2300000000 hours is past the
 * last date JavaScript or Postgres can hold) still gets a deadline that can be written.
 */
export function slaDeadlineAfter(from: Date, hours: number, maxHours: number): Date {
  return addHours(from, Math.min(hours, maxHours));
}

/** Hours from `now` to `deadline`, two decimals, negative when overdue. */
export function hoursRemaining(deadline: Date, now: Date): number {
  return Math.round(((deadline.getTime() - now.getTime()) / MS_PER_HOUR) * 100) / 100;
}

/**
 * The one definition of urgency's boundaries at `now`: a deadline at or before `overdueFrom` is
 * OVERDUE, one after it and at or before `urgentUntil` is URGENT, a later one (or none) NORMAL.
 * `urgencyOf` applies it in code; the SQL that filters and counts tasks by urgency takes these
 * two instants as parameters (libs/db `urgencySql`), so the rule is not written again there.
 */
export interface UrgencyWindow {
  readonly overdueFrom: Date;
  readonly urgentUntil: Date;
}

export function urgencyWindow(now: Date, urgentThresholdHours: number): UrgencyWindow {
  return { overdueFrom: now, urgentUntil: new Date(now.getTime() + urgentThresholdHours * MS_PER_HOUR) };
}

/**
 * OVERDUE when now ≥ deadline; AT_RISK when its forecast finish passes the deadline (`atRisk`);
 * URGENT when the hours remaining are ≤ the threshold; else NORMAL.
 */
export function urgencyOf(deadline: Date, now: Date, urgentThresholdHours: number, atRisk = false): UrgencyLevel {
  const w = urgencyWindow(now, urgentThresholdHours);
  if (deadline.getTime() <= w.overdueFrom.getTime()) return 'OVERDUE';
  if (atRisk) return 'AT_RISK';
  if (deadline.getTime() <= w.urgentUntil.getTime()) return 'URGENT';
  return 'NORMAL';
}
