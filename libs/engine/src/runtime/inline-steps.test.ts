/**
 * Running on in one transaction: the state a plan leaves, worked out without a database, must be
 * the state the next step would have read back.
 *
 *   split --> left  (set_context) --> join (gateway) --> call (http_call)
 *         \-> right (set_context) --^
 */
import { definition } from '@wf/testkit/definitions';
import { compileDefinition } from '../definition/compile-definition';
import type { CompiledDefinition } from '../definition/definition.types';
import type { ExecutionState, InstanceState, Plan } from './model';
import { planStart, readyExecutionState } from './plan-start';
import { planStep } from './plan-step';
import { inlineStepsOf, instanceAfter, openAfter, type InlineStep } from './inline-steps';
import { PlanBuilder, type OpenExecution } from './plan-builder';
import { failNode } from './plan-step';
import { NodeFailedError } from '../errors/engine-errors';
import type { ServiceCatalog } from './service-handler';

const NOW = new Date('2026-01-01T00:00:00Z');
const TENANT = '0a000000-0000-4000-8000-00000000000a';
const settings = { defaultSlaHours: 48, maxStepsPerInstance: 100, maxSubworkflowDepth: 3, escalationEnabled: true, leaseMs: 60_000 };
let counter = 0;
const newId = () => `00000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`;
const at = { now: NOW, newId, settings };

/** `http_call` as a worker would have it registered: an I/O step, its config not looked at here */
const IO_SERVICES: ServiceCatalog = { get: (type) => (type === 'http_call' ? {} : undefined), types: () => new Set(['http_call']) };

function compile(raw: unknown): CompiledDefinition {
  const r = compileDefinition(raw, { serviceTypes: IO_SERVICES });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.definition;
}

const def = compile(
  definition('Fan')
    .parallel('split', { name: 'Split' })
    .setContext('left', { left: true }, { name: 'Left' })
    .setContext('right', { right: true }, { name: 'Right' })
    .join('join', { name: 'Join' })
    .service('call', 'http_call', { url: 'https://example.test', method: 'GET' }, { name: 'Call' })
    .route('split', 'left')
    .route('split', 'right')
    .route('left', 'join')
    .route('right', 'join')
    .route('join', 'call')
    .build(),
);

function started(): { instance: InstanceState; execution: ExecutionState } {
  const start = planStart(at, def, {
    tenantId: TENANT, definitionId: 'def', startedBy: 'u', triggerType: 'manual', contextEntityType: null, contextEntityId: null,
    contextData: {}, parentInstanceId: null, parentNodeExecutionId: null, depth: 0,
  });
  const i = start.instance;
  const instance: InstanceState = {
    id: i.id, tenantId: TENANT, definitionId: 'def', status: 'running', contextData: i.contextData, startedBy: 'u', triggerType: 'manual',
    parentInstanceId: null, parentNodeExecutionId: null, depth: 0, openExecutions: 1, stepCount: 0, lastHistoryHash: 'h0', slaDeadline: null, startedAt: NOW,
  };
  return { instance, execution: readyExecutionState(i.id, start.firstExecution) };
}

function plan(instance: InstanceState, execution: ExecutionState, open: readonly OpenExecution[]): Plan {
  const out = planStep(at, { definition: def, instance, execution, open });
  if (out.kind !== 'plan') throw new Error(`expected a plan, got ${out.kind}`);
  return out.plan;
}

describe('running on in one transaction', () => {
  it('runs inline into the first new execution without I/O, as the ready execution the store would read back', () => {
    const { instance, execution } = started();
    const open = [{ id: execution.id, nodeId: 'split', status: 'ready' as const, waitingFor: null }];
    const split = plan(instance, execution, open);
    const next = inlineStepsOf(def, split)[0];
    expect(next?.execution).toMatchObject({ nodeId: 'left', status: 'ready', attempts: 0, generation: 0, instanceId: instance.id });
    expect(split.enqueue).toContain(next?.job);
    expect(next?.job.executionId).toBe(next?.execution.id);
  });

  it('carries the instance forward: context, open executions, step count and the chain head', () => {
    const { instance, execution } = started();
    const split = plan(instance, execution, [{ id: execution.id, nodeId: 'split', status: 'ready', waitingFor: null }]);
    const after = instanceAfter(instance, split, 'h1');
    expect(after).toMatchObject({ openExecutions: 2, stepCount: 1, lastHistoryHash: 'h1', status: 'running' });
    const left = inlineStepsOf(def, split)[0]!;
    const leftPlan = plan(after, left.execution, openAfter([{ id: execution.id, nodeId: 'split', status: 'ready', waitingFor: null }], split));
    expect(instanceAfter(after, leftPlan, 'h2')).toMatchObject({ contextData: { left: true }, stepCount: 2, lastHistoryHash: 'h2' });
  });

  it('keeps the open executions a join plans against: the finished one leaves, the created ones come in', () => {
    const { instance, execution } = started();
    const open0 = [{ id: execution.id, nodeId: 'split', status: 'ready' as const, waitingFor: null }];
    const split = plan(instance, execution, open0);
    const open1 = openAfter(open0, split);
    expect(open1.map((e) => e.nodeId).sort()).toEqual(['left', 'right']);

    const left = inlineStepsOf(def, split)[0]!;
    const leftPlan = plan(instanceAfter(instance, split, null), left.execution, open1);
    const open2 = openAfter(open1, leftPlan);
    // right is still open, so the join waits for it
    expect(open2.map((e) => [e.nodeId, e.status, e.waitingFor]).sort()).toEqual([['join', 'waiting', 'join'], ['right', 'ready', null]]);
    expect(inlineStepsOf(def, leftPlan, open1)).toEqual([]);
  });

  it('runs inline into a join the last branch released, and stops before the step with I/O after it', () => {
    const { instance, execution } = started();
    let state = instance;
    let open: OpenExecution[] = [{ id: execution.id, nodeId: 'split', status: 'ready', waitingFor: null }];
    let current = plan(state, execution, open);
    const ran: string[] = ['split'];
    const runnable: InlineStep[] = [];
    for (;;) {
      state = instanceAfter(state, current, null);
      runnable.push(...inlineStepsOf(def, current, open));
      open = openAfter(open, current);
      const next = runnable.shift();
      if (!next) break;
      current = plan(state, next.execution, open);
      ran.push(next.execution.nodeId);
    }
    expect(ran).toEqual(['split', 'left', 'right', 'join']);
    expect(current.enqueue).toHaveLength(1);
    expect(current.newExecutions.map((e) => e.nodeId)).toEqual(['call']);
    expect(state).toMatchObject({ stepCount: 4, openExecutions: 1, contextData: { left: true, right: true } });
  });

  it('does not run inline into a step with I/O, a finished instance, or a parent\'s resume', () => {
    const { instance, execution } = started();
    const joinOnly = compile(
      definition('Tail')
        .parallel('g', { name: 'G' })
        .service('call', 'http_call', { url: 'https://example.test', method: 'GET' }, { name: 'Call' })
        .route('g', 'call')
        .build(),
    );
    const g = planStep(at, { definition: joinOnly, instance, execution: { ...execution, nodeId: 'g', nodeType: 'gateway' } });
    if (g.kind !== 'plan') throw new Error('expected a plan');
    expect(g.plan.enqueue).toHaveLength(1);
    expect(inlineStepsOf(joinOnly, g.plan)).toEqual([]);

    const b = new PlanBuilder({ ...instance, parentInstanceId: 'parent', parentNodeExecutionId: 'wait' }, NOW, newId, { definition: def });
    failNode(b, execution, new NodeFailedError('X', 'boom'));
    const failed = b.build();
    expect(failed.enqueue.map((j) => j.kind)).toEqual(['resume']);
    expect(inlineStepsOf(def, failed)).toEqual([]);
  });

  it('leaves open only what a closing plan patched open itself', () => {
    const { instance, execution } = started();
    const open = [
      { id: execution.id, nodeId: 'split', status: 'ready' as const, waitingFor: null },
      { id: 'other', nodeId: 'right', status: 'waiting' as const, waitingFor: 'task' as const },
    ];
    const b = new PlanBuilder(instance, NOW, newId, { definition: def });
    failNode(b, execution, new NodeFailedError('X', 'boom'));
    expect(openAfter(open, b.build())).toEqual([]);
  });
});
