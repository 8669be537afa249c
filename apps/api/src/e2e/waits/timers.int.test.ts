/**
 * Timer nodes through the real API, worker, Postgres and queue, on a test clock (nothing here
 * sleeps for the engine): an ISO-8601 duration (read in the node's time zone), a date a CEL
 * expression gives, the next time of a cron expression in a time zone; a timer in the past fires
 * at once; GET /api/instances/:id shows when it is due; each fires exactly once, whether the sweep,
 * its delayed job or both come, and also when it fell due while every worker was down. Cancel,
 * retry and the step limit behave as for other nodes.
 */
import { escalateTask } from '@wf/engine';
import { escalateDueOnce, scheduleUpcomingSlaChecksOnce } from '@wf/runtime';
import { OffsetClock } from '@wf/runtime/testing';
import { TENANT_A, createHarness, type Harness } from '../../testing/engine-harness';
import type { InstanceView, UserClient } from '../../testing/user-client';

const HOUR = 3_600_000;
const MAX_STEPS = 30;
let h: Harness;
let admin: UserClient;
const clock = new OffsetClock();

/** Moves the engine's clock so that it reads `iso` now (time flows on from there). */
function setNow(iso: string): void {
  clock.advance(Date.parse(iso) - clock.now().getTime());
}

beforeAll(async () => {
  h = await createHarness({ clock, env: { WORKFLOW_MAX_STEPS_PER_INSTANCE: String(MAX_STEPS) } });
  admin = h.as('timer-admin', ['admin']);
});

afterAll(() => h.close());

const done = { id: 'done', nodeType: 'service_task', name: 'Done', serviceType: 'set_context', serviceConfig: { values: { waited: true } } };

/** A timer `wait` (with `timer`'s fields), then `done`. */
const timerFlow = (name: string, timer: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  name,
  ...extra,
  nodes: [{ id: 'wait', nodeType: 'timer', name: 'Wait', ...timer }, done],
  routes: [{ fromNodeId: 'wait', toNodeId: 'done' }],
});

function nodeOf(instance: InstanceView, nodeId: string) {
  const node = instance.nodes.find((n) => n.nodeId === nodeId);
  if (!node) throw new Error(`no execution of ${nodeId} in ${JSON.stringify(instance.nodes.map((n) => n.nodeId))}`);
  return node;
}

async function waitingAt(id: string, nodeId = 'wait') {
  const instance = await admin.until(id, (i) => i.nodes.some((n) => n.nodeId === nodeId && n.status === 'waiting'), `${nodeId} to wait`);
  return nodeOf(instance, nodeId);
}

async function count(id: string, eventType: string): Promise<number> {
  return (await admin.events(id)).filter((e) => e === eventType).length;
}

/** The wait's due time less when it began, in ms. */
function waitLength(node: { startedAt: string | null; wait: { dueAt: string | null } | null }): number {
  return Date.parse(node.wait!.dueAt!) - Date.parse(node.startedAt!);
}

describe('what a timer waits for', () => {
  it('waits for an ISO-8601 duration, shows its due time, fires once when it comes and not before', async () => {
    const id = await admin.start(await admin.define(timerFlow('t-pt2h', { duration: 'PT2H' })), { n: 1 });
    const node = await waitingAt(id);
    expect(node.wait).toMatchObject({ waitingFor: 'timer', messageName: null, correlationKey: null, callbackUrl: null });
    expect(waitLength(node)).toBe(2 * HOUR);
    expect(node.wait!.wakeAt).toBe(node.wait!.dueAt);
    const history = await admin.history(id);
    expect(history.find((e) => e.eventType === 'timer_started')?.details).toMatchObject({ nodeId: 'wait', dueAt: node.wait!.dueAt });

    clock.advance(Date.parse(node.wait!.dueAt!) - clock.now().getTime() - 60_000);
    await escalateDueOnce(h.rt);
    expect(await count(id, 'timer_fired')).toBe(0);
    expect((await admin.instance(id)).status).toBe('running');

    clock.advance(61_000);
    await escalateDueOnce(h.rt);
    await escalateDueOnce(h.rt);
    const finished = await admin.finished(id);
    expect(finished.status).toBe('completed');
    expect(finished.contextData).toEqual({ n: 1, waited: true });
    expect(nodeOf(finished, 'wait').wait).toBeNull();
    expect(await count(id, 'timer_fired')).toBe(1);
    expect(finished.nodes.filter((n) => n.nodeId === 'done')).toHaveLength(1);
  });

  it('reads P3D as three days, and a day in the node\'s time zone across a DST change as 23 hours', async () => {
    const p3d = await admin.start(await admin.define(timerFlow('t-p3d', { duration: 'P3D' })));
    expect(waitLength(await waitingAt(p3d))).toBe(72 * HOUR);

    // Europe/Berlin moves to summer time on Sunday 2027-03-28 at 02:00
    setNow('2027-03-27T11:00:00.000Z');
    const wallDay = await admin.start(await admin.define(timerFlow('t-p1d-berlin', { duration: 'P1D', timezone: 'Europe/Berlin' })));
    const fixedDay = await admin.start(await admin.define(timerFlow('t-pt24h-berlin', { duration: 'PT24H', timezone: 'Europe/Berlin' })));
    const utcDay = await admin.start(await admin.define(timerFlow('t-p1d-utc', { duration: 'P1D' })));
    const wall = await waitingAt(wallDay);
    expect(waitLength(wall)).toBe(23 * HOUR);
    // the same local time of day on the next day
    expect(new Date(wall.wait!.dueAt!).toLocaleTimeString('en-GB', { timeZone: 'Europe/Berlin' })).toBe(
      new Date(wall.startedAt!).toLocaleTimeString('en-GB', { timeZone: 'Europe/Berlin' }),
    );
    expect(waitLength(await waitingAt(fixedDay))).toBe(24 * HOUR);
    expect(waitLength(await waitingAt(utcDay))).toBe(24 * HOUR);
  });

  it('waits until the date a CEL expression over the context gives: an ISO string, epoch milliseconds, a timestamp sum', async () => {
    const at = new Date(clock.now().getTime() + 5 * HOUR).toISOString();
    const byString = await admin.start(await admin.define(timerFlow('t-until-iso', { until: 'context.remindAt' })), { remindAt: at });
    expect((await waitingAt(byString)).wait!.dueAt).toBe(at);

    const ms = clock.now().getTime() + 7 * HOUR;
    const byMs = await admin.start(await admin.define(timerFlow('t-until-ms', { until: 'context.remindAtMs' })), { remindAtMs: ms });
    expect((await waitingAt(byMs)).wait!.dueAt).toBe(new Date(ms).toISOString());

    const orderedAt = new Date(clock.now().getTime() - HOUR).toISOString();
    const bySum = await admin.start(
      await admin.define(timerFlow('t-until-sum', { until: "timestamp(context.orderedAt) + duration('48h')" })),
      { orderedAt },
    );
    const sumNode = await waitingAt(bySum);
    expect(sumNode.wait!.dueAt).toBe(new Date(Date.parse(orderedAt) + 48 * HOUR).toISOString());

    clock.advance(Date.parse(at) - clock.now().getTime() + 1000);
    await escalateDueOnce(h.rt);
    expect((await admin.finished(byString)).status).toBe('completed');
    expect((await admin.instance(byMs)).status).toBe('running');
    expect(await count(byMs, 'timer_fired')).toBe(0);
  });

  it('fires at once, without any sweep, when its time is now or past', async () => {
    const past = await admin.start(await admin.define(timerFlow('t-until-past', { until: 'context.at' })), { at: '2001-01-01T00:00:00Z' });
    const zero = await admin.start(await admin.define(timerFlow('t-pt0s', { duration: 'PT0S' })));
    for (const id of [past, zero]) {
      const finished = await admin.finished(id);
      expect(finished.status).toBe('completed');
      expect(finished.contextData).toMatchObject({ waited: true });
      const events = await admin.events(id);
      expect(events.filter((e) => e === 'timer_fired')).toHaveLength(1);
      expect(events.indexOf('timer_started')).toBeLessThan(events.indexOf('timer_fired'));
    }
  });

  it('fails the node, with a clear code, when the until expression gives no date', async () => {
    const id = await admin.start(await admin.define(timerFlow('t-until-bad', { until: 'context.when' })), { when: 'next tuesday-ish' });
    const failed = await admin.finished(id);
    expect(failed.status).toBe('failed');
    expect(nodeOf(failed, 'wait').error?.code).toBe('TIMER_INVALID_DATE');
  });

  it('waits for the next time of a cron expression in its time zone (UTC by default)', async () => {
    // Friday 2026-12-04 17:00 in Berlin (CET, UTC+1)
    setNow('2026-12-04T16:00:00.000Z');
    const berlin = await admin.start(await admin.define(timerFlow('t-cron-berlin', { cron: '0 9 * * MON', timezone: 'Europe/Berlin' })));
    const utc = await admin.start(await admin.define(timerFlow('t-cron-utc', { cron: '0 9 * * MON' })));
    expect((await waitingAt(berlin)).wait!.dueAt).toBe('2026-12-07T08:00:00.000Z');
    expect((await waitingAt(utc)).wait!.dueAt).toBe('2026-12-07T09:00:00.000Z');

    setNow('2026-12-07T08:00:01.000Z');
    await escalateDueOnce(h.rt);
    await escalateDueOnce(h.rt);
    expect((await admin.finished(berlin)).status).toBe('completed');
    expect(await count(berlin, 'timer_fired')).toBe(1);
    expect((await admin.instance(utc)).status).toBe('running');
    setNow('2026-12-07T09:00:01.000Z');
    await escalateDueOnce(h.rt);
    expect((await admin.finished(utc)).status).toBe('completed');
    expect(await count(utc, 'timer_fired')).toBe(1);
  });

  it('refuses at save a duration that does not parse, and a timer with two kinds of wait', async () => {
    const bad = await admin.post('/api/definitions', timerFlow('t-bad-duration', { duration: 'PT2X' }));
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('INVALID_DEFINITION');
    expect(bad.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'nodes[0].duration' })]));
    const both = await admin.post('/api/definitions', timerFlow('t-two-waits', { duration: 'PT1H', cron: '0 9 * * *' }));
    expect(both.status).toBe(400);
    const none = await admin.post('/api/definitions', timerFlow('t-no-wait', {}));
    expect(none.status).toBe(400);
  });
});

describe('exactly once', () => {
  it('fires through its delayed job, without a sweep, once; the sweep and the delayed check coming again change nothing', async () => {
    const id = await admin.start(await admin.define(timerFlow('t-delayed-job', { duration: 'PT1H' })));
    const node = await waitingAt(id);
    // 1.5 s before the due time on the engine's clock: within the delayed-job horizon
    clock.advance(Date.parse(node.wait!.dueAt!) - clock.now().getTime() - 1500);
    await scheduleUpcomingSlaChecksOnce(h.rt);
    const finished = await admin.finished(id);
    expect(finished.status).toBe('completed');
    await escalateDueOnce(h.rt);
    expect(await escalateTask(h.rt.ports, { tenantId: TENANT_A, instanceId: id, executionId: node.id })).toBe(false);
    expect(await count(id, 'timer_fired')).toBe(1);
    expect((await admin.instance(id)).nodes.filter((n) => n.nodeId === 'done')).toHaveLength(1);
  });

  it('fires once a timer that fell due while every worker was down, and the next step runs once when one comes back', async () => {
    const id = await admin.start(await admin.define(timerFlow('t-workers-down', { duration: 'PT2H' })));
    const node = await waitingAt(id);
    await h.stopWorker();
    try {
      clock.advance(2 * HOUR + 1000);
      await escalateDueOnce(h.rt);
      await escalateDueOnce(h.rt);
      expect(await escalateTask(h.rt.ports, { tenantId: TENANT_A, instanceId: id, executionId: node.id })).toBe(false);
      const fired = await admin.instance(id);
      expect(fired.status).toBe('running');
      expect(nodeOf(fired, 'wait').status).toBe('completed');
      expect(await count(id, 'timer_fired')).toBe(1);
    } finally {
      h.startWorker();
    }
    const finished = await admin.finished(id);
    expect(finished.status).toBe('completed');
    expect(finished.nodes.filter((n) => n.nodeId === 'done')).toHaveLength(1);
    await escalateDueOnce(h.rt);
    expect(await count(id, 'timer_fired')).toBe(1);
    const doneCompleted = (await admin.history(id)).filter((e) => e.eventType === 'node_completed' && e.details['nodeId'] === 'done');
    expect(doneCompleted).toHaveLength(1);
  });
});

describe('cancel, retry and the step limit', () => {
  it('cancels a waiting timer: it never fires afterwards', async () => {
    const id = await admin.start(await admin.define(timerFlow('t-cancel', { duration: 'PT2H' })));
    const node = await waitingAt(id);
    const cancelled = await admin.post(`/api/instances/${id}/cancel`, { reason: 'no longer needed' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    clock.advance(3 * HOUR);
    await escalateDueOnce(h.rt);
    expect(await escalateTask(h.rt.ports, { tenantId: TENANT_A, instanceId: id, executionId: node.id })).toBe(false);
    const after = await admin.instance(id);
    expect(after.status).toBe('cancelled');
    expect(nodeOf(after, 'wait').status).not.toBe('waiting');
    expect(nodeOf(after, 'wait').wait).toBeNull();
    expect(after.nodes.some((n) => n.nodeId === 'done')).toBe(false);
    expect(await count(id, 'timer_fired')).toBe(0);
  });

  it('retries a timer that failed (its calendar did not exist yet): it then waits and fires as any timer', async () => {
    // Friday 2026-12-04 17:00 in Berlin: eight working hours on Mon–Fri 09–17 end Monday 17:00
    setNow('2026-12-04T16:00:00.000Z');
    const id = await admin.start(await admin.define(timerFlow('t-retry', { duration: 'PT8H', businessTime: true, calendar: 'timer-retry-cal' })));
    const failed = await admin.finished(id);
    expect(failed.status).toBe('failed');
    expect(nodeOf(failed, 'wait').error?.code).toBe('CALENDAR_NOT_FOUND');

    const weekday = [{ start: '09:00', end: '17:00' }];
    const cal = await admin.post('/api/calendars', {
      name: 'timer-retry-cal',
      timeZone: 'Europe/Berlin',
      workingHours: { mon: weekday, tue: weekday, wed: weekday, thu: weekday, fri: weekday },
    });
    expect(cal.status).toBe(201);
    const retried = await admin.post(`/api/instances/${id}/retry`, {});
    expect(retried.status).toBe(200);
    const waiting = await admin.until(id, (i) => i.status === 'running' && i.nodes.some((n) => n.nodeId === 'wait' && n.status === 'waiting'), 'the retried timer to wait');
    const node = waiting.nodes.find((n) => n.nodeId === 'wait' && n.status === 'waiting')!;
    expect(node.wait!.dueAt).toBe('2026-12-07T16:00:00.000Z');
    setNow('2026-12-07T16:00:01.000Z');
    await escalateDueOnce(h.rt);
    const finished = await admin.finished(id);
    expect(finished.status).toBe('completed');
    expect(await count(id, 'timer_fired')).toBe(1);
  });

  it('counts a timer loop against the step limit like any other loop', async () => {
    const defId = await admin.define({
      name: 't-loop',
      startNodeId: 'tick',
      nodes: [
        { id: 'tick', nodeType: 'timer', name: 'Tick', until: 'context.at' },
        { id: 'again', nodeType: 'gateway', name: 'Again?', gatewayType: 'exclusive', conditionExpression: 'true' },
      ],
      routes: [
        { fromNodeId: 'tick', toNodeId: 'again' },
        { fromNodeId: 'again', toNodeId: 'tick', condition: 'true' },
      ],
    });
    const id = await admin.start(defId, { at: '2001-01-01T00:00:00Z' });
    const stopped = await admin.finished(id);
    expect(stopped.status).toBe('failed');
    expect(stopped.nodes.at(-1)?.error?.code).toBe('STEP_LIMIT_EXCEEDED');
    expect(stopped.nodes.length).toBeLessThanOrEqual(MAX_STEPS + 1);
  });
});
