/**
 * Time: SLA deadlines and escalation, urgency in the task queue, cron and event triggers, and
 * no lost step when Redis forgets everything.
 */
import { slaJobId } from '@wf/queue';
import { createEngineRuntime, createLogger, loadConfig, startSchedulerRole } from '@wf/runtime';
import { TENANT_B, createHarness, eventually, sqlAsOwner, type Harness } from '../testing/engine-harness';
import { serviceChainDefinition } from '@wf/runtime/testing';
import { startPrivateRedis, type PrivateRedis } from '../testing/redis-server';

const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('SLA, escalation and triggers', () => {
  let h: Harness;
  let admin: string;

  beforeAll(async () => {
    h = await createHarness({ env: { TASK_QUEUE_REFRESH_INTERVAL_SECONDS: '1', WORKFLOW_RECONCILE_AFTER_SECONDS: '1' } });
    admin = h.token('admin', ['admin']);
    h.startScheduler();
  });
  afterAll(() => h.close());

  async function define(body: object): Promise<string> {
    const res = await h.http().post('/api/definitions').set(auth(admin)).send(body);
    if (res.status !== 201) throw new Error(JSON.stringify(res.body));
    return res.body.id as string;
  }

  async function history(id: string): Promise<string[]> {
    return (await h.http().get(`/api/instances/${id}/history`).set(auth(admin))).body.items.map((i: { eventType: string }) => i.eventType);
  }

  it('escalates an overdue task exactly once to its escalation role, who can then approve it', async () => {
    const defId = await define({
      name: 'Urgent PO',
      escalationEnabled: true,
      nodes: [{ id: 'ok', nodeType: 'approval', name: 'OK?', approverUserId: 'ursula', slaHours: 0.0005, escalationRole: 'director' }],
      routes: [],
    });
    const id = (await h.http().post('/api/instances').set(auth(admin)).send({ workflowDefinitionId: defId })).body.id as string;
    const ursula = h.token('ursula', []);
    const director = h.token('dora', ['director']);

    const escalated = await eventually(async () => {
      const items = (await h.http().get('/api/tasks/mine').set(auth(director))).body.items;
      return items.find((t: { instanceId: string }) => t.instanceId === id) as { taskId: string; urgencyLevel: string; isOverdue: boolean; hoursRemaining: number } | undefined;
    }, 10_000, 'the escalation role to see the task');
    expect(escalated.urgencyLevel).toBe('OVERDUE');
    expect(escalated.isOverdue).toBe(true);
    expect(escalated.hoursRemaining).toBeLessThanOrEqual(0);
    // the assignee keeps it too, and the OVERDUE filter finds it
    const overdue = (await h.http().get('/api/tasks/mine').query({ urgencyLevel: 'OVERDUE' }).set(auth(ursula))).body.items;
    expect(overdue.map((t: { taskId: string }) => t.taskId)).toContain(escalated.taskId);
    expect((await h.http().get('/api/tasks/mine').query({ urgencyLevel: 'NORMAL' }).set(auth(ursula))).body.items).toEqual([]);

    // the delayed job and several sweeps have all had their chance: still exactly once
    await sleep(2500);
    const events = await history(id);
    expect(events.filter((e) => e === 'sla_breached')).toHaveLength(1);
    expect(events.filter((e) => e === 'task_escalated')).toHaveLength(1);

    expect((await h.http().post(`/api/tasks/${escalated.taskId}/approve`).set(auth(director)).send({})).status).toBe(200);
    await eventually(async () => ((await h.http().get(`/api/instances/${id}`).set(auth(admin))).body.status === 'completed' ? true : undefined));
  });


  it('records an SLA breach once, and counts it in the metric, for a definition without escalation', async () => {
    const metric = async () => {
      const text = await h.rt.metrics.registry.metrics();
      return Number(/^workflow_sla_breaches_total (\d+)/m.exec(text)?.[1] ?? 'NaN');
    };
    const before = await metric();
    const defId = await define({
      name: 'No escalation',
      nodes: [{ id: 'ok', nodeType: 'approval', name: 'OK?', approverUserId: 'uma', slaHours: 0.0005, escalationRole: 'director' }],
      routes: [],
    });
    const id = (await h.http().post('/api/instances').set(auth(admin)).send({ workflowDefinitionId: defId })).body.id as string;
    await eventually(async () => ((await history(id)).includes('sla_breached') ? true : undefined), 10_000, 'the breach to be recorded');
    await sleep(2500);
    const events = await history(id);
    expect(events.filter((e) => e === 'sla_breached')).toHaveLength(1);
    expect(events).not.toContain('task_escalated');
    // not escalated: the escalation role does not see it
    const director = h.token('dora', ['director']);
    const items = (await h.http().get('/api/tasks/mine').set(auth(director))).body.items as { instanceId: string }[];
    expect(items.some((t) => t.instanceId === id)).toBe(false);
    expect(await metric()).toBeGreaterThanOrEqual(before + 1);
  });
  it('gives a far deadline no delayed job until the SLA sweep finds it within range, then escalates it once', async () => {
    // refresh interval 1 s here, so the horizon is 2 s; this deadline is 7 s away
    const defId = await define({
      name: 'Later PO',
      escalationEnabled: true,
      nodes: [{ id: 'ok', nodeType: 'approval', name: 'OK?', approverUserId: 'lars', slaHours: 7 / 3600, escalationRole: 'director' }],
      routes: [],
    });
    const id = (await h.http().post('/api/instances').set(auth(admin)).send({ workflowDefinitionId: defId })).body.id as string;
    const [task] = await eventually(async () => {
      const rows = await sqlAsOwner<{ id: string; sla_deadline: Date }>(
        h.db.url,
        `SELECT id, sla_deadline FROM workflow_instance_nodes WHERE instance_id = $1 AND status = 'waiting'`,
        [id],
      );
      return rows.length === 1 ? rows : undefined;
    });
    const jobId = slaJobId({ executionId: task!.id, dueAt: task!.sla_deadline });
    const job = () => h.rt.bullDispatcher.slaQueue.getJob(jobId);
    expect(task!.sla_deadline.getTime() - Date.now()).toBeGreaterThan(4000);
    expect(await job()).toBeUndefined();

    const delayed = await eventually(async () => (await job()) ?? undefined, 8000, 'the sweep to add the delayed job');
    expect(await delayed.isDelayed()).toBe(true);
    expect(task!.sla_deadline.getTime() - Date.now()).toBeLessThanOrEqual(2000 + 500);

    await eventually(async () => ((await history(id)).includes('task_escalated') ? true : undefined), 10_000, 'escalation');
    await sleep(1500);
    const events = await history(id);
    expect(events.filter((e) => e === 'task_escalated')).toHaveLength(1);
  });

  it('never escalates a task decided before its deadline', async () => {
    const defId = await define({
      name: 'Quick PO',
      escalationEnabled: true,
      escalationRole: 'director',
      nodes: [{ id: 'ok', nodeType: 'approval', name: 'OK?', approverUserId: 'quinn', slaHours: 0.0006 }],
      routes: [],
    });
    const id = (await h.http().post('/api/instances').set(auth(admin)).send({ workflowDefinitionId: defId })).body.id as string;
    const quinn = h.token('quinn', []);
    const task = await eventually(async () => (await h.http().get('/api/tasks/mine').set(auth(quinn))).body.items[0]?.taskId as string | undefined);
    expect((await h.http().post(`/api/tasks/${task}/approve`).set(auth(quinn)).send({})).status).toBe(200);
    await sleep(3500);
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
    const times = fired.map((i) => Date.parse(i.idempotency_key.split(':').slice(3).join(':')));
    // one instance per tick, ticks two seconds apart: no tick fired twice
    expect(new Set(times).size).toBe(times.length);
    for (let i = 1; i < times.length; i += 1) expect(times[i]! - times[i - 1]!).toBe(2000);

    // the remaining scheduler keeps firing alone
    const before = (await cronInstances()).length;
    await eventually(async () => ((await cronInstances()).length > before ? true : undefined), 6000, 'a fire with one scheduler');

    expect((await h.http().post(`/api/definitions/${defId}/deactivate`).set(auth(admin))).status).toBe(200);
    await sleep(1500); // one refresh interval
    const afterDeactivation = (await cronInstances()).length;
    await sleep(4500);
    expect((await cronInstances()).length).toBe(afterDeactivation);
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
    await sleep(2500);
    expect((await h.http().post(`/api/definitions/${defId}/deactivate`).set(auth(admin))).status).toBe(200);
    const times = await fireTimes();
    const during = times.filter((t) => t > blockedFrom && t <= blockedTo);
    // every whole second of the blocked stretch has its instance, and no second has two
    expect(during.length).toBeGreaterThanOrEqual(3);
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

describe('no lost step', () => {
  let redis: PrivateRedis;
  let h: Harness;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    h = await createHarness({ redisUrl: redis.url, env: { WORKFLOW_RECONCILE_AFTER_SECONDS: '1', WORKER_CONCURRENCY: '4' } });
  });
  afterAll(async () => {
    await h.close();
    await redis.stop();
  });

  it('completes every running instance after Redis is flushed mid-run', async () => {
    const admin = h.token('admin', ['admin']);
    const defId = (await h.http().post('/api/definitions').set(auth(admin)).send(serviceChainDefinition('Chain', 5))).body.id as string;
    const ids: string[] = [];
    for (let i = 0; i < 20; i += 1) {
      ids.push((await h.http().post('/api/instances').set(auth(admin)).send({ workflowDefinitionId: defId, contextData: { i } })).body.id);
    }
    // let some steps run, then Redis forgets every job
    await sleep(30);
    await redis.flushAll();
    // with no scheduler, nothing would move again: prove the jobs were really lost
    await sleep(300);
    h.startScheduler();
    await eventually(async () => {
      const rows = await sqlAsOwner<{ status: string; n: number }>(h.db.url, `SELECT status, count(*)::int AS n FROM workflow_instances GROUP BY status`);
      return rows.length === 1 && rows[0]!.status === 'completed' && rows[0]!.n === 20 ? true : undefined;
    }, 30_000, 'every instance to complete after the flush');
    const steps = await sqlAsOwner<{ step_count: number }>(h.db.url, `SELECT step_count FROM workflow_instances`);
    expect(steps.every((s) => s.step_count === 5)).toBe(true);
    const perNode = await sqlAsOwner<{ n: number }>(h.db.url, `SELECT count(*)::int AS n FROM workflow_instance_nodes GROUP BY instance_id, node_id HAVING count(*) > 1`);
    expect(perNode).toEqual([]);
  });
});
