/**
 * What one statement writes for an instance: a plan, or several plans of one transaction folded
 * together. Steps that run on in one transaction create an execution in one plan and finish it
 * in the next; folded, that row is inserted once in its final state, the instance row is updated
 * once, and all history rows go in one insert, in chain order.
 */

import { READY_EXECUTION_FIELDS, isOpenStatus, type ExecutionFields, type InstanceStatus, type JsonObject, type NewExecution, type Plan } from '@wf/engine';
import type { ExecutionInsertRecord, ExecutionPatchRecord } from './execution-columns';
import { HISTORY_RECORD, type HashedHistoryRow } from './history-columns';

export type { HashedHistoryRow } from './history-columns';

/** History rows as the JSON records the insert statements read with `jsonb_to_recordset`. */
export function historyRecordsJson(rows: readonly HashedHistoryRow[]): string {
  return JSON.stringify(rows.map(HISTORY_RECORD.record));
}

/** A new execution as its first write: the ready fields, then what the plan says. */
export function insertOf(e: NewExecution): ExecutionInsertRecord {
  return { ...READY_EXECUTION_FIELDS, ...e, comments: e.comments ?? null, output: e.output ?? null };
}

export interface InstanceWrite {
  readonly instanceId: string;
  readonly status: InstanceStatus;
  readonly contextData: JsonObject;
  readonly completedAt: Date | null;
  readonly openDelta: number;
  readonly stepDelta: number;
  readonly slaPausedMsDelta: number;
  /** the head of the history chain once written */
  readonly lastHash: string | null;
  /** executions that existed before the write */
  readonly updates: readonly ExecutionPatchRecord[];
  readonly inserts: readonly ExecutionInsertRecord[];
  /** close every other open execution (rejection, failure, cancel) at `now` */
  readonly cancelOthers: boolean;
  readonly now: Date;
  readonly history: readonly HashedHistoryRow[];
}

export function writeOfPlan(plan: Plan, history: readonly HashedHistoryRow[], lastHash: string | null): InstanceWrite {
  const i = plan.instance;
  return {
    instanceId: i.id,
    status: i.status,
    contextData: i.contextData,
    completedAt: i.completedAt,
    openDelta: i.openDelta,
    stepDelta: i.stepDelta,
    slaPausedMsDelta: i.slaPausedMsDelta,
    lastHash,
    updates: plan.executionPatches.map((p) => ({ ...p, readyAt: p.status === 'ready' ? plan.now : null })),
    inserts: plan.newExecutions.map(insertOf),
    cancelOthers: plan.cancelOtherOpenExecutions,
    now: plan.now,
    history,
  };
}

/**
 * `a` then `b` as one write, or null when they cannot be one statement: another instance, or
 * `a` closes the instance's other executions (a bulk update that must not miss `b`'s rows).
 * When `b` closes them, the rows only `a` wrote that are still open are written closed.
 */
export function foldWrites(a: InstanceWrite, b: InstanceWrite): InstanceWrite | null {
  if (a.instanceId !== b.instanceId || a.cancelOthers) return null;
  const inserted = new Map(a.inserts.map((e) => [e.id, e]));
  const updates = new Map(a.updates.map((u) => [u.id, u]));
  for (const u of b.updates) {
    const row = inserted.get(u.id);
    if (row) {
      inserted.set(u.id, { ...row, ...fieldsOf(u), readyAt: u.readyAt ?? row.readyAt });
    } else {
      const prior = updates.get(u.id);
      updates.set(u.id, { ...u, readyAt: u.readyAt ?? prior?.readyAt ?? null });
    }
  }
  if (b.cancelOthers) {
    // the bulk close skips every row this write names, so the ones only `a` named close here
    const patchedByB = new Set(b.updates.map((u) => u.id));
    // as the bulk close does: a failure remembers what it closed, so a retry can bring it back
    const closed = (row: ExecutionFields) =>
      ({
        status: 'cancelled',
        completedAt: b.now,
        leaseToken: null,
        leaseExpiresAt: null,
        closedByFailureFrom: b.status === 'failed' ? (row.status as 'ready' | 'running' | 'waiting') : null,
      }) as const;
    for (const [id, row] of inserted) if (!patchedByB.has(id) && isOpenStatus(row.status)) inserted.set(id, { ...row, ...closed(row) });
    for (const [id, row] of updates) if (!patchedByB.has(id) && isOpenStatus(row.status)) updates.set(id, { ...row, ...closed(row) });
  }
  return {
    instanceId: a.instanceId,
    status: b.status,
    contextData: b.contextData,
    completedAt: b.completedAt ?? a.completedAt,
    openDelta: a.openDelta + b.openDelta,
    stepDelta: a.stepDelta + b.stepDelta,
    slaPausedMsDelta: a.slaPausedMsDelta + b.slaPausedMsDelta,
    lastHash: b.lastHash,
    updates: [...updates.values()],
    inserts: [...inserted.values(), ...b.inserts],
    cancelOthers: b.cancelOthers,
    now: b.now,
    history: [...a.history, ...b.history],
  };
}

/** Consecutive writes folded wherever they can be. */
export function foldAll(writes: readonly InstanceWrite[]): InstanceWrite[] {
  const out: InstanceWrite[] = [];
  for (const w of writes) {
    const last = out[out.length - 1];
    const folded = last && foldWrites(last, w);
    if (folded) out[out.length - 1] = folded;
    else out.push(w);
  }
  return out;
}

function fieldsOf(u: ExecutionPatchRecord): ExecutionFields {
  const { id: _id, readyAt: _readyAt, ...fields } = u;
  return fields;
}
