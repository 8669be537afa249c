/**
 * Business calendars through the real API, worker, Postgres and queue, on a test clock set to
 * fixed instants (nothing here sleeps for the engine): named calendars per tenant (working days
 * and hours in a time zone, public holidays of a country and region from date-holidays, extra
 * closed dates); a node or definition naming one counts slaHours, businessTime timer durations,
 * reminders, escalations and timeouts in working time; replacing a calendar recounts the open
 * deadlines that use it, each change recorded; an admin moves one task's deadline by hand, with a
 * reason, recorded. Calendars are tenant-scoped.
 *
 * The arithmetic asserted is the engine's (libs/engine/src/calendar): 24 working hours from
 * Friday 17:00 on a Mon–Fri 09–17 calendar are three 8-hour days, so Wednesday 17:00 (the issue's
 * text says Tuesday 17:00, which is 16 working hours).
 */
import { escalateDueOnce } from '@wf/runtime';
import { OffsetClock } from '@wf/runtime/testing';
import { TENANT_B, createHarness, type Harness } from '../../testing/engine-harness';
import type { HistoryItemView, InstanceView, UserClient } from '../../testing/user-client';

let h: Harness;
let admin: UserClient;
let adminB: UserClient;
const clock = new OffsetClock();

/** Friday 2026-12-04 17:00 in Berlin (CET, UTC+1). */
const FRI_17_BERLIN = '2026-12-04T16:00:00.000Z';

/** Moves the engine's clock so that it reads `iso` now (time flows on from there). */
function setNow(iso: string): void {
  clock.advance(Date.parse(iso) - clock.now().getTime());
}

/** `setNow(iso)`, then the due-wake sweep. */
async function sweepAt(iso: string): Promise<void> {
  setNow(iso);
  await escalateDueOnce(h.rt);
}

beforeAll(async () => {
  h = await createHarness({ clock, env: { WORKFLOW_ESCALATION_ENABLED: 'true' } });
  admin = h.as('cal-admin', ['admin']);
  adminB = h.as('cal-admin-b', ['admin'], TENANT_B);
});

afterAll(() => h.close());

const nineToFive = [{ start: '09:00', end: '17:00' }];
const weekdays = { mon: nineToFive, tue: nineToFive, wed: nineToFive, thu: nineToFive, fri: nineToFive };

/** A Mon–Fri 09–17 Europe/Berlin calendar body. */
const officeCalendar = (name: string, extra: Record<string, unknown> = {}) => ({ name, timeZone: 'Europe/Berlin', workingHours: weekdays, ...extra });

async function createCalendar(client: UserClient, body: Record<string, unknown>): Promise<void> {
  const res = await client.post('/api/calendars', body);
  if (res.status !== 201) throw new Error(`POST /api/calendars: ${res.status} ${JSON.stringify(res.body)}`);
}

const after = { id: 'after', nodeType: 'service_task', name: 'After', serviceType: 'set_context', serviceConfig: { values: { after: true } } };

/** One approval `task` (fields given), then `after`. */
function approvalFlow(name: string, task: Record<string, unknown>, def: Record<string, unknown> = {}) {
  return {
    name,
    ...def,
    nodes: [{ id: 'task', nodeType: 'approval', name: 'Decide', approverUserId: 'anna', ...task }, after],
    routes: [{ fromNodeId: 'task', toNodeId: 'after' }],
  };
}

/** One timer `wait` (fields given), then `after`. */
function timerFlow(name: string, timer: Record<string, unknown>, def: Record<string, unknown> = {}) {
  return {
    name,
    ...def,
    nodes: [{ id: 'wait', nodeType: 'timer', name: 'Wait', ...timer }, after],
    routes: [{ fromNodeId: 'wait', toNodeId: 'after' }],
  };
}

async function waitingNode(client: UserClient, id: string, nodeId: string) {
  const instance: InstanceView = await client.until(id, (i) => i.nodes.some((n) => n.nodeId === nodeId && n.status === 'waiting'), `${nodeId} to wait`);
  return instance.nodes.find((n) => n.nodeId === nodeId && n.status === 'waiting')!;
}

const ofType = async (id: string, eventType: string, client: UserClient = admin): Promise<HistoryItemView[]> =>
  (await client.history(id)).filter((e) => e.eventType === eventType);

/** Start `defId` at `iso` (engine time); its waiting execution at `nodeId`. */
async function startAt(iso: string, defId: string, nodeId: string, client: UserClient = admin) {
  setNow(iso);
  const id = await client.start(defId, {});
  return { id, node: await waitingNode(client, id, nodeId) };
}

describe('keeping calendars', () => {
  it('creates (201), reads, replaces (200, version + 1); only admins keep them, everyone in the tenant reads them', async () => {
    const created = await admin.post('/api/calendars', officeCalendar('office-crud', { holidays: { country: 'DE', region: 'BE' }, closedDates: ['2026-12-24'] }));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'office-crud', version: 1, recountedDeadlines: 0 });
    expect(created.headers['location']).toMatch(/\/api\/calendars\/office-crud$/);

    const clerk = h.as('carl', ['clerk']);
    const read = await clerk.get('/api/calendars/office-crud');
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ name: 'office-crud', version: 1, definition: { timeZone: 'Europe/Berlin', holidays: { country: 'DE', region: 'BE' }, closedDates: ['2026-12-24'] } });
    const list = await clerk.get('/api/calendars');
    expect(list.status).toBe(200);
    expect(list.body.items.map((c: { name: string }) => c.name)).toContain('office-crud');

    const refused = await clerk.post('/api/calendars', officeCalendar('clerk-cal'));
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('ADMIN_REQUIRED');
    expect((await clerk.get('/api/calendars/clerk-cal')).status).toBe(404);

    const replaced = await admin.post('/api/calendars', officeCalendar('office-crud', { closedDates: ['2026-12-24', '2026-12-31'] }));
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ name: 'office-crud', version: 2 });
    const put = await h.http().put('/api/calendars/office-crud').set('Authorization', `Bearer ${admin.token}`).send(officeCalendar('office-crud'));
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ name: 'office-crud', version: 3 });
    expect((await clerk.get('/api/calendars/office-crud')).body.version).toBe(3);
  });

  it('refuses a calendar with problems, naming each one at its path (400 INVALID_CALENDAR)', async () => {
    const res = await admin.post('/api/calendars', {
      name: 'broken',
      timeZone: 'Mars/Olympus_Mons',
      workingHours: { mon: [{ start: '17:00', end: '09:00' }], fri: [{ start: '9am', end: '17:00' }] },
      holidays: { country: 'XX' },
      closedDates: ['2026-02-30'],
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_CALENDAR');
    const paths = (res.body.error.details as { path: string }[]).map((d) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['timeZone', 'workingHours.mon[0].end', 'workingHours.fri[0].start', 'holidays.country', 'closedDates[0]']));
    const region = await admin.post('/api/calendars', officeCalendar('bad-region', { holidays: { country: 'DE', region: 'ZZ' } }));
    expect(region.status).toBe(400);
    expect(region.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'holidays.region' })]));
    expect((await admin.get('/api/calendars/broken')).status).toBe(404);
  });

  it('keeps each tenant\'s calendars its own: another tenant cannot read them, and has its own of the same name', async () => {
    await createCalendar(admin, officeCalendar('tenant-cal'));
    expect((await adminB.get('/api/calendars/tenant-cal')).status).toBe(404);
    expect((await adminB.get('/api/calendars')).body.items.map((c: { name: string }) => c.name)).not.toContain('tenant-cal');

    // B's calendar of the same name: mornings only
    const morning = [{ start: '08:00', end: '12:00' }];
    const mine = await adminB.post('/api/calendars', { name: 'tenant-cal', timeZone: 'Europe/Berlin', workingHours: { mon: morning, tue: morning, wed: morning, thu: morning, fri: morning } });
    expect(mine.status).toBe(201);
    expect(mine.body.version).toBe(1);
    expect((await admin.get('/api/calendars/tenant-cal')).body.definition.workingHours.mon).toEqual(nineToFive);

    // the same definition in each tenant counts in that tenant's calendar
    const defA = await admin.define(approvalFlow('cal-tenant-sla', { slaHours: 8, calendar: 'tenant-cal' }));
    const defB = await adminB.define(approvalFlow('cal-tenant-sla', { slaHours: 8, calendar: 'tenant-cal' }));
    const a = await startAt(FRI_17_BERLIN, defA, 'task');
    const b = await startAt(FRI_17_BERLIN, defB, 'task', adminB);
    expect(a.node.slaDeadline).toBe('2026-12-07T16:00:00.000Z'); // Monday 17:00
    expect(b.node.slaDeadline).toBe('2026-12-08T11:00:00.000Z'); // Tuesday 12:00
  });

  it('fails the node (CALENDAR_NOT_FOUND) of a definition in another tenant naming a calendar it does not have', async () => {
    await createCalendar(admin, officeCalendar('only-in-a'));
    const defB = await adminB.define(approvalFlow('cal-foreign', { slaHours: 8, calendar: 'only-in-a' }));
    const id = await adminB.start(defB, {});
    const failed = await adminB.finished(id);
    expect(failed.status).toBe('failed');
    expect(failed.nodes.find((n) => n.nodeId === 'task')?.error?.code).toBe('CALENDAR_NOT_FOUND');
    // the same in A works
    const defA = await admin.define(approvalFlow('cal-foreign', { slaHours: 8, calendar: 'only-in-a' }));
    expect((await startAt(FRI_17_BERLIN, defA, 'task')).node.slaDeadline).toBe('2026-12-07T16:00:00.000Z');
  });
});

describe('counting in working time', () => {
  beforeAll(async () => {
    await createCalendar(admin, officeCalendar('office'));
  });

  it('counts slaHours in working hours: 24 from Friday 17:00 on Mon–Fri 09–17 end Wednesday 17:00, and the breach comes then', async () => {
    const defId = await admin.define(approvalFlow('cal-sla-24', { slaHours: 24, calendar: 'office' }));
    const { id, node } = await startAt(FRI_17_BERLIN, defId, 'task');
    // Wednesday 2026-12-09 17:00 in Berlin
    expect(node.slaDeadline).toBe('2026-12-09T16:00:00.000Z');
    expect((await admin.task(node.id)).slaDeadline).toBe('2026-12-09T16:00:00.000Z');
    expect((await ofType(id, 'task_created'))[0]?.details['slaDeadline']).toBe('2026-12-09T16:00:00.000Z');

    // 24 wall-clock hours later is Saturday: nothing is breached
    await sweepAt('2026-12-05T16:00:01.000Z');
    await sweepAt('2026-12-09T15:59:00.000Z');
    expect(await ofType(id, 'sla_breached')).toHaveLength(0);
    await sweepAt('2026-12-09T16:00:01.000Z');
    await escalateDueOnce(h.rt);
    expect(await ofType(id, 'sla_breached')).toHaveLength(1);
  });

  it('uses the definition\'s calendar for a node that names none, and a node\'s own over it', async () => {
    await createCalendar(admin, { name: 'every-day', timeZone: 'UTC', workingHours: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [{ start: '00:00', end: '24:00' }]])) });
    const inherited = await admin.define(approvalFlow('cal-inherited', { slaHours: 8 }, { calendar: 'office' }));
    const own = await admin.define(approvalFlow('cal-own', { slaHours: 8, calendar: 'every-day' }, { calendar: 'office' }));
    expect((await startAt(FRI_17_BERLIN, inherited, 'task')).node.slaDeadline).toBe('2026-12-07T16:00:00.000Z');
    // open around the clock: eight hours on from the start, Saturday 01:00 in Berlin
    const ownNode = (await startAt(FRI_17_BERLIN, own, 'task')).node;
    expect(Date.parse(ownNode.slaDeadline!) - Date.parse(ownNode.startedAt!)).toBe(8 * 3_600_000);
  });

  it('closes the public holidays of the calendar\'s country and region, and its extra closed dates', async () => {
    await createCalendar(admin, officeCalendar('office-by', { holidays: { country: 'DE', region: 'BY' } }));
    await createCalendar(admin, officeCalendar('office-be', { holidays: { country: 'DE', region: 'BE' } }));
    await createCalendar(admin, officeCalendar('office-xmas', { holidays: { country: 'DE' }, closedDates: ['2026-12-24'] }));
    await createCalendar(admin, officeCalendar('office-de', { holidays: { country: 'DE' } }));
    const by = await admin.define(approvalFlow('cal-by', { slaHours: 8, calendar: 'office-by' }));
    const be = await admin.define(approvalFlow('cal-be', { slaHours: 8, calendar: 'office-be' }));
    // Tuesday 2027-01-05 17:00: Epiphany (Wednesday 6 January) is a holiday in Bavaria, not in Berlin
    expect((await startAt('2027-01-05T16:00:00.000Z', by, 'task')).node.slaDeadline).toBe('2027-01-07T16:00:00.000Z');
    expect((await startAt('2027-01-05T16:00:00.000Z', be, 'task')).node.slaDeadline).toBe('2027-01-06T16:00:00.000Z');

    // Wednesday 2026-12-23 before opening, 16 working hours: the 24th is closed by the tenant, 25th/26th are holidays
    const xmas = await admin.define(approvalFlow('cal-xmas', { slaHours: 16, calendar: 'office-xmas' }));
    const de = await admin.define(approvalFlow('cal-de', { slaHours: 16, calendar: 'office-de' }));
    expect((await startAt('2026-12-23T06:00:00.000Z', xmas, 'task')).node.slaDeadline).toBe('2026-12-28T16:00:00.000Z');
    // without the closed date, Christmas Eve (a bank holiday in date-holidays, not a public one) is a working day
    expect((await startAt('2026-12-23T06:00:00.000Z', de, 'task')).node.slaDeadline).toBe('2026-12-24T16:00:00.000Z');
  });

  it('counts a businessTime timer in working time; a timer without businessTime in wall time', async () => {
    const business = await admin.define(timerFlow('cal-timer-business', { duration: 'PT8H', businessTime: true }, { calendar: 'office' }));
    const wall = await admin.define(timerFlow('cal-timer-wall', { duration: 'PT8H' }, { calendar: 'office' }));
    const b = await startAt(FRI_17_BERLIN, business, 'wait');
    const w = await startAt(FRI_17_BERLIN, wall, 'wait');
    expect(b.node.wait!.dueAt).toBe('2026-12-07T16:00:00.000Z'); // Monday 17:00
    expect(Date.parse(w.node.wait!.dueAt!) - Date.parse(w.node.startedAt!)).toBe(8 * 3_600_000);

    await sweepAt('2026-12-07T15:59:00.000Z');
    expect((await admin.instance(b.id)).status).toBe('running');
    expect((await admin.finished(w.id)).status).toBe('completed');
    await sweepAt('2026-12-07T16:00:01.000Z');
    expect((await admin.finished(b.id)).status).toBe('completed');
    expect(await ofType(b.id, 'timer_fired')).toHaveLength(1);
  });

  it('counts reminders and escalation levels in working time', async () => {
    const defId = await admin.define(approvalFlow('cal-reminders', {
      slaHours: 200,
      calendar: 'office',
      reminders: [{ after: 'PT4H' }],
      escalations: [{ after: 'PT8H', toRole: 'manager' }],
    }));
    const { id, node } = await startAt(FRI_17_BERLIN, defId, 'task');
    // Monday 13:00 in Berlin: the reminder is the first thing to wake for
    expect(node.wait!.wakeAt).toBe('2026-12-07T12:00:00.000Z');
    const manager = h.as('mia', ['manager']);
    await sweepAt('2026-12-06T12:00:00.000Z');
    await sweepAt('2026-12-07T11:59:00.000Z');
    expect(await ofType(id, 'task_reminder')).toHaveLength(0);
    await sweepAt('2026-12-07T12:00:01.000Z');
    expect(await ofType(id, 'task_reminder')).toHaveLength(1);
    expect(await ofType(id, 'task_escalated')).toHaveLength(0);
    await sweepAt('2026-12-07T15:59:00.000Z');
    expect(await ofType(id, 'task_escalated')).toHaveLength(0);
    expect((await manager.tasks()).some((t) => t.instanceId === id)).toBe(false);
    await sweepAt('2026-12-07T16:00:01.000Z');
    expect((await ofType(id, 'task_escalated')).map((e) => e.details['level'])).toEqual([1]);
    expect((await manager.tasks()).some((t) => t.instanceId === id)).toBe(true);
  });

  it('counts a receive node\'s timeout in working time', async () => {
    const defId = await admin.define({
      name: 'cal-receive-timeout',
      calendar: 'office',
      nodes: [
        { id: 'pay', nodeType: 'receive', name: 'Pay', messageName: 'cal_paid', correlationKey: 'context.ref', timeout: { after: 'PT2H' } },
        after,
        { id: 'late', nodeType: 'service_task', name: 'Late', serviceType: 'set_context', serviceConfig: { values: { late: true } } },
      ],
      routes: [
        { fromNodeId: 'pay', toNodeId: 'after' },
        { fromNodeId: 'pay', toNodeId: 'late', condition: 'timeout' },
      ],
    });
    setNow(FRI_17_BERLIN);
    const id = await admin.start(defId, { ref: 'R-1' });
    const node = await waitingNode(admin, id, 'pay');
    // Monday 11:00 in Berlin
    expect(node.wait!.wakeAt).toBe('2026-12-07T10:00:00.000Z');
    await sweepAt('2026-12-07T09:59:00.000Z');
    expect((await admin.instance(id)).status).toBe('running');
    await sweepAt('2026-12-07T10:00:01.000Z');
    expect((await admin.finished(id)).contextData).toEqual({ ref: 'R-1', late: true });
  });

  it('refuses at save years or months in working time', async () => {
    const res = await admin.post('/api/definitions', approvalFlow('cal-months', { calendar: 'office', reminders: [{ after: 'P1M' }] }));
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'nodes[0].reminders[0].after' })]));
  });
});

describe('deadlines that move', () => {
  it('recounts the open deadlines that use a calendar when it changes, each recorded with old and new', async () => {
    await createCalendar(admin, officeCalendar('office-recount'));
    await createCalendar(admin, officeCalendar('office-untouched'));
    const taskDef = await admin.define(approvalFlow('cal-recount-task', { slaHours: 24, escalations: [{ after: 'PT8H', toRole: 'manager' }] }, { calendar: 'office-recount' }));
    const timerDef = await admin.define(timerFlow('cal-recount-timer', { duration: 'PT8H', businessTime: true }, { calendar: 'office-recount' }));
    const otherDef = await admin.define(approvalFlow('cal-recount-other', { slaHours: 24 }, { calendar: 'office-untouched' }));
    const task = await startAt(FRI_17_BERLIN, taskDef, 'task');
    const decided = await startAt(FRI_17_BERLIN, taskDef, 'task');
    const timer = await startAt(FRI_17_BERLIN, timerDef, 'wait');
    const other = await startAt(FRI_17_BERLIN, otherDef, 'task');
    expect(task.node.slaDeadline).toBe('2026-12-09T16:00:00.000Z');
    expect(timer.node.wait!.dueAt).toBe('2026-12-07T16:00:00.000Z');
    const anna = h.as('anna', []);
    await anna.approve(await anna.taskFor(decided.id, 'task'));
    await admin.finished(decided.id);

    // Monday 7 December closes
    const changed = await admin.post('/api/calendars', officeCalendar('office-recount', { closedDates: ['2026-12-07'] }));
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ version: 2, recountedDeadlines: 2 });

    expect((await admin.task(task.node.id)).slaDeadline).toBe('2026-12-10T16:00:00.000Z'); // Thursday 17:00
    const moved = await ofType(task.id, 'deadline_changed');
    expect(moved).toHaveLength(1);
    expect(moved[0]?.details).toMatchObject({
      cause: 'calendar_changed',
      oldDeadline: '2026-12-09T16:00:00.000Z',
      newDeadline: '2026-12-10T16:00:00.000Z',
      calendar: 'office-recount',
      calendarVersion: 2,
    });
    const timerNow = await waitingNode(admin, timer.id, 'wait');
    expect(timerNow.wait!.dueAt).toBe('2026-12-08T16:00:00.000Z'); // Tuesday 17:00
    expect((await ofType(timer.id, 'deadline_changed'))[0]?.details).toMatchObject({
      cause: 'calendar_changed',
      oldDeadline: '2026-12-07T16:00:00.000Z',
      newDeadline: '2026-12-08T16:00:00.000Z',
    });
    expect(await ofType(decided.id, 'deadline_changed')).toHaveLength(0);
    expect(await ofType(other.id, 'deadline_changed')).toHaveLength(0);
    expect((await admin.task(other.node.id)).slaDeadline).toBe('2026-12-09T16:00:00.000Z');

    // the waits wake at the new times: the ladder level (8 working hours) moves to Tuesday 17:00 too
    await sweepAt('2026-12-07T16:00:01.000Z');
    expect((await admin.instance(timer.id)).status).toBe('running');
    expect(await ofType(task.id, 'task_escalated')).toHaveLength(0);
    await sweepAt('2026-12-08T16:00:01.000Z');
    expect((await admin.finished(timer.id)).status).toBe('completed');
    expect(await ofType(task.id, 'task_escalated')).toHaveLength(1);
    await sweepAt('2026-12-09T16:00:01.000Z');
    expect(await ofType(task.id, 'sla_breached')).toHaveLength(0);
    await sweepAt('2026-12-10T16:00:01.000Z');
    expect(await ofType(task.id, 'sla_breached')).toHaveLength(1);

    // a change that moves no open deadline records nothing
    const unchanged = await admin.post('/api/calendars', officeCalendar('office-recount', { closedDates: ['2026-12-07', '2027-06-01'] }));
    expect(unchanged.body).toMatchObject({ version: 3, recountedDeadlines: 0 });
    expect(await ofType(task.id, 'deadline_changed')).toHaveLength(1);
  });

  it('recounts a receive node\'s working-time timeout when its calendar changes, recorded like a deadline', async () => {
    await createCalendar(admin, officeCalendar('office-receive'));
    const defId = await admin.define({
      name: 'cal-recount-receive',
      calendar: 'office-receive',
      nodes: [
        { id: 'pay', nodeType: 'receive', name: 'Pay', messageName: 'cal_paid_2', correlationKey: 'context.ref', timeout: { after: 'PT2H' } },
        after,
        { id: 'late', nodeType: 'service_task', name: 'Late', serviceType: 'set_context', serviceConfig: { values: { late: true } } },
      ],
      routes: [
        { fromNodeId: 'pay', toNodeId: 'after' },
        { fromNodeId: 'pay', toNodeId: 'late', condition: 'timeout' },
      ],
    });
    setNow(FRI_17_BERLIN);
    const id = await admin.start(defId, { ref: 'R-2' });
    expect((await waitingNode(admin, id, 'pay')).wait!.wakeAt).toBe('2026-12-07T10:00:00.000Z'); // Monday 11:00
    const changed = await admin.post('/api/calendars', officeCalendar('office-receive', { closedDates: ['2026-12-07'] }));
    expect(changed.status).toBe(200);
    expect(changed.body.recountedDeadlines).toBe(1);
    expect((await waitingNode(admin, id, 'pay')).wait!.wakeAt).toBe('2026-12-08T10:00:00.000Z'); // Tuesday 11:00
    expect((await ofType(id, 'deadline_changed'))[0]?.details).toMatchObject({
      cause: 'calendar_changed',
      oldDeadline: '2026-12-07T10:00:00.000Z',
      newDeadline: '2026-12-08T10:00:00.000Z',
    });
    await sweepAt('2026-12-07T10:00:01.000Z');
    expect((await admin.instance(id)).status).toBe('running');
    await sweepAt('2026-12-08T10:00:01.000Z');
    expect((await admin.finished(id)).contextData).toEqual({ ref: 'R-2', late: true });
  });

  it('lets an admin move one task\'s deadline by hand, with a reason, recorded; the breach comes at the new deadline', async () => {
    const defId = await admin.define(approvalFlow('cal-manual', { slaHours: 48 }));
    setNow('2027-02-01T10:00:00.000Z');
    const id = await admin.start(defId, {});
    const node = await waitingNode(admin, id, 'task');
    const oldDeadline = node.slaDeadline!;
    const anna = h.as('anna', []);
    const newDeadline = '2027-02-01T14:00:00.000Z';

    const notAdmin = await anna.post(`/api/tasks/${node.id}/deadline`, { slaDeadline: newDeadline, reason: 'I want more time' });
    expect(notAdmin.status).toBe(403);
    const noReason = await admin.post(`/api/tasks/${node.id}/deadline`, { slaDeadline: newDeadline, reason: '' });
    expect(noReason.status).toBe(400);
    expect((await admin.task(node.id)).slaDeadline).toBe(oldDeadline);

    const moved = await admin.post(`/api/tasks/${node.id}/deadline`, { slaDeadline: newDeadline, reason: 'customer escalated by phone' });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ taskId: node.id, slaDeadline: newDeadline });
    const changes = await ofType(id, 'deadline_changed');
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ actorUserId: 'cal-admin' });
    expect(changes[0]?.details).toMatchObject({ cause: 'manual', reason: 'customer escalated by phone', oldDeadline, newDeadline });
    expect((await waitingNode(admin, id, 'task')).wait!.wakeAt).toBe(newDeadline);

    await sweepAt('2027-02-01T13:59:00.000Z');
    expect(await ofType(id, 'sla_breached')).toHaveLength(0);
    await sweepAt('2027-02-01T14:00:01.000Z');
    const breached = await ofType(id, 'sla_breached');
    expect(breached).toHaveLength(1);
    expect(breached[0]?.details['slaDeadline']).toBe(newDeadline);

    // a decided task's deadline no longer moves
    await anna.approve(await anna.taskFor(id, 'task'));
    await admin.finished(id);
    const late = await admin.post(`/api/tasks/${node.id}/deadline`, { slaDeadline: '2027-03-01T00:00:00.000Z', reason: 'too late' });
    expect([400, 409]).toContain(late.status);
    expect(await ofType(id, 'deadline_changed')).toHaveLength(1);
  });
});
