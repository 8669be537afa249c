/**
 * Waiting in the middle of a process, planned: a timer node parks until it is due (or fires at
 * once when that is past), a receive node parks until its message comes, and every wait's own
 * timers (reminders, escalation ladder, deadline, timeout) fire when they fall due, each once,
 * in order, under the instance lock. Pure: locked state in, plan out.
 */

import { CronExpressionParser } from 'cron-parser';
import { EngineError, NodeFailedError } from '../errors/engine-errors';
import type { BusinessCalendar } from '../calendar/business-calendar';
import { addWallDuration, durationToMs } from '../calendar/iso-duration';
import type { ApprovalNode, ReceiveNode, TimerNode, UserTaskNode } from '../definition/definition.types';
import { evaluateExpression } from '../expressions/cel-expression';
import type { ExecutionState, JsonObject, Plan, WaitMarks } from '../runtime/model';
import type { PlanAt } from '../runtime/plan-at';
import { expressionScope, nodeOf, type PlanBuilder } from '../runtime/plan-builder';
import { failNode, finishNode, stepBuilder, type StepState } from '../runtime/plan-step';
import { deadlinePending, nextWakeAt, pendingWaitEvents, type WaitShape } from './wait-clock';

/** A message a receive node takes: from `POST /api/messages`, or its callback URL. */
export interface ReceivedMessage {
  readonly id: string;
  readonly name: string;
  readonly correlationKey: string;
  readonly data: JsonObject;
  /** the sender's id (a replay with the same id is harmless); null: none given */
  readonly messageId: string | null;
  readonly via: 'message' | 'callback';
}

/** The calendar a node names, from those the step loaded; a missing one fails the node. */
export function calendarOf(state: Pick<StepState, 'calendars'>, name: string | null): BusinessCalendar | null {
  if (name === null) return null;
  const calendar = state.calendars?.get(name);
  if (!calendar) throw new NodeFailedError('CALENDAR_NOT_FOUND', `business calendar "${name}" does not exist in this tenant (POST /api/calendars)`, { calendar: name });
  return calendar;
}

/** A correlation key as the node computes it from the context: a non-empty string. */
export function correlationKeyOf(node: ReceiveNode, scope: { context: JsonObject; instance: JsonObject }): string {
  const value = evaluateExpression(node.correlationKey, scope);
  const key = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
  if (typeof key !== 'string' || key === '' || key.length > 500) {
    throw new NodeFailedError('CORRELATION_KEY_INVALID', `correlationKey of "${node.id}" gave ${JSON.stringify(value)?.slice(0, 80) ?? 'nothing'}: expected a non-empty string or number`, { nodeId: node.id });
  }
  return key;
}

/** When a timer node is due, from the moment its step runs. */
export function timerDueAt(node: TimerNode, now: Date, scope: { context: JsonObject; instance: JsonObject }, calendar: BusinessCalendar | null): Date {
  switch (node.wait) {
    case 'duration':
      if (node.businessTime) {
        if (!calendar) throw new NodeFailedError('CALENDAR_NOT_FOUND', `timer "${node.id}" counts business time but names no calendar`);
        return calendar.addBusinessTime(now, durationToMs(node.duration));
      }
      return addWallDuration(now, node.duration, node.timezone);
    case 'until': {
      const value = evaluateExpression(node.until, scope);
      const at = value instanceof Date ? value : typeof value === 'string' || typeof value === 'number' ? new Date(value) : null;
      if (!at || Number.isNaN(at.getTime())) {
        throw new NodeFailedError('TIMER_INVALID_DATE', `until of "${node.id}" gave ${JSON.stringify(value)?.slice(0, 80) ?? 'nothing'}: expected an ISO-8601 date-time or epoch milliseconds`, { nodeId: node.id });
      }
      return at;
    }
    case 'cron':
      try {
        return CronExpressionParser.parse(node.cron, { currentDate: now, tz: node.timezone }).next().toDate();
      } catch (err) {
        throw new NodeFailedError('TIMER_INVALID_CRON', `cron of "${node.id}": ${(err as Error).message}`, { nodeId: node.id });
      }
  }
}

function started(execution: ExecutionState, nodeType: string) {
  return { eventType: 'node_started' as const, nodeExecutionId: execution.id, actorUserId: null, details: { nodeId: execution.nodeId, nodeType } as JsonObject };
}

/** A timer node's step: park until due, or fire at once when that is now or past. */
export function planTimerStep(b: PlanBuilder, state: StepState, node: TimerNode): void {
  const { execution } = state;
  const dueAt = timerDueAt(node, b.now, expressionScope(b.instance, b.contextData), calendarOf(state, node.calendar));
  b.record(started(execution, node.nodeType));
  b.record({ eventType: 'timer_started', nodeExecutionId: execution.id, actorUserId: null, details: { nodeId: node.id, dueAt: dueAt.toISOString() } });
  if (dueAt <= b.now) {
    b.record({ eventType: 'timer_fired', nodeExecutionId: execution.id, actorUserId: null, details: { nodeId: node.id, dueAt: dueAt.toISOString(), late: false } });
    finishNode(b, state.definition, node, execution, 'completed', { output: { dueAt: dueAt.toISOString(), firedAt: b.now.toISOString() } });
    return;
  }
  b.patch(execution, { status: 'waiting', waitingFor: 'timer', wakeAt: dueAt, startedAt: b.now, output: { dueAt: dueAt.toISOString() } });
  b.watchDeadline(execution.id, dueAt);
}

/** A receive node's step: take the buffered `message` if one came first, else park for it. */
export function planReceiveStep(b: PlanBuilder, state: StepState, node: ReceiveNode, message: ReceivedMessage | null): void {
  const { execution } = state;
  const correlationKey = correlationKeyOf(node, expressionScope(b.instance, b.contextData));
  b.record(started(execution, node.nodeType));
  b.record({ eventType: 'message_awaited', nodeExecutionId: execution.id, actorUserId: null, details: { nodeId: node.id, messageName: node.messageName, correlationKey } });
  const waiting: ExecutionState = { ...execution, status: 'waiting', waitingFor: 'message', startedAt: b.now, messageName: node.messageName, correlationKey };
  if (message) {
    receive(b, state, node, waiting, message);
    return;
  }
  const next = nextWakeAt(pendingWaitEvents(waiting, { ...node, escalations: [] }, calendarOf(state, node.calendar)));
  b.patch(execution, {
    status: 'waiting',
    waitingFor: 'message',
    startedAt: b.now,
    messageName: node.messageName,
    correlationKey,
    callbackNonce: b.newIdOf(),
    wakeAt: next,
    pausesSla: node.pausesSla,
  });
  if (next) b.watchDeadline(execution.id, next);
  if (node.pausesSla) b.record({ eventType: 'sla_paused', nodeExecutionId: execution.id, actorUserId: null, details: { nodeId: node.id, reason: `waiting for message ${node.messageName}` } });
}

/** The message is in: merge it into the context (whole, or through `outputMapping`) and route on. */
function receive(b: PlanBuilder, state: StepState, node: ReceiveNode, execution: ExecutionState, message: ReceivedMessage): void {
  b.record({
    eventType: 'message_received',
    nodeExecutionId: execution.id,
    actorUserId: null,
    details: { nodeId: node.id, messageName: message.name, correlationKey: message.correlationKey, messageId: message.messageId, via: message.via },
  });
  const scope = { context: b.contextData, instance: expressionScope(b.instance, b.contextData).instance, message: { name: message.name, correlationKey: message.correlationKey, data: message.data } };
  const updates = node.outputMapping
    ? Object.fromEntries(Object.entries(node.outputMapping).map(([key, expr]) => [key, evaluateExpression(expr, { context: { ...scope.context, message: scope.message }, instance: scope.instance })]))
    : message.data;
  b.mergeContext(updates, 'request');
  finishNode(b, state.definition, node, execution, 'completed', { output: { messageId: message.messageId, via: message.via } });
}

/** A message delivered to a waiting receive node (its resume job). Null when it no longer waits. */
export function planMessageReceived(at: PlanAt, state: StepState, message: ReceivedMessage): Plan | null {
  const { definition, instance, execution } = state;
  if (instance.status !== 'running' || execution.status !== 'waiting' || execution.waitingFor !== 'message') return null;
  const node = nodeOf(definition, execution.nodeId);
  if (node.nodeType !== 'receive') return null;
  const b = stepBuilder(at, state);
  b.countStep();
  try {
    receive(b, state, node, execution, message);
  } catch (err) {
    if (!(err instanceof EngineError) || err.kind !== 'node_failed') throw err;
    const f = stepBuilder(at, state);
    f.countStep();
    failNode(f, execution, err);
    return f.build();
  }
  return b.build();
}

type WaitingNode = ApprovalNode | UserTaskNode | ReceiveNode;

/** Whether a node is a quorum vote: escalation gives nobody else a vote, so it does not escalate. */
function isQuorum(node: WaitingNode): boolean {
  return node.nodeType === 'approval' && node.quorum !== null;
}

function shapeOf(node: WaitingNode, escalationOn: boolean): WaitShape {
  const escalations = node.nodeType === 'receive' || !escalationOn || isQuorum(node) ? [] : node.escalations;
  return { reminders: node.reminders, timeout: node.timeout, calendar: node.calendar, escalations };
}

/**
 * The wait's timers at `at.now`: a timer node fires; a task or receive node has each timer that
 * fell due fire once, in order (ladder levels, reminders, the deadline's breach), then its timeout
 * interrupts it. Null when nothing was due (a stale or early check).
 */
export function planWake(at: PlanAt<'escalationEnabled'>, state: Omit<StepState, 'open'> & Pick<StepState, 'open'>): Plan | null {
  const { definition, instance, execution: e } = state;
  const { now } = at;
  if (instance.status !== 'running' || e.status !== 'waiting') return null;
  const node = definition.nodes.get(e.nodeId);
  if (!node) return null;
  if (e.waitingFor === 'timer') {
    if (node.nodeType !== 'timer' || e.wakeAt === null || e.wakeAt > now) return null;
    const b = stepBuilder(at, state);
    b.countStep();
    b.record({ eventType: 'timer_fired', nodeExecutionId: e.id, actorUserId: null, details: { nodeId: node.id, dueAt: e.wakeAt.toISOString(), late: now.getTime() - e.wakeAt.getTime() > 60_000 } });
    try {
      finishNode(b, definition, node, e, 'completed', { output: { dueAt: e.wakeAt.toISOString(), firedAt: now.toISOString() } });
    } catch (err) {
      if (!(err instanceof EngineError) || err.kind !== 'node_failed') throw err;
      const f = stepBuilder(at, state);
      failNode(f, e, err);
      return f.build();
    }
    return b.build();
  }
  if ((e.waitingFor !== 'task' && e.waitingFor !== 'message') || (node.nodeType !== 'approval' && node.nodeType !== 'user_task' && node.nodeType !== 'receive')) return null;

  let calendar: BusinessCalendar | null;
  try {
    calendar = calendarOf(state, node.calendar);
  } catch (err) {
    if (!(err instanceof EngineError) || err.kind !== 'node_failed') throw err;
    const f = stepBuilder(at, state);
    failNode(f, e, err);
    return f.build();
  }
  const b = stepBuilder(at, state);
  const shape = shapeOf(node, at.settings.escalationEnabled);
  let current: ExecutionState = e;
  let fired = false;
  for (let guard = 0; guard < 100; guard++) {
    const due = pendingWaitEvents(current, shape, calendar).find((ev) => ev.at <= now);
    if (!due) break;
    fired = true;
    if (due.kind === 'timeout') {
      b.record({ eventType: 'wait_timed_out', nodeExecutionId: e.id, actorUserId: null, details: { nodeId: node.id, timeout: node.timeout, dueAt: due.at.toISOString() } });
      b.patch(e, patchOf(current));
      if (node.outgoing.some((r) => r.kind === 'on_timeout')) {
        finishNode(b, definition, node, current, 'timeout', { output: { timedOut: true } });
      } else {
        failNode(b, current, new NodeFailedError('WAIT_TIMED_OUT', `"${node.id}" timed out after ${node.timeout} and has no route with condition "timeout"`, { nodeId: node.id }));
      }
      return b.build();
    }
    if (due.kind === 'ladder') {
      const marks: WaitMarks = { ...current.waitMarks, ladder: due.level + 1 };
      current = { ...current, escalationRole: due.step.toRole, escalatedAt: now, waitMarks: marks };
      b.record({
        eventType: 'task_escalated',
        nodeExecutionId: e.id,
        actorUserId: null,
        details: { nodeId: node.id, level: due.level + 1, toRole: due.step.toRole, after: due.step.after, notify: due.step.notify, assignedUserId: e.assignedUserId, assignedRole: e.assignedRole },
      });
    } else if (due.kind === 'reminder') {
      const reminder = shape.reminders[due.index];
      let sent = due.occurrence + 1;
      // reminders missed while nothing ran are one reminder, not a burst
      while (reminder && sent < reminder.times && pendingWaitEvents({ ...current, waitMarks: withReminders(current.waitMarks, due.index, sent) }, shape, calendar).some((ev) => ev.kind === 'reminder' && ev.index === due.index && ev.at <= now)) sent += 1;
      current = { ...current, waitMarks: withReminders(current.waitMarks, due.index, sent) };
      b.record({ eventType: 'task_reminder', nodeExecutionId: e.id, actorUserId: null, details: { nodeId: node.id, reminder: due.index, occurrence: sent, skipped: sent - due.occurrence - 1 } });
    } else {
      const escalate = at.settings.escalationEnabled && definition.escalationEnabled && shape.escalations.length === 0 && current.escalatedAt === null && !isQuorum(node);
      const details = { nodeId: node.id, slaDeadline: due.at.toISOString() };
      b.record({ eventType: 'sla_breached', nodeExecutionId: e.id, actorUserId: null, details });
      current = { ...current, slaBreachedAt: now, ...(escalate ? { escalatedAt: now } : {}) };
      if (escalate) {
        b.record({ eventType: 'task_escalated', nodeExecutionId: e.id, actorUserId: null, details: { ...details, escalationRole: e.escalationRole, assignedUserId: e.assignedUserId, assignedRole: e.assignedRole } });
      }
    }
  }
  if (!fired) {
    // a wake-up time left in the past (its calendar changed since): look again when something is due
    if (e.wakeAt === null || e.wakeAt > now) return null;
    const next = nextWakeAt(pendingWaitEvents(current, shape, calendar));
    if (next !== null && next.getTime() === e.wakeAt.getTime()) return null;
    b.patch(e, { wakeAt: next });
    if (next) b.watchDeadline(e.id, next);
    return b.build();
  }
  const next = nextWakeAt(pendingWaitEvents(current, shape, calendar));
  b.patch(e, { ...patchOf(current), wakeAt: next });
  if (next) b.watchDeadline(e.id, next);
  return b.build();
}

function withReminders(marks: WaitMarks, index: number, sent: number): WaitMarks {
  const reminders = [...marks.reminders];
  while (reminders.length <= index) reminders.push(0);
  reminders[index] = sent;
  return { ...marks, reminders };
}

function patchOf(e: ExecutionState) {
  return { escalationRole: e.escalationRole, escalatedAt: e.escalatedAt, slaBreachedAt: e.slaBreachedAt, waitMarks: e.waitMarks };
}

export { deadlinePending };
