/** A business-time timer's due time counted again (its calendar changed). Pure. */

import type { Plan } from '../runtime/model';
import type { PlanAt } from '../runtime/plan-at';
import { stepBuilder, type StepState } from '../runtime/plan-step';
import { recordDeadlineChange, type DeadlineChange } from './plan-deadline';

export function planTimerMove(at: PlanAt, state: Omit<StepState, 'open'>, change: Omit<DeadlineChange, 'slaDeadline'> & { dueAt: Date }): Plan | null {
  const { instance, execution: e } = state;
  if (instance.status !== 'running' || e.status !== 'waiting' || e.waitingFor !== 'timer') return null;
  if (e.wakeAt !== null && e.wakeAt.getTime() === change.dueAt.getTime()) return null;
  const b = stepBuilder(at, state);
  b.patch(e, { wakeAt: change.dueAt, output: { ...(e.output ?? {}), dueAt: change.dueAt.toISOString() } });
  b.watchDeadline(e.id, change.dueAt);
  recordDeadlineChange(b, e, change, e.wakeAt, change.dueAt);
  return b.build();
}
