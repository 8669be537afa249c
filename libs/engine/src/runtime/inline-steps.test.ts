/**
 * Running on in one transaction: the state a plan leaves, worked out without a database, must be
 * the state the next step would have read back.
 *
 *   split --> left  (set_context) --> join (gateway) --> call (http_call)
 *         \-> right (set_context) --^
 */
import { compileDefinition } from '../definition/compile-definition';
import type { CompiledDefinition } from '../definition/definition.types';
import type { ExecutionState, InstanceState, Plan } from './model';
import { planStart, readyExecutionState } from './plan-start';
import { planStep } from './plan-step';
import { inlineStepsOf, instanceAfter, openAfter, type InlineStep } from './inline-steps';
import { PlanBuilder, type OpenExecution } from './plan-builder';
import { failNode } from './plan-step';
import { NodeFailedError } from '../errors/engine-errors';

const NOW = new Date('2026-01-01T00:00:00Z');
const TENANT = '0a000000-0000-4000-8000-00000000000a';
const settings = { defaultSlaHours: 48, maxStepsPerInstance: 100, maxSubworkflowDepth: 3, escalationEnabled: true, leaseMs: 60_000 };
let counter = 0;
const newId = () => `00000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`;

function compile(raw: unknown): CompiledDefinition {
  const r = compileDefinition(raw);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.definition;
}

const def = compile({
  name: 'Fan',
  nodes: [
    { id: 'split', nodeType: 'gateway', name: 'Split', gatewayType: 'parallel' },
    { id: 'left', nodeType: 'service_task', name: 'Left', serviceType: 'set_context', serviceConfig: { values: { left: true } } },
    { id: 'right', nodeType: 'service_task', name: 'Right', serviceType: 'set_context', serviceConfig: { values: { right: true } } },
    { id: 'join', nodeType: 'gateway', name: 'Join', gatewayType: 'parallel', join: true },
    { id: 'call', nodeType: 'service_task', name: 'Call', serviceType: 'http_call', serviceConfig: { url: 'https://example.test', method: 'GET' } },
  ],
  routes: [
    { fromNodeId: 'split', toNodeId: 'left' },
    { fromNodeId: 'split', toNodeId: 'right' },
    { fromNodeId: 'left', toNodeId: 'join' },
    { fromNodeId: 'right', toNodeId: 'join' },
    { fromNodeId: 'join', toNodeId: 'call' },
  ],
});

function started(): { instance: InstanceState; execution: ExecutionState } {
  const start = planStart(def, {
    tenantId: TENANT, definitionId: 'def', startedBy: 'u', triggerType: 'manual', contextEntityType: null, contextEntityId: null,
    contextData: {}, parentInstanceId: null, parentNodeExecutionId: null, depth: 0,
  }, NOW, newId);
  const i = start.instance;
  const instance: InstanceState = {
    id: i.id, tenantId: TENANT, definitionId: 'def', status: 'running', contextData: i.contextData, startedBy: 'u', triggerType: 'manual',
    parentInstanceId: null, parentNodeExecutionId: null, depth: 0, openExecutions: 1, stepCount: 0, lastHistoryHash: 'h0', slaDeadline: null, startedAt: NOW,
  };
  return { instance, execution: readyExecutionState(i.id, start.firstExecution) };
}

function plan(instance: InstanceState, execution: ExecutionState, open: readonly OpenExecution[]): Plan {
  const out = planStep({ definition: def, instance, execution, now: NOW, newId, settings, open });
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
    const joinOnly = compile({
      name: 'Tail',
      nodes: [
        { id: 'g', nodeType: 'gateway', name: 'G', gatewayType: 'parallel' },
        { id: 'call', nodeType: 'service_task', name: 'Call', serviceType: 'http_call', serviceConfig: { url: 'https://example.test', method: 'GET' } },
      ],
      routes: [{ fromNodeId: 'g', toNodeId: 'call' }],
    });
    const g = planStep({ definition: joinOnly, instance, execution: { ...execution, nodeId: 'g', nodeType: 'gateway' }, now: NOW, newId, settings });
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
