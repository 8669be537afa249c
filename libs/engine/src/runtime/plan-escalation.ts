/**
 * A task past its deadline: the breach is recorded once (`sla_breached`, `slaBreachedAt`) whether
 * or not escalation is on; with escalation on it is also escalated once, visible to its escalation
 * role from then on. One case of the wait timers (`planWake`, which also fires reminders, ladder
 * levels, timeouts and timer nodes).
 */

import type { Plan } from './model';
import type { PlanAt } from './plan-at';
import type { StepState } from './plan-step';
import { planWake } from '../waits/plan-wait';

/**
 * The wait (`state.execution`) at `at.now`. Null when there is nothing to do: the task was
 * decided, its breach is already recorded, or nothing is due yet. Checked under the instance
 * lock, so each timer fires exactly once.
 */
export function planEscalation(at: PlanAt<'escalationEnabled'>, state: Omit<StepState, 'open'>): Plan | null {
  return planWake(at, state);
}
