/**
 * Moving deadlines of open waits: by hand (an admin, with a reason) or because the business
 * calendar they count in changed. Each change is recorded (`deadline_changed`, old and new) and
 * the wait's next wake-up follows. Pure.
 */

import { durationToMs } from '../calendar/iso-duration';
import type { BusinessCalendar } from '../calendar/business-calendar';
import { DEFINITION_BOUNDS } from '../definition/definition.types';
import type { ExecutionState, Plan } from '../runtime/model';
import type { PlanAt } from '../runtime/plan-at';
import { nodeOf, type PlanBuilder } from '../runtime/plan-builder';
import { stepBuilder, type StepState } from '../runtime/plan-step';
import { nextWakeAt, pendingWaitEvents } from './wait-clock';
import { FORECAST_MODEL } from './forecast';

/** `deadline_changed`, old and new, with why (the one shape every deadline move records). */
export function recordDeadlineChange(
  b: PlanBuilder,
  e: Pick<ExecutionState, 'id' | 'nodeId'>,
  change: Omit<DeadlineChange, 'slaDeadline'>,
  oldAt: Date | null,
  newAt: Date,
): void {
  b.record({
    eventType: 'deadline_changed',
    nodeExecutionId: e.id,
    actorUserId: change.actorUserId,
    details: {
      nodeId: e.nodeId,
      cause: change.cause,
      reason: change.reason,
      oldDeadline: oldAt?.toISOString() ?? null,
      newDeadline: newAt.toISOString(),
      ...(change.calendar ? { calendar: change.calendar.name, calendarVersion: change.calendar.version } : {}),
    },
  });
}

export interface DeadlineChange {
  readonly slaDeadline: Date;
  readonly reason: string;
  readonly actorUserId: string | null;
  /** why: an admin's hand, or a calendar's new version */
  readonly cause: 'manual' | 'calendar_changed';
  readonly calendar?: { readonly name: string; readonly version: number };
}

/** A task's deadline moved; null when it is not a waiting task or nothing would change. */
export function planDeadlineChange(at: PlanAt<'escalationEnabled'>, state: Omit<StepState, 'open'>, change: DeadlineChange): Plan | null {
  const { definition, instance, execution: e } = state;
  if (instance.status !== 'running' || e.status !== 'waiting' || e.waitingFor !== 'task') return null;
  if (e.slaDeadline !== null && e.slaDeadline.getTime() === change.slaDeadline.getTime()) return null;
  const node = nodeOf(definition, e.nodeId);
  if (node.nodeType !== 'approval' && node.nodeType !== 'user_task') return null;
  const calendar = node.calendar !== null ? state.calendars?.get(node.calendar) ?? null : null;
  const quorum = node.nodeType === 'approval' && node.quorum !== null;
  const moved = { ...e, slaDeadline: change.slaDeadline };
  const wakeAt = nextWakeAt(pendingWaitEvents(moved, { ...node, escalations: at.settings.escalationEnabled && !quorum ? node.escalations : [] }, calendar));
  // the forecast stays; whether it passes the deadline may not
  const atRisk = e.forecastFinishAt !== null && e.forecastFinishAt > change.slaDeadline;
  const b = stepBuilder(at, state);
  b.patch(e, {
    slaDeadline: change.slaDeadline,
    wakeAt,
    atRiskAt: atRisk ? e.atRiskAt ?? at.now : null,
    ...(change.cause === 'manual' ? { waitMarks: { ...e.waitMarks, deadlineByHand: true } } : {}),
  });
  if (wakeAt) b.watchDeadline(e.id, wakeAt);
  if (atRisk && e.atRiskAt === null && e.forecastFinishAt) {
    b.record({
      eventType: 'sla_at_risk',
      nodeExecutionId: e.id,
      actorUserId: null,
      details: { nodeId: e.nodeId, forecastFinishAt: e.forecastFinishAt.toISOString(), slaDeadline: change.slaDeadline.toISOString(), model: FORECAST_MODEL },
    });
  }
  recordDeadlineChange(b, e, change, e.slaDeadline, change.slaDeadline);
  return b.build();
}

/** A receive node's timers (timeout, reminders) counted again in its calendar's new version. */
export function planReceiveRecount(at: PlanAt, state: Omit<StepState, 'open'>, calendar: BusinessCalendar, change: Omit<DeadlineChange, 'slaDeadline'>): Plan | null {
  const { instance, execution: e } = state;
  const node = state.definition.nodes.get(e.nodeId);
  if (node?.nodeType !== 'receive' || instance.status !== 'running' || e.status !== 'waiting' || e.waitingFor !== 'message') return null;
  const next = nextWakeAt(pendingWaitEvents(e, { ...node, escalations: [] }, calendar));
  if (next === null || (e.wakeAt !== null && next.getTime() === e.wakeAt.getTime())) return null;
  const b = stepBuilder(at, state);
  b.patch(e, { wakeAt: next });
  b.watchDeadline(e.id, next);
  recordDeadlineChange(b, e, change, e.wakeAt, next);
  return b.build();
}

/**
 * A waiting task's deadline (or a business-time timer's due time) counted again in `calendar`,
 * from the moment the wait began; null when the execution does not count in it.
 */
export function recountedDue(state: Omit<StepState, 'open'>, calendar: BusinessCalendar, defaultSlaHours: number): Date | null {
  const e = state.execution;
  const node = state.definition.nodes.get(e.nodeId);
  if (!node || e.startedAt === null || e.status !== 'waiting') return null;
  // a deadline an admin set by hand stays as set
  if ((node.nodeType === 'approval' || node.nodeType === 'user_task') && e.waitingFor === 'task' && e.waitMarks.deadlineByHand !== true) {
    const hours = Math.min(node.slaHours ?? defaultSlaHours, DEFINITION_BOUNDS.maxSlaHours);
    return calendar.addBusinessTime(e.startedAt, Math.round(hours * 3_600_000));
  }
  if (node.nodeType === 'timer' && node.wait === 'duration' && node.businessTime && e.waitingFor === 'timer') {
    return calendar.addBusinessTime(e.startedAt, durationToMs(node.duration));
  }
  return null;
}
