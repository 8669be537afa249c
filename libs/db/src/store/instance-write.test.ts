/**
 * Folding the plans of one transaction into one write per instance: the rows written must be the
 * rows the plans would have left one after the other.
 */
import { READY_EXECUTION_FIELDS, type ExecutionPatch, type Plan } from '@wf/engine';
import { foldAll, foldWrites, writeOfPlan, type HashedHistoryRow, type InstanceWrite } from './instance-write';

const T0 = new Date('2026-01-01T00:00:00Z');
const T1 = new Date('2026-01-01T00:00:01Z');

function plan(over: Partial<Plan> & { now: Date }): Plan {
  return {
    instance: { id: 'i', status: 'running', contextData: {}, completedAt: null, openDelta: 0, stepDelta: 1, slaPausedMsDelta: 0 },
    executionPatches: [],
    newExecutions: [],
    cancelOtherOpenExecutions: false,
    history: [],
    enqueue: [],
    slaChecks: [],
    ...over,
  };
}

function row(id: string, prevHash: string | null): HashedHistoryRow {
  return { id, nodeExecutionId: null, eventType: 'node_completed', actorUserId: null, details: {}, createdAt: T0, prevHash, hash: `${id}-hash` };
}

const patch = (id: string, over: Partial<ExecutionPatch>): ExecutionPatch => ({ ...READY_EXECUTION_FIELDS, id, ...over });
const created = (id: string, nodeId: string) => ({ id, nodeId, nodeType: 'gateway' as const, nodeName: nodeId, status: 'ready' as const, waitingFor: null, readyAt: T0 });

// step 1: finishes `a`, creates `b`; step 2 (one second later): finishes `b`, creates `c`
const first = writeOfPlan(
  plan({
    now: T0,
    instance: { id: 'i', status: 'running', contextData: { one: 1 }, completedAt: null, openDelta: 0, stepDelta: 1, slaPausedMsDelta: 0 },
    executionPatches: [patch('a', { status: 'completed', completedAt: T0, startedAt: T0 })],
    newExecutions: [created('b', 'B')],
  }),
  [row('h1', 'h0')],
  'h1-hash',
);
const second = writeOfPlan(
  plan({
    now: T1,
    instance: { id: 'i', status: 'running', contextData: { one: 1, two: 2 }, completedAt: null, openDelta: 0, stepDelta: 1, slaPausedMsDelta: 0 },
    executionPatches: [patch('b', { status: 'completed', completedAt: T1, startedAt: T1, output: { two: 2 } })],
    newExecutions: [created('c', 'C')],
  }),
  [row('h2', 'h1-hash')],
  'h2-hash',
);

describe('folding instance writes', () => {
  it('inserts an execution created and finished in the same transaction once, in its final state', () => {
    const w = foldWrites(first, second)!;
    expect(w.updates.map((u) => u.id)).toEqual(['a']);
    const b = w.inserts.find((e) => e.id === 'b')!;
    expect(b).toMatchObject({ status: 'completed', completedAt: T1, startedAt: T1, output: { two: 2 }, readyAt: T0, nodeId: 'B' });
    expect(w.inserts.find((e) => e.id === 'c')).toMatchObject({ status: 'ready', readyAt: T0 });
  });

  it('updates the instance once: the last status and context, the deltas summed, the last chain head', () => {
    const w = foldWrites(first, second)!;
    expect(w).toMatchObject({ contextData: { one: 1, two: 2 }, stepDelta: 2, openDelta: 0, lastHash: 'h2-hash', now: T1 });
    expect(w.history.map((h) => [h.id, h.prevHash])).toEqual([['h1', 'h0'], ['h2', 'h1-hash']]);
  });

  it('keeps the last patch of an execution that existed before, and when it became ready', () => {
    const retried = writeOfPlan(plan({ now: T0, executionPatches: [patch('a', { status: 'ready', generation: 1 })] }), [], null);
    const claimed = writeOfPlan(plan({ now: T1, executionPatches: [patch('a', { status: 'running', generation: 1, attempts: 1 })] }), [], null);
    const w = foldWrites(retried, claimed)!;
    expect(w.updates).toEqual([expect.objectContaining({ id: 'a', status: 'running', attempts: 1, readyAt: T0 })]);
  });

  it('does not fold across instances, nor after a write that closes the instance\'s other executions', () => {
    const other = { ...second, instanceId: 'j' };
    expect(foldWrites(first, other)).toBeNull();
    const closing: InstanceWrite = { ...first, cancelOthers: true };
    expect(foldWrites(closing, second)).toBeNull();
    expect(foldAll([first, other, second]).map((w) => w.instanceId)).toEqual(['i', 'j', 'i']);
    expect(foldAll([first, second])).toHaveLength(1);
  });

  it('closes what only the earlier plan wrote open when the later one ends the instance', () => {
    const parked = writeOfPlan(
      plan({ now: T0, executionPatches: [patch('t', { status: 'waiting', waitingFor: 'task' })], newExecutions: [created('b', 'B')] }),
      [],
      null,
    );
    const failed = writeOfPlan(
      plan({
        now: T1,
        instance: { id: 'i', status: 'failed', contextData: {}, completedAt: T1, openDelta: -2, stepDelta: 1, slaPausedMsDelta: 0 },
        executionPatches: [patch('x', { status: 'failed', completedAt: T1 })],
        cancelOtherOpenExecutions: true,
      }),
      [],
      null,
    );
    const w = foldWrites(parked, failed)!;
    expect(w.cancelOthers).toBe(true);
    expect(w.inserts.find((e) => e.id === 'b')).toMatchObject({ status: 'cancelled', completedAt: T1 });
    expect(w.updates.find((u) => u.id === 't')).toMatchObject({ status: 'cancelled', completedAt: T1 });
    expect(w.updates.find((u) => u.id === 'x')).toMatchObject({ status: 'failed' });
    expect(w).toMatchObject({ status: 'failed', completedAt: T1 });
  });
});
