/**
 * Deadlines that move: an admin moves one task's by hand (with a reason), or a business calendar
 * changes and every open wait that counts in it is counted again. Each in its instance's lock,
 * each change recorded (`deadline_changed`, old and new).
 */

import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors/engine-errors';
import type { BusinessCalendar } from '../calendar/business-calendar';
import type { Actor } from '../runtime/model';
import type { EnginePorts } from '../runtime/ports';
import { isAdmin } from '../runtime/task-access';
import { planAt } from '../runtime/plan-at';
import { planDeadlineChange, planReceiveRecount, recountedDue } from '../waits/plan-deadline';
import { planTimerMove } from '../waits/plan-timer-move';
import { runInTenant } from './effects';
import { calendarsFor, definitionOf } from './load-step';

export async function moveTaskDeadline(ports: EnginePorts, actor: Actor, taskId: string, change: { slaDeadline: Date; reason: string }): Promise<{ instanceId: string; oldDeadline: Date | null }> {
  if (!isAdmin(actor)) throw new ForbiddenError('moving a deadline by hand needs the admin role', 'ADMIN_REQUIRED');
  if (change.reason.trim() === '') throw new ValidationError('REASON_REQUIRED', 'moving a deadline needs a reason: it is recorded in the history');
  return runInTenant(ports, actor.tenantId, async (tx, effects) => {
    const snap = await tx.lockTask(taskId);
    if (!snap) throw new NotFoundError('Task', taskId);
    const def = await definitionOf(tx, snap.instance.definitionId);
    const calendars = await calendarsFor(tx, def.compiled);
    const state = { definition: def.compiled, instance: snap.instance, execution: snap.execution, ...(calendars ? { calendars } : {}) };
    const plan = planDeadlineChange(planAt(ports), state, { ...change, actorUserId: actor.userId, cause: 'manual' });
    if (plan === null && (snap.execution.status !== 'waiting' || snap.execution.waitingFor !== 'task')) {
      throw new ConflictError('TASK_NOT_WAITING', `task ${taskId} is ${snap.execution.status}: only a waiting task's deadline moves`);
    }
    if (plan) await effects.write(tx, plan, snap.instance);
    return { instanceId: snap.instance.id, oldDeadline: snap.execution.slaDeadline };
  });
}

/** Open waits a calendar change recounts in one call (a bigger tenant takes several). */
export const RECOUNT_BATCH = 500;

/**
 * Count again, in the calendar's new version, the deadline of every open task and the due time of
 * every business-time timer that counts in it. The waits to look at come from the caller
 * (`calendarWaits` of the store, read in the tenant); each is changed in its own transaction.
 */
export async function recountCalendarDeadlines(
  ports: EnginePorts,
  tenantId: string,
  calendar: { name: string; version: number; compiled: BusinessCalendar },
  waits: readonly { instanceId: string; executionId: string }[],
): Promise<number> {
  let changed = 0;
  for (const w of waits) {
    const moved = await runInTenant(ports, tenantId, async (tx, effects) => {
      const snap = await tx.lockStep(w.instanceId, w.executionId);
      if (!snap) return false;
      const def = await definitionOf(tx, snap.instance.definitionId);
      const calendars = new Map(await calendarsFor(tx, def.compiled) ?? []);
      calendars.set(calendar.name, calendar.compiled);
      const state = { definition: def.compiled, instance: snap.instance, execution: snap.execution, calendars };
      const node = def.compiled.nodes.get(snap.execution.nodeId);
      if (!node || !('calendar' in node) || node.calendar !== calendar.name) return false;
      const change = { reason: `calendar "${calendar.name}" changed (version ${calendar.version})`, actorUserId: null, cause: 'calendar_changed' as const, calendar: { name: calendar.name, version: calendar.version } };
      if (snap.execution.waitingFor === 'message') {
        const recount = planReceiveRecount(planAt(ports), state, calendar.compiled, change);
        if (recount) await effects.write(tx, recount, snap.instance);
        return recount !== null;
      }
      const due = recountedDue(state, calendar.compiled, ports.settings.defaultSlaHours);
      if (!due) return false;
      const plan = snap.execution.waitingFor === 'timer'
        ? planTimerMove(planAt(ports), state, { ...change, dueAt: due })
        : planDeadlineChange(planAt(ports), state, { ...change, slaDeadline: due });
      if (!plan) return false;
      await effects.write(tx, plan, snap.instance);
      return true;
    });
    if (moved) changed += 1;
  }
  return changed;
}
