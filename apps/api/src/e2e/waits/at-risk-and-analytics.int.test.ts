/**
 * AT_RISK, clock-stop and the analytics of where time goes, through the real API on a test clock:
 * a task whose node usually takes longer than its deadline leaves is AT_RISK from the start (once
 * in the history, between OVERDUE and URGENT in the queue), a task without enough history says it
 * has no forecast; a rework round with `pausesSla` moves the instance deadline by the time spent
 * with the requester; the analytics window gives per-version and per-node figures.
 */
import { OffsetClock } from '@wf/runtime/testing';
import { createHarness, type Harness } from '../../testing/engine-harness';
import type { UserClient } from '../../testing/user-client';

const HOUR = 3_600_000;
let h: Harness;
let admin: UserClient;
let clerk: UserClient;
const clock = new OffsetClock();

beforeAll(async () => {
  h = await createHarness({ clock });
  admin = h.as('risk-admin', ['admin']);
  clerk = h.as('risk-clerk', ['clerk']);
});

afterAll(() => h.close());

const slow = (name: string, slaHours: number) => ({
  name,
  nodes: [{ id: 'check', nodeType: 'approval', name: 'Check', approverRole: 'clerk', slaHours }],
  routes: [],
});

describe('at risk', () => {
  it('says there is no forecast with too little history, then flags a task its node usually takes too long for', async () => {
    const defId = await admin.define(slow('risk-flow', 3));
    // five finished runs of 2 hours each: the 75th percentile is 2 hours, inside a 3-hour deadline
    for (let i = 0; i < 5; i++) {
      const id = await admin.start(defId, {});
      const task = await clerk.taskFor(id);
      if (i === 0) expect((await clerk.task(task)).forecast).toEqual({ available: false, reason: expect.stringContaining('fewer than 5') });
      clock.advance(2 * HOUR);
      await clerk.approve(task);
      await admin.finished(id);
    }
    const fine = await admin.start(defId, {});
    const fineTask = await clerk.taskFor(fine);
    expect((await clerk.task(fineTask)).forecast).toMatchObject({ available: true, atRisk: false });
    await clerk.approve(fineTask);

    // a new version with a 1-hour deadline: the same node takes 2 hours, so it is at risk at once
    const tightId = await admin.define(slow('risk-flow', 1));
    const id = await admin.start(tightId, {});
    const task = await clerk.taskFor(id);
    const detail = await clerk.task(task);
    expect(detail.urgencyLevel).toBe('AT_RISK');
    expect(detail.forecast).toMatchObject({ available: true, atRisk: true });
    expect((await clerk.tasks()).find((t) => t.taskId === task)?.urgencyLevel).toBe('AT_RISK');
    expect((await clerk.tasks({ urgencyLevel: 'AT_RISK' })).map((t) => t.taskId)).toEqual([task]);
    expect((await admin.events(id)).filter((e) => e === 'sla_at_risk')).toHaveLength(1);
    // the instance is at risk through its task
    expect((await admin.instance(id)).atRisk).toBe(true);
    expect((await admin.instance(fine)).atRisk).toBe(false);

    // the analytics window counts it, per node and per version
    const res = await admin.get('/api/analytics/workflows', { from: new Date(clock.now().getTime() - 48 * HOUR).toISOString() });
    expect(res.status).toBe(200);
    const flow = res.body.items.find((i: { workflowName: string }) => i.workflowName === 'risk-flow');
    expect(flow.atRiskTasks).toBe(1);
    expect(flow.versions.map((v: { version: number }) => v.version)).toEqual([1, 2]);
    expect(flow.nodes).toEqual([expect.objectContaining({ nodeId: 'check', executions: 7, atRisk: 1, open: 1 })]);
    expect(flow.slowestNode).toMatchObject({ nodeId: 'check' });
    // without a window the guide's totals, as they were
    const plain = await admin.get('/api/analytics/workflows');
    expect(Object.keys(plain.body.items[0]).sort()).toEqual([
      'avgCompletionHours', 'cancelledInstances', 'completedInstances', 'failedInstances', 'rejectedInstances', 'runningInstances', 'slaCompliancePercentage', 'totalInstances', 'workflowName',
    ]);
  });
});

describe('clock-stop', () => {
  it('leaves the time a rework round spends with the requester out of the instance SLA', async () => {
    const defId = await admin.define({
      name: 'clock-stop',
      slaHours: 10,
      nodes: [
        { id: 'request', nodeType: 'user_task', name: 'Request', assigneeRole: 'requester', pausesSla: true },
        { id: 'review', nodeType: 'approval', name: 'Review', approverRole: 'reviewer', returnTo: 'request' },
      ],
      routes: [{ fromNodeId: 'request', toNodeId: 'review' }],
    });
    const requester = h.as('cs-requester', ['requester']);
    const reviewer = h.as('cs-reviewer', ['reviewer']);
    const id = await requester.start(defId, {});
    const deadline = new Date((await admin.instance(id)).slaDeadline!).getTime();
    // the first round is the request itself: the clock runs
    await requester.complete(await requester.taskFor(id, 'request'), {});
    await reviewer.act(await reviewer.taskFor(id, 'review'), 'return', { comments: 'attach the quote' });
    const rework = await requester.taskFor(id, 'request');
    clock.advance(5 * HOUR);
    await requester.complete(rework, {});
    const after = await admin.instance(id);
    expect(new Date(after.slaDeadline!).getTime() - deadline).toBeGreaterThanOrEqual(5 * HOUR);
    expect(after.slaPausedHours).toBeGreaterThanOrEqual(5);
    const events = await admin.events(id);
    expect(events.filter((e) => e === 'sla_paused')).toHaveLength(1);
    expect(events.filter((e) => e === 'sla_resumed')).toHaveLength(1);
  });
});
