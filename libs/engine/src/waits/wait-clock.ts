/**
 * When the timers of a wait fall due: reminders, escalation ladder levels, the timeout and the
 * deadline, counted from the moment the wait began, in working time when the node names a
 * business calendar. Pure.
 */

import type { BusinessCalendar } from '../calendar/business-calendar';
import { addWallDuration, durationToMs } from '../calendar/iso-duration';
import type { CompiledEscalationLevel, CompiledReminder, WaitTimers } from '../definition/definition.types';
import type { ExecutionState } from '../runtime/model';

/** `from` plus an ISO-8601 duration: in the calendar's working time, or on the wall clock of UTC. */
export function afterDuration(from: Date, iso: string, calendar: BusinessCalendar | null): Date {
  return calendar ? calendar.addBusinessTime(from, durationToMs(iso)) : addWallDuration(from, iso, 'UTC');
}

/** The due time of occurrence `n` (0-based) of a reminder. */
export function reminderDue(startedAt: Date, reminder: CompiledReminder, n: number, calendar: BusinessCalendar | null): Date {
  if (n === 0 || reminder.every === null) return afterDuration(startedAt, reminder.after, calendar);
  if (calendar) {
    return calendar.addBusinessTime(startedAt, durationToMs(reminder.after) + n * durationToMs(reminder.every));
  }
  let at = addWallDuration(startedAt, reminder.after, 'UTC');
  for (let i = 0; i < n; i++) at = addWallDuration(at, reminder.every, 'UTC');
  return at;
}

/** A timer of a wait that falls due at `at`. */
export type WaitEvent =
  | { readonly kind: 'ladder'; readonly at: Date; readonly level: number; readonly step: CompiledEscalationLevel }
  | { readonly kind: 'reminder'; readonly at: Date; readonly index: number; readonly occurrence: number }
  | { readonly kind: 'deadline'; readonly at: Date }
  | { readonly kind: 'timeout'; readonly at: Date };

export interface WaitShape extends WaitTimers {
  readonly escalations: readonly CompiledEscalationLevel[];
}

/** Whether the task's deadline still has to be recorded as breached. */
export function deadlinePending(e: Pick<ExecutionState, 'slaDeadline' | 'slaBreachedAt' | 'escalatedAt' | 'waitMarks' | 'waitingFor'>): boolean {
  // a task escalated at its deadline before breaches were recorded on their own has had its breach
  const escalatedAtDeadline = e.escalatedAt !== null && e.waitMarks.ladder === 0;
  return e.waitingFor === 'task' && e.slaDeadline !== null && e.slaBreachedAt === null && !escalatedAtDeadline;
}

/** The next due timer of each kind that has not fired, soonest first. */
export function pendingWaitEvents(
  e: Pick<ExecutionState, 'startedAt' | 'slaDeadline' | 'slaBreachedAt' | 'escalatedAt' | 'waitMarks' | 'waitingFor'>,
  shape: WaitShape,
  calendar: BusinessCalendar | null,
): WaitEvent[] {
  const out: WaitEvent[] = [];
  if (deadlinePending(e) && e.slaDeadline) out.push({ kind: 'deadline', at: e.slaDeadline });
  const startedAt = e.startedAt;
  if (startedAt === null) return out;
  const level = e.waitMarks.ladder;
  const step = shape.escalations[level];
  if (step) out.push({ kind: 'ladder', at: afterDuration(startedAt, step.after, calendar), level, step });
  shape.reminders.forEach((reminder, index) => {
    const sent = e.waitMarks.reminders[index] ?? 0;
    if (sent < reminder.times) out.push({ kind: 'reminder', at: reminderDue(startedAt, reminder, sent, calendar), index, occurrence: sent });
  });
  if (shape.timeout !== null) out.push({ kind: 'timeout', at: afterDuration(startedAt, shape.timeout, calendar) });
  return out.sort((a, b) => a.at.getTime() - b.at.getTime());
}

/** The soonest pending timer: when the wait must be looked at next; null when nothing is left. */
export function nextWakeAt(events: readonly WaitEvent[]): Date | null {
  return events[0]?.at ?? null;
}
