/** SLA arithmetic: deadlines from (fractional) hours, urgency of a deadline at a moment. */

export const URGENCY_LEVELS = ['OVERDUE', 'URGENT', 'NORMAL'] as const;
export type UrgencyLevel = (typeof URGENCY_LEVELS)[number];

const MS_PER_HOUR = 3_600_000;

export function addHours(from: Date, hours: number): Date {
  return new Date(from.getTime() + Math.round(hours * MS_PER_HOUR));
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
