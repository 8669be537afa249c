/**
 * Time: SLA deadlines and escalation, urgency in the task queue, cron and event triggers (no lost
 * step when Redis forgets everything: redis-flush.redis.int.test.ts). Deadlines pass by moving the engine's clock, and
 * the tests await the engine's events or a condition: nothing here sleeps to wait for the engine.
 */
import { slaJobId } from '@wf/queue';
import { createEngineRuntime, createLogger, escalateDueOnce, loadConfig, startSchedulerRole, type SchedulerRole } from '@wf/runtime';
import { escalateTask } from '@wf/engine';
import { TENANT_B, TENANT_A, createHarness, eventually, sqlAsOwner, type Harness } from '../testing/engine-harness';
import { OffsetClock } from '@wf/runtime/testing';

const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
const HOUR = 3600_000;

describe('SLA, escalation and triggers', () => {
  let h: Harness;
  let admin: string;
  let scheduler: SchedulerRole;
  const clock = new OffsetClock();

  beforeAll(async () => {
    h = await createHarness({ clock, env: { TASK_QUEUE_REFRESH_INTERVAL_SECONDS: '1', WORKFLOW_RECONCILE_AFTER_SECONDS: '1' } });
    admin = h.token('admin', ['admin']);
    scheduler = startSchedulerRole(h.rt);
  });
  afterAll(async () => {
    await scheduler.close();
    await h.close();
  });

  async function define(body: object): Promise<string> {
    const res = await h.http().post('/api/definitions').set(auth(admin)).send(body);
    if (res.status !== 201) throw new Error(JSON.stringify(res.body));
    return res.body.id as string;
  }

  async function history(id: string): Promise<string[]> {
    return (await h.http().get(`/api/instances/${id}/history`).set(auth(admin))).body.items.map((i: { eventType: string }) => i.eventType);
  }

  async function start(defId: string): Promise<string> {
    return (await h.http().post('/api/instances').set(auth(admin)).send({ workflowDefinitionId: defId })).body.id as string;
  }

  /** The waiting task of an instance, once its step has parked it. */
  async function parkedTask(id: string): Promise<{ id: string; sla_deadline: Date }> {
    return eventually(async () => {
      const rows = await sqlAsOwner<{ id: string; sla_deadline: Date }>(
        h.db.url,
        `SELECT id, sla_deadline FROM workflow_instance_nodes WHERE instance_id = $1 AND status = 'waiting'`,
        [id],
      );
      return rows[0];
    }, 10_000, 'the task to be parked');
  }

  /** Every way a deadline is checked again (the sweep twice, the delayed job's use case twice) finds nothing to do. */
  async function checkedAgain(id: string, taskId: string): Promise<void> {
    expect(await escalateDueOnce(h.rt)).toBe(0);
    expect(await escalateDueOnce(h.rt)).toBe(0);
    expect(await escalateTask(h.rt.ports, { tenantId: TENANT_A, instanceId: id, executionId: taskId })).toBe(false);
    expect(await escalateTask(h.rt.ports, { tenantId: TENANT_A, instanceId: id, executionId: taskId })).toBe(false);
  }

  it('escalates an overdue task exactly once to its escalation role, who can then approve it', async () => {
    const defId = await define({
      name: 'Urgent PO',
      escalationEnabled: true,
      nodes: [{ id: 'ok', nodeType: 'approval', name: 'OK?', approverUserId: 'ursula', slaHours: 1, escalationRole: 'director' }],
      routes: [],
    });
    const id = await start(defId);
    const task = await parkedTask(id);
    const ursula = h.token('ursula', []);
    const director = h.token('dora', ['director']);

    const escalation = h.rt.events.next('task_escalated', (e) => e.instanceId === id);
    clock.advance(HOUR + 1000);
    expect(await escalation).toMatchObject({ executionId: task.id, escalated: true });

    const items = (await h.http().get('/api/tasks/mine').set(auth(director))).body.items;
    const escalated = items.find((t: { instanceId: string }) => t.instanceId === id) as { taskId: string; urgencyLevel: string; isOverdue: boolean; hoursRemaining: number };
    expect(escalated.urgencyLevel).toBe('OVERDUE');
    expect(escalated.isOverdue).toBe(true);
    expect(escalated.hoursRemaining).toBeLessThanOrEqual(0);
    // the assignee keeps it too, and the OVERDUE filter finds it
    const overdue = (await h.http().get('/api/tasks/mine').query({ urgencyLevel: 'OVERDUE' }).set(auth(ursula))).body.items;
    expect(overdue.map((t: { taskId: string }) => t.taskId)).toContain(escalated.taskId);
    expect((await h.http().get('/api/tasks/mine').query({ urgencyLevel: 'NORMAL' }).set(auth(ursula))).body.items).toEqual([]);

    // the sweeps and the delayed check coming again: still exactly once
    await checkedAgain(id, task.id);
    const events = await history(id);
    expect(events.filter((e) => e === 'sla_breached')).toHaveLength(1);
    expect(events.filter((e) => e === 'task_escalated')).toHaveLength(1);

    const finished = h.rt.events.next('instance_finished', (e) => e.instanceId === id);
    expect((await h.http().post(`/api/tasks/${escalated.taskId}/approve`).set(auth(director)).send({})).status).toBe(200);
    expect(await finished).toMatchObject({ status: 'completed' });
  });

  it('records an SLA breach once, and counts it in the metric, for a definition without escalation', async () => {
    const metric = async (pattern: RegExp) => {
      const text = await h.rt.metrics.registry.metrics();
      return Number(pattern.exec(text)?.[1] ?? '0');
    };
    const gauge = /^workflow_sla_breaches_total (\d+)/m;
    const counter = /^workflow_task_deadlines_passed_total\{escalated="false"\} (\d+)/m;
    const before = { gauge: await metric(gauge), counter: await metric(counter) };
    const defId = await define({
      name: 'No escalation',
      nodes: [{ id: 'ok', nodeType: 'approval', name: 'OK?', approverUserId: 'uma', slaHours: 1, escalationRole: 'director' }],
      routes: [],
    });
    const id = await start(defId);
    const task = await parkedTask(id);
    const breach = h.rt.events.next('task_escalated', (e) => e.instanceId === id);
    clock.advance(HOUR + 1000);
    expect(await breach).toMatchObject({ escalated: false });
    await checkedAgain(id, task.id);
    const events = await history(id);
    expect(events.filter((e) => e === 'sla_breached')).toHaveLength(1);
    expect(events).not.toContain('task_escalated');
    // not escalated: the escalation role does not see it
    const director = h.token('dora', ['director']);
    const items = (await h.http().get('/api/tasks/mine').set(auth(director))).body.items as { instanceId: string }[];
    expect(items.some((t) => t.instanceId === id)).toBe(false);
    expect(await metric(gauge)).toBeGreaterThanOrEqual(before.gauge + 1);
    expect(await metric(counter)).toBe(before.counter + 1);
  });

  it('gives a far deadline no delayed job until the SLA sweep finds it within range, then escalates it once', async () => {
    // refresh interval 1 s here, so the horizon is 2 s; this deadline is an hour away
    const defId = await define({
      name: 'Later PO',
      escalationEnabled: true,
      nodes: [{ id: 'ok', nodeType: 'approval', name: 'OK?', approverUserId: 'lars', slaHours: 1, escalationRole: 'director' }],
      routes: [],
    });
    const id = await start(defId);
    const task = await parkedTask(id);
    const jobId = slaJobId({ executionId: task.id, dueAt: task.sla_deadline });
    const job = () => h.rt.bullDispatcher.slaQueue.getJob(jobId);
    expect(await job()).toBeUndefined();

    // 1.5 s before the deadline on the engine's clock: the next sweep gives it its delayed job
    const escalation = h.rt.events.next('task_escalated', (e) => e.instanceId === id);
    clock.advance(task.sla_deadline.getTime() - clock.now().getTime() - 1500);
    const delayed = await eventually(async () => (await job()) ?? undefined, 8000, 'the sweep to add the delayed job');
    expect(await delayed.isDelayed()).toBe(true);
    expect(delayed.opts.delay).toBeLessThanOrEqual(1500);
    expect(await escalation).toMatchObject({ executionId: task.id, escalated: true });
    await checkedAgain(id, task.id);
    expect((await history(id)).filter((e) => e === 'task_escalated')).toHaveLength(1);
  });

  it('never escalates a task decided before its deadline', async () => {
    const defId = await define({
      name: 'Quick PO',
      escalationEnabled: true,
      escalationRole: 'director',
      nodes: [{ id: 'ok', nodeType: 'approval', name: 'OK?', approverUserId: 'quinn', slaHours: 1 }],
      routes: [],
    });
    const id = await start(defId);
    const task = await parkedTask(id);
    const quinn = h.token('quinn', []);
    const finished = h.rt.events.next('instance_finished', (e) => e.instanceId === id);
    expect((await h.http().post(`/api/tasks/${task.id}/approve`).set(auth(quinn)).send({})).status).toBe(200);
    await finished;
    clock.advance(2 * HOUR);
    await checkedAgain(id, task.id);
    const events = await history(id);
    expect(events).not.toContain('sla_breached');
    expect(events).not.toContain('task_escalated');
  });

  it('fires a two-second cron trigger once per tick across two schedulers, keeps firing with one, and stops on deactivation', async () => {
    const second = await createEngineRuntime(loadConfig(h.env), createLogger('silent'), 'scheduler-2');
    const secondScheduler = startSchedulerRole(second);
    const defId = await define({
      name: 'Nightly report',
      nodes: [{ id: 'r', nodeType: 'service_task', name: 'Report', serviceType: 'set_context', serviceConfig: { values: { reported: true } } }],
      routes: [],
      triggers: [{ type: 'cron', cron: '*/2 * * * * *', contextData: { source: 'cron' } }],
    });
    const cronInstances = () =>
      sqlAsOwner<{ idempotency_key: string; started_by: string; trigger_type: string }>(
        h.db.url,
        `SELECT idempotency_key, started_by, trigger_type FROM workflow_instances WHERE definition_id = $1 ORDER BY started_at`,
        [defId],
      );
    try {
      await eventually(async () => ((await cronInstances()).length >= 3 ? true : undefined), 15_000, 'three cron fires');
    } finally {
      await secondScheduler.close();
      await second.close();
    }
    const fired = await cronInstances();
    expect(fired.every((i) => i.trigger_type === 'cron' && i.started_by === 'system:scheduler')).toBe(true);
    // by tick: the two schedulers' clocks differ (this one's engine clock is moved forward), so started_at does not order them
    const times = fired.map((i) => Date.parse(i.idempotency_key.split(':').slice(3).join(':'))).sort((a, b) => a - b);
    // one instance per tick, ticks two seconds apart: no tick fired twice
    expect(new Set(times).size).toBe(times.length);
    for (let i = 1; i < times.length; i += 1) expect(times[i]! - times[i - 1]!).toBe(2000);

    // the remaining scheduler keeps firing alone
    const before = (await cronInstances()).length;
    await eventually(async () => ((await cronInstances()).length > before ? true : undefined), 6000, 'a fire with one scheduler');

    expect((await h.http().post(`/api/definitions/${defId}/deactivate`).set(auth(admin))).status).toBe(200);
    // the change notification (or the periodic sync) removes the schedule; once no fire is in
    // flight, nothing can start another instance
    await eventually(async () => (scheduler.cronTriggers.scheduledDefinitionIds().includes(defId) ? undefined : true), 5000, 'the trigger to be unscheduled');
    await scheduler.cronTriggers.settled();
    const afterDeactivation = await cronInstances();
    const removedAt = Date.now();
    expect(afterDeactivation.every((i) => Date.parse(i.idempotency_key.split(':').slice(3).join(':')) <= removedAt)).toBe(true);
  });

  it('fires cron ticks that came due while the scheduler\'s event loop was blocked, late but once each', async () => {
    const defId = await define({
      name: 'Every second',
      nodes: [{ id: 'r', nodeType: 'service_task', name: 'Tick', serviceType: 'set_context', serviceConfig: { values: { ticked: true } } }],
      routes: [],
      triggers: [{ type: 'cron', cron: '* * * * * *' }],
    });
    const fireTimes = async () =>
      (await sqlAsOwner<{ k: string }>(h.db.url, `SELECT idempotency_key AS k FROM workflow_instances WHERE definition_id = $1`, [defId]))
        .map((r) => Date.parse(r.k.split(':').slice(3).join(':')))
        .sort((x, y) => x - y);
    await eventually(async () => ((await fireTimes()).length >= 1 ? true : undefined), 10_000, 'the trigger is scheduled');
    // the scheduler shares this process: block its event loop well past node-cron's tolerance
    const blockedFrom = Date.now();
    while (Date.now() - blockedFrom < 3500) {
      /* busy: no timer runs */
    }
    const blockedTo = Date.now();
    const during = (times: number[]) => times.filter((t) => t > blockedFrom && t <= blockedTo);
    await eventually(async () => (during(await fireTimes()).length >= 3 ? true : undefined), 10_000, 'the late ticks to fire');
    expect((await h.http().post(`/api/definitions/${defId}/deactivate`).set(auth(admin))).status).toBe(200);
    await eventually(async () => (scheduler.cronTriggers.scheduledDefinitionIds().includes(defId) ? undefined : true), 5000, 'the trigger to be unscheduled');
    await scheduler.cronTriggers.settled();
    const times = await fireTimes();
    // every whole second of the blocked stretch has its instance, and no second has two
    expect(during(times).length).toBeGreaterThanOrEqual(3);
    expect(new Set(times).size).toBe(times.length);
    for (let i = 1; i < times.length; i += 1) expect(times[i]! - times[i - 1]!).toBe(1000);
  });

  it('starts exactly the listening definitions of the caller tenant on an event', async () => {
    const listenA1 = await define({ name: 'On PO 1', nodes: [{ id: 'a', nodeType: 'approval', name: 'A', approverRole: 'x' }], routes: [], triggers: [{ type: 'event', eventType: 'po.created' }] });
    const listenA2 = await define({ name: 'On PO 2', nodes: [{ id: 'a', nodeType: 'approval', name: 'A', approverRole: 'x' }], routes: [], triggers: [{ type: 'event', eventType: 'po.created' }, { type: 'event', eventType: 'po.changed' }] });
    await define({ name: 'Deaf', nodes: [{ id: 'a', nodeType: 'approval', name: 'A', approverRole: 'x' }], routes: [], triggers: [{ type: 'event', eventType: 'invoice.created' }] });
    const adminB = h.token('admin-b', ['admin'], TENANT_B);
    const inB = await h.http().post('/api/definitions').set(auth(adminB)).send({ name: 'B listens', nodes: [{ id: 'a', nodeType: 'approval', name: 'A', approverRole: 'x' }], routes: [], triggers: [{ type: 'event', eventType: 'po.created' }] });
    expect(inB.status).toBe(201);

    const clerk = h.token('clerk', ['clerk']);
    const res = await h.http().post('/api/events').set(auth(clerk)).send({ eventType: 'po.created', contextEntityType: 'purchase_order', contextEntityId: 'po-1', contextData: { amount: 10 } });
    expect(res.status).toBe(202);
    expect(res.body.startedInstanceIds).toHaveLength(2);
    const started = await sqlAsOwner<{ definition_id: string; trigger_type: string; started_by: string; tenant_id: string }>(
      h.db.url,
      `SELECT definition_id, trigger_type, started_by, tenant_id FROM workflow_instances WHERE id = ANY($1::uuid[])`,
      [res.body.startedInstanceIds],
    );
    expect(started.map((s) => s.definition_id).sort()).toEqual([listenA1, listenA2].sort());
    expect(started.every((s) => s.trigger_type === 'event' && s.started_by === 'clerk')).toBe(true);
    const inTenantB = await sqlAsOwner<{ n: number }>(h.db.url, `SELECT count(*)::int AS n FROM workflow_instances WHERE definition_id = $1`, [inB.body.id]);
    expect(inTenantB[0]!.n).toBe(0);
    // the caller started them, so sees them
    expect((await h.http().get(`/api/instances/${res.body.startedInstanceIds[0]}`).set(auth(clerk))).status).toBe(200);
    const none = await h.http().post('/api/events').set(auth(clerk)).send({ eventType: 'nobody.listens' });
    expect(none.status).toBe(202);
    expect(none.body.startedInstanceIds).toEqual([]);
  });
});
