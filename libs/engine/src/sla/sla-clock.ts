/** SLA arithmetic: deadlines from (fractional) hours, urgency of a deadline at a moment. */

export const URGENCY_LEVELS = ['OVERDUE', 'URGENT', 'NORMAL'] as const;
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

/** OVERDUE when now ≥ deadline; URGENT when the hours remaining are ≤ the threshold; else NORMAL. */
export function urgencyOf(deadline: Date, now: Date, urgentThresholdHours: number): UrgencyLevel {
  const msLeft = deadline.getTime() - now.getTime();
  if (msLeft <= 0) return 'OVERDUE';
  if (msLeft <= urgentThresholdHours * MS_PER_HOUR) return 'URGENT';
  return 'NORMAL';
}
