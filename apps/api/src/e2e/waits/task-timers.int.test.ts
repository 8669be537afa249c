/**
 * The timers of approvals and user tasks through the real API, worker, Postgres and queue, on a
 * test clock (nothing here sleeps for the engine): reminders (non-interrupting: after a duration,
 * optionally repeating, the holders are mailed through email_send and the history records it),
 * the timeout (interrupting: the node leaves by its `timeout` route, or fails without one) and the
 * escalation ladder (each level once, in order, each in the history, the escalated-to role seeing
 * the task after each level, also across a scheduler restart). The single `escalationRole` keeps
 * working as a one-level ladder.
 */
import type { EmailSendHandler, SentEmail } from '@wf/handlers';
import { escalateTask } from '@wf/engine';
import { escalateDueOnce, startSchedulerRole, type SchedulerRole } from '@wf/runtime';
import { OffsetClock } from '@wf/runtime/testing';
import { TENANT_A, createHarness, eventually, type Harness } from '../../testing/engine-harness';
import type { HistoryItemView, UserClient } from '../../testing/user-client';

const HOUR = 3_600_000;
let h: Harness;
let admin: UserClient;
const clock = new OffsetClock();

beforeAll(async () => {
  h = await createHarness({
    clock,
    env: {
      WORKFLOW_ESCALATION_ENABLED: 'true',
      WORKFLOW_EMAIL_ADDRESS_TEMPLATE: '{userId}@example.com',
      PUBLIC_URL: 'https://wf.example/',
      TASK_QUEUE_REFRESH_INTERVAL_SECONDS: '1',
    },
  });
  admin = h.as('tt-admin', ['admin']);
});

afterAll(() => h.close());

/** What the email_send handler recorded (no SMTP_URL in tests). */
function outbox(): readonly SentEmail[] {
  return (h.rt.handlers.get('email_send') as unknown as EmailSendHandler).outbox;
}

const mailsAbout = (instanceId: string) => outbox().filter((m) => m.instanceId === instanceId);

/** Until `n` mails about the instance are recorded (the notifier works after the commit). */
function mailCount(instanceId: string, n: number): Promise<readonly SentEmail[]> {
  return eventually(async () => (mailsAbout(instanceId).length >= n ? mailsAbout(instanceId) : undefined), 10_000, `${n} mails about ${instanceId}`);
}

/** The notifier's queue is empty and nothing is in flight: no more mail is on its way for now. */
async function mailSettled(): Promise<void> {
  const before = outbox().length;
  await new Promise((resolve) => setImmediate(resolve));
  await eventually(async () => (outbox().length === before ? true : undefined), 2000, 'the notifier to settle');
}

const after = { id: 'after', nodeType: 'service_task', name: 'After', serviceType: 'set_context', serviceConfig: { values: { decided: true } } };
const expired = { id: 'expired', nodeType: 'service_task', name: 'Expired', serviceType: 'set_context', serviceConfig: { values: { expired: true } } };

/** `task` (an approval unless `nodeType` says otherwise), then `after`; routes added by `routes`. */
function taskFlow(name: string, task: Record<string, unknown>, more: { nodes?: object[]; routes?: object[]; def?: Record<string, unknown> } = {}) {
  return {
    name,
    ...more.def,
    startNodeId: 'task',
    nodes: [{ id: 'task', nodeType: 'approval', name: 'Decide', ...task }, after, ...(more.nodes ?? [])],
    routes: [{ fromNodeId: 'task', toNodeId: 'after' }, ...(more.routes ?? [])],
  };
}

async function parked(id: string) {
  const instance = await admin.until(id, (i) => i.nodes.some((n) => n.nodeId === 'task' && n.status === 'waiting'), 'the task to wait');
  return instance.nodes.find((n) => n.nodeId === 'task')!;
}

/** Move the engine's clock to `ms` after the task started waiting, then run the due-wake sweep. */
async function at(task: { startedAt: string | null }, ms: number): Promise<void> {
  clock.advance(Date.parse(task.startedAt!) + ms - clock.now().getTime());
  await escalateDueOnce(h.rt);
}

const ofType = (history: HistoryItemView[], eventType: string) => history.filter((e) => e.eventType === eventType);

describe('reminders', () => {
  it('remind after a duration, then every interval up to times, in the history and by mail; the task keeps waiting', async () => {
    const id = await admin.start(
      await admin.define(taskFlow('tt-reminders', { approverUserId: 'rita', notify: { email: true }, reminders: [{ after: 'PT4H', every: 'PT2H', times: 3 }] })),
    );
    const task = await parked(id);
    expect(Date.parse(task.wait!.wakeAt!)).toBe(Date.parse(task.startedAt!) + 4 * HOUR);
    const created = await mailCount(id, 1);
    expect(created.every((m) => m.to === 'rita@example.com')).toBe(true);

    await at(task, 4 * HOUR - 60_000);
    expect(ofType(await admin.history(id), 'task_reminder')).toHaveLength(0);
    await at(task, 4 * HOUR + 1000);
    expect(ofType(await admin.history(id), 'task_reminder')).toHaveLength(1);
    await mailCount(id, 2);
    await at(task, 6 * HOUR + 1000);
    await at(task, 8 * HOUR + 1000);
    await at(task, 10 * HOUR + 1000);
    await at(task, 30 * HOUR);
    const reminders = ofType(await admin.history(id), 'task_reminder');
    expect(reminders.map((r) => r.details['occurrence'])).toEqual([1, 2, 3]);
    expect(reminders.every((r) => r.details['nodeId'] === 'task')).toBe(true);
    const mails = await mailCount(id, 4);
    await mailSettled();
    expect(mailsAbout(id)).toHaveLength(4);
    expect(mails.every((m) => m.to === 'rita@example.com')).toBe(true);

    // non-interrupting: still waiting, still in the holder's queue, decidable
    const rita = h.as('rita', []);
    expect((await admin.instance(id)).nodes.find((n) => n.nodeId === 'task')?.status).toBe('waiting');
    await rita.approve(await rita.taskFor(id, 'task'));
    expect((await admin.finished(id)).status).toBe('completed');
  });

  it('remind a role\'s task: the history records it, and a decided task is never reminded', async () => {
    const defId = await admin.define(taskFlow('tt-reminder-role', { approverRole: 'clerk', reminders: [{ after: 'PT1H' }] }));
    const reminded = await admin.start(defId);
    const decided = await admin.start(defId);
    const task = await parked(reminded);
    await parked(decided);
    const clerk = h.as('cleo', ['clerk']);
    await clerk.approve(await clerk.taskFor(decided, 'task'));
    await admin.finished(decided);
    await at(task, HOUR + 1000);
    await escalateDueOnce(h.rt);
    expect(ofType(await admin.history(reminded), 'task_reminder')).toHaveLength(1);
    expect(ofType(await admin.history(decided), 'task_reminder')).toHaveLength(0);
  });
});

describe('timeout', () => {
  it('leaves a user task by its timeout route after the duration: recorded, out of the queue, no longer decidable', async () => {
    const id = await admin.start(
      await admin.define(
        taskFlow('tt-timeout-route', { nodeType: 'user_task', assigneeUserId: 'tom', timeout: { after: 'PT48H' } }, {
          nodes: [expired],
          routes: [{ fromNodeId: 'task', toNodeId: 'expired', condition: 'timeout' }],
        }),
      ),
    );
    const task = await parked(id);
    const tom = h.as('tom', []);
    const taskId = await tom.taskFor(id, 'task');
    await at(task, 48 * HOUR - 60_000);
    expect((await admin.instance(id)).status).toBe('running');
    await at(task, 48 * HOUR + 1000);
    await escalateDueOnce(h.rt);
    const finished = await admin.finished(id);
    expect(finished.status).toBe('completed');
    expect(finished.contextData).toEqual({ expired: true });
    expect(finished.nodes.some((n) => n.nodeId === 'after')).toBe(false);
    const history = await admin.history(id);
    expect(ofType(history, 'wait_timed_out')).toHaveLength(1);
    expect(ofType(history, 'wait_timed_out')[0]?.details).toMatchObject({ nodeId: 'task' });
    expect((await tom.tasks()).some((t) => t.instanceId === id)).toBe(false);
    expect((await tom.post(`/api/tasks/${taskId}/complete`, { data: {} })).status).toBe(409);
  });

  it('fails an approval that times out without a timeout route (WAIT_TIMED_OUT)', async () => {
    const id = await admin.start(await admin.define(taskFlow('tt-timeout-fail', { approverUserId: 'tina', timeout: { after: 'PT2H' } })));
    const task = await parked(id);
    await at(task, 2 * HOUR + 1000);
    const failed = await admin.finished(id);
    expect(failed.status).toBe('failed');
    expect(failed.nodes.find((n) => n.nodeId === 'task')?.error?.code).toBe('WAIT_TIMED_OUT');
    expect(ofType(await admin.history(id), 'wait_timed_out')).toHaveLength(1);
  });

  it('interrupts: a reminder due after the timeout never comes, and a task decided in time never times out', async () => {
    const def = taskFlow('tt-timeout-first', { approverUserId: 'ted', timeout: { after: 'PT2H' }, reminders: [{ after: 'PT3H' }] }, {
      nodes: [expired],
      routes: [{ fromNodeId: 'task', toNodeId: 'expired', condition: 'timeout' }],
    });
    const defId = await admin.define(def);
    const timedOut = await admin.start(defId);
    const inTime = await admin.start(defId);
    const task = await parked(timedOut);
    await parked(inTime);
    const ted = h.as('ted', []);
    await ted.approve(await ted.taskFor(inTime, 'task'));
    await at(task, 5 * HOUR);
    await escalateDueOnce(h.rt);
    expect((await admin.finished(timedOut)).contextData).toEqual({ expired: true });
    const history = await admin.history(timedOut);
    expect(ofType(history, 'wait_timed_out')).toHaveLength(1);
    expect(ofType(history, 'task_reminder')).toHaveLength(0);
    const decided = await admin.finished(inTime);
    expect(decided.contextData).toEqual({ decided: true });
    expect(ofType(await admin.history(inTime), 'wait_timed_out')).toHaveLength(0);
  });

  it('refuses at save a timeout route from a node without timeout, ladder levels out of order, a duration that does not parse', async () => {
    const noTimeout = await admin.post('/api/definitions', taskFlow('tt-bad-route', { approverUserId: 'x' }, { nodes: [expired], routes: [{ fromNodeId: 'task', toNodeId: 'expired', condition: 'timeout' }] }));
    expect(noTimeout.status).toBe(400);
    expect(noTimeout.body.error.code).toBe('INVALID_DEFINITION');
    const disordered = await admin.post(
      '/api/definitions',
      taskFlow('tt-bad-ladder', { approverUserId: 'x', escalations: [{ after: 'PT48H', toRole: 'director' }, { after: 'PT24H', toRole: 'manager' }] }),
    );
    expect(disordered.status).toBe(400);
    expect(disordered.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'nodes[0].escalations[1].after' })]));
    const badReminder = await admin.post('/api/definitions', taskFlow('tt-bad-reminder', { approverUserId: 'x', reminders: [{ after: 'four hours' }] }));
    expect(badReminder.status).toBe(400);
    const badTimeout = await admin.post('/api/definitions', taskFlow('tt-bad-timeout', { approverUserId: 'x', timeout: { after: 'PT2Q' } }));
    expect(badTimeout.status).toBe(400);
    expect(badTimeout.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'nodes[0].timeout.after' })]));
  });
});

describe('escalation ladder', () => {
  const ladder = [
    { after: 'PT24H', toRole: 'manager' },
    { after: 'PT48H', toRole: 'director', notify: true },
  ];
  const manager = () => h.as('mona', ['manager']);
  const director = () => h.as('dirk', ['director']);
  const sees = async (user: UserClient, id: string) => (await user.tasks()).some((t) => t.instanceId === id);

  it('escalates level by level, each once and in order, each in the history; the escalated-to role sees the task after each', async () => {
    const id = await admin.start(await admin.define(taskFlow('tt-ladder', { approverUserId: 'alma', slaHours: 200, escalations: ladder })));
    const task = await parked(id);
    expect(Date.parse(task.wait!.wakeAt!)).toBe(Date.parse(task.startedAt!) + 24 * HOUR);
    expect(await sees(manager(), id)).toBe(false);
    expect(await sees(director(), id)).toBe(false);

    await at(task, 24 * HOUR - 60_000);
    expect(ofType(await admin.history(id), 'task_escalated')).toHaveLength(0);
    await at(task, 24 * HOUR + 1000);
    await escalateDueOnce(h.rt);
    expect(await escalateTask(h.rt.ports, { tenantId: TENANT_A, instanceId: id, executionId: task.id })).toBe(false);
    let escalations = ofType(await admin.history(id), 'task_escalated');
    expect(escalations.map((e) => e.details['level'])).toEqual([1]);
    expect(escalations[0]?.details).toMatchObject({ toRole: 'manager' });
    expect(await sees(manager(), id)).toBe(true);
    expect(await sees(director(), id)).toBe(false);
    expect((await admin.task(task.id)).escalationRole).toBe('manager');
    expect(Date.parse((await parked(id)).wait!.wakeAt!)).toBe(Date.parse(task.startedAt!) + 48 * HOUR);

    await at(task, 48 * HOUR + 1000);
    await escalateDueOnce(h.rt);
    await at(task, 100 * HOUR);
    escalations = ofType(await admin.history(id), 'task_escalated');
    expect(escalations.map((e) => e.details['level'])).toEqual([1, 2]);
    expect(escalations[1]?.details).toMatchObject({ toRole: 'director' });
    expect(await sees(director(), id)).toBe(true);
    expect((await admin.task(task.id)).escalationRole).toBe('director');

    // the director, who now holds it, decides
    const dirk = director();
    await dirk.approve(await dirk.taskFor(id, 'task'));
    expect((await admin.finished(id)).status).toBe('completed');
  });

  it('fires both levels in order, once each, when both fell due before anything looked', async () => {
    const id = await admin.start(await admin.define(taskFlow('tt-ladder-late', { approverUserId: 'alma', slaHours: 200, escalations: ladder })));
    const task = await parked(id);
    await at(task, 60 * HOUR);
    await escalateDueOnce(h.rt);
    const escalations = ofType(await admin.history(id), 'task_escalated');
    expect(escalations.map((e) => e.details['level'])).toEqual([1, 2]);
    expect(await sees(director(), id)).toBe(true);
  });

  it('mails the holders at the level that says notify, and not at the one that does not', async () => {
    const id = await admin.start(await admin.define(taskFlow('tt-ladder-mail', { approverUserId: 'alma', slaHours: 200, escalations: ladder })));
    const task = await parked(id);
    await at(task, 24 * HOUR + 1000);
    expect(ofType(await admin.history(id), 'task_escalated')).toHaveLength(1);
    await mailSettled();
    expect(mailsAbout(id)).toHaveLength(0);
    await at(task, 48 * HOUR + 1000);
    expect(ofType(await admin.history(id), 'task_escalated')).toHaveLength(2);
    const mails = await mailCount(id, 1);
    expect(mails[0]?.subject).toMatch(/Escalated/);
  });

  it('fires the second level once after a scheduler restart between the levels', async () => {
    const id = await admin.start(await admin.define(taskFlow('tt-ladder-restart', { approverUserId: 'alma', slaHours: 200, escalations: ladder })));
    const task = await parked(id);
    const levels = async () => ofType(await admin.history(id), 'task_escalated').map((e) => e.details['level']);
    let scheduler: SchedulerRole = startSchedulerRole(h.rt);
    try {
      clock.advance(Date.parse(task.startedAt!) + 24 * HOUR + 1000 - clock.now().getTime());
      await eventually(async () => ((await levels()).length >= 1 ? true : undefined), 10_000, 'the first level');
      await scheduler.close();
      expect(await sees(manager(), id)).toBe(true);
      scheduler = startSchedulerRole(h.rt);
      clock.advance(24 * HOUR);
      await eventually(async () => ((await levels()).length >= 2 ? true : undefined), 10_000, 'the second level');
      // the new scheduler sweeps every second: let it come again, and a sweep of our own
      await escalateDueOnce(h.rt);
      await escalateDueOnce(h.rt);
    } finally {
      await scheduler.close();
    }
    expect(await levels()).toEqual([1, 2]);
    expect(await sees(director(), id)).toBe(true);
  });

  it('fires each level once when sweeps and delayed checks race for it', async () => {
    const id = await admin.start(await admin.define(taskFlow('tt-ladder-race', { approverUserId: 'alma', slaHours: 200, escalations: ladder })));
    const task = await parked(id);
    const check = { tenantId: TENANT_A, instanceId: id, executionId: task.id };
    clock.advance(Date.parse(task.startedAt!) + 24 * HOUR + 1000 - clock.now().getTime());
    await Promise.all([escalateDueOnce(h.rt), escalateDueOnce(h.rt), escalateTask(h.rt.ports, check), escalateTask(h.rt.ports, check)]);
    clock.advance(24 * HOUR);
    await Promise.all([escalateDueOnce(h.rt), escalateTask(h.rt.ports, check), escalateDueOnce(h.rt), escalateTask(h.rt.ports, check)]);
    expect(ofType(await admin.history(id), 'task_escalated').map((e) => e.details['level'])).toEqual([1, 2]);
  });

  it('escalates a user task too: the escalated-to role sees it and may complete it', async () => {
    const id = await admin.start(
      await admin.define(taskFlow('tt-ladder-user-task', { nodeType: 'user_task', assigneeRole: 'clerk', slaHours: 200, escalations: [{ after: 'PT8H', toRole: 'manager' }] })),
    );
    const task = await parked(id);
    const mona = manager();
    expect(await sees(mona, id)).toBe(false);
    await at(task, 8 * HOUR + 1000);
    expect(ofType(await admin.history(id), 'task_escalated').map((e) => e.details['level'])).toEqual([1]);
    expect(await sees(mona, id)).toBe(true);
    await mona.complete(await mona.taskFor(id, 'task'), { note: 'done by the manager' });
    expect((await admin.finished(id)).status).toBe('completed');
  });

  it('never escalates a quorum vote', async () => {
    const id = await admin.start(
      await admin.define(taskFlow('tt-ladder-quorum', { quorum: { voters: { users: ['v1', 'v2', 'v3'] }, required: 2 }, slaHours: 200, escalations: ladder })),
    );
    const task = await parked(id);
    await at(task, 60 * HOUR);
    expect(ofType(await admin.history(id), 'task_escalated')).toHaveLength(0);
    expect(await sees(director(), id)).toBe(false);
  });

  it('keeps the single escalationRole working: escalated once at the deadline, seen by that role', async () => {
    const id = await admin.start(
      await admin.define(taskFlow('tt-single-role', { approverUserId: 'ursula', slaHours: 2, escalationRole: 'director' }, { def: { escalationEnabled: true } })),
    );
    const task = await parked(id);
    expect(await sees(director(), id)).toBe(false);
    await at(task, 2 * HOUR + 1000);
    await escalateDueOnce(h.rt);
    const history = await admin.history(id);
    expect(ofType(history, 'sla_breached')).toHaveLength(1);
    expect(ofType(history, 'task_escalated')).toHaveLength(1);
    expect(ofType(history, 'task_escalated')[0]?.details).toMatchObject({ escalationRole: 'director' });
    expect(await sees(director(), id)).toBe(true);
  });
});
