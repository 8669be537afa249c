/**
 * Waits (issue 17) over GraphQL, against a live engine on a test clock: timer and receive nodes
 * defined through `createWorkflowDefinition`, what each execution waits for (`wait`), a timer
 * firing, `sendMessage` resuming a receiver (buffered, duplicate, refused), `rotateCallback`
 * replacing a callback URL, business calendars (`putCalendar`, `calendars`, `calendar`) with a
 * replacement recounting a task's deadline, and `moveTaskDeadline`. The codes are REST's.
 */
import { escalateDueOnce } from '@wf/runtime';
import { OffsetClock } from '@wf/runtime/testing';
import { createHarness, eventually, type Harness } from '../../testing/engine-harness';
import { dataOf, errorOf, graphqlApp, type GraphqlApp } from './graphql-test-kit';

const HOUR = 3_600_000;
let h: Harness;
let gql: GraphqlApp;
let admin: string;
const clock = new OffsetClock();

beforeAll(async () => {
  h = await createHarness({ clock });
  gql = graphqlApp(h);
  admin = h.token('wendy-admin', ['admin', 'approver']);
});

afterAll(async () => {
  await gql?.close();
  await h?.close();
});

const run = <D = Record<string, unknown>>(token: string, query: string, variables?: Record<string, unknown>) => gql.run<D>(token, query, variables);
const ok = async <D = Record<string, unknown>>(token: string, query: string, variables?: Record<string, unknown>) => dataOf(await run<D>(token, query, variables));

async function define(input: Record<string, unknown>): Promise<string> {
  const d = await ok<{ createWorkflowDefinition: { id: string } }>(admin, 'mutation($input: WorkflowDefinitionInput!) { createWorkflowDefinition(input: $input) { id } }', { input });
  return d.createWorkflowDefinition.id;
}

async function start(workflowDefinitionId: string, contextData: Record<string, unknown> = {}): Promise<string> {
  const d = await ok<{ startWorkflow: { id: string } }>(admin, 'mutation($input: StartWorkflowInput!) { startWorkflow(input: $input) { id } }', { input: { workflowDefinitionId, contextData } });
  return d.startWorkflow.id;
}

interface Wait {
  waitingFor: string;
  wakeAt: string | null;
  dueAt: string | null;
  messageName: string | null;
  correlationKey: string | null;
  callbackUrl: string | null;
}
interface Execution {
  id: string;
  nodeId: string;
  status: string;
  wait: Wait | null;
}
interface Instance {
  status: string;
  contextData: Record<string, unknown>;
  nodes: Execution[];
  history: { eventType: string; details: Record<string, unknown> }[];
}

const INSTANCE = 'query($id: ID!) { workflowInstance(id: $id) { status contextData nodes { id nodeId status wait { waitingFor wakeAt dueAt messageName correlationKey callbackUrl } } history { eventType details } } }';

const instance = async (id: string) => (await ok<{ workflowInstance: Instance }>(admin, INSTANCE, { id })).workflowInstance;

/** The execution of `nodeId`, once it waits. */
const waitingAt = (id: string, nodeId: string) =>
  eventually(async () => (await instance(id)).nodes.find((n) => n.nodeId === nodeId && n.status === 'waiting'), 15_000, `${nodeId} of ${id} to wait`);

const finished = (id: string) =>
  eventually(async () => {
    const i = await instance(id);
    return i.status === 'running' ? undefined : i;
  }, 15_000, `${id} to finish`);

/** The waiting task of the instance, as the operator view lists it. */
const taskOf = (instanceId: string) =>
  eventually(async () => {
    const d = await ok<{ openTasks: { taskId: string; instanceId: string }[] }>(admin, '{ openTasks(limit: 500) { taskId instanceId } }');
    return d.openTasks.find((t) => t.instanceId === instanceId)?.taskId;
  }, 15_000, `a task of ${instanceId}`);

const SEND = 'mutation($input: MessageInput!) { sendMessage(input: $input) { status duplicate messageId resumed instanceIds expiresAt } }';
const send = (input: Record<string, unknown>, token = admin) => run<{ sendMessage: Record<string, unknown> | null }>(token, SEND, { input });

const PUT_CALENDAR = 'mutation($input: CalendarInput!) { putCalendar(input: $input) { name version definition createdBy created recountedDeadlines } }';
const putCalendar = (input: Record<string, unknown>, token = admin) =>
  run<{ putCalendar: { name: string; version: number; definition: Record<string, unknown>; createdBy: string; created: boolean; recountedDeadlines: number } | null }>(token, PUT_CALENDAR, { input });

const MOVE = 'mutation($taskId: ID!, $slaDeadline: String!, $reason: String!) { moveTaskDeadline(taskId: $taskId, slaDeadline: $slaDeadline, reason: $reason) { id taskId slaDeadline status } }';
const moveDeadline = (taskId: string, slaDeadline: string, reason: string, token = admin) =>
  run<{ moveTaskDeadline: { id: string; taskId: string; slaDeadline: string; status: string } | null }>(token, MOVE, { taskId, slaDeadline, reason });

const ROTATE = 'mutation($instanceId: ID!, $executionId: ID!) { rotateCallback(instanceId: $instanceId, executionId: $executionId) { callbackUrl } }';
const rotate = (instanceId: string, executionId: string) => run<{ rotateCallback: { callbackUrl: string } | null }>(admin, ROTATE, { instanceId, executionId });

const weekdays = (start: string, end: string) => ({ mon: [{ start, end }], tue: [{ start, end }], wed: [{ start, end }], thu: [{ start, end }], fri: [{ start, end }] });

const paidNode = {
  id: 'paid',
  nodeType: 'receive',
  name: 'Payment confirmed',
  messageName: 'gql_paid',
  correlationKey: 'context.orderId',
  reminders: [{ after: 'PT4H' }],
  timeout: { after: 'P3D' },
};
const doneNode = { id: 'done', nodeType: 'service_task', name: 'Done', serviceType: 'set_context', serviceConfig: { values: { done: true } } };

/** A payment that arrives as a message (or through the callback URL), then done. */
const receiveFlow = (name: string) => ({ name, nodes: [paidNode, doneNode], routes: [{ fromNodeId: 'paid', toNodeId: 'done' }] });

/** A two-hour cool-off first. */
const paymentFlow = (name: string) => ({
  name,
  nodes: [{ id: 'cool_off', nodeType: 'timer', name: 'Cool off', duration: 'PT2H' }, paidNode, doneNode],
  routes: [
    { fromNodeId: 'cool_off', toNodeId: 'paid' },
    { fromNodeId: 'paid', toNodeId: 'done' },
  ],
});

describe('timer and receive nodes', () => {
  it('are defined and read back with their fields, and each waiting execution says what it waits for', async () => {
    const defId = await define(paymentFlow('gql-payment'));
    const nodes = (
      await ok<{ workflowDefinition: { nodes: Record<string, unknown>[] } }>(
        admin,
        'query($id: ID!) { workflowDefinition(id: $id) { nodes { id nodeType duration messageName correlationKey reminders timeout } } }',
        { id: defId },
      )
    ).workflowDefinition.nodes;
    expect(nodes).toEqual([
      { id: 'cool_off', nodeType: 'timer', duration: 'PT2H', messageName: null, correlationKey: null, reminders: null, timeout: null },
      { id: 'paid', nodeType: 'receive', duration: null, messageName: 'gql_paid', correlationKey: 'context.orderId', reminders: [{ after: 'PT4H' }], timeout: { after: 'P3D' } },
      { id: 'done', nodeType: 'service_task', duration: null, messageName: null, correlationKey: null, reminders: null, timeout: null },
    ]);

    const before = clock.now().getTime();
    const id = await start(defId, { orderId: 'G-1' });
    const timer = await waitingAt(id, 'cool_off');
    expect(timer.wait).toEqual({ waitingFor: 'timer', wakeAt: timer.wait!.dueAt, dueAt: expect.any(String), messageName: null, correlationKey: null, callbackUrl: null });
    expect(new Date(timer.wait!.dueAt!).getTime() - before).toBeGreaterThanOrEqual(2 * HOUR - 1000);

    clock.advance(2 * HOUR + 1000);
    expect(await escalateDueOnce(h.rt)).toBe(1);
    const receiver = await waitingAt(id, 'paid');
    expect(receiver.wait).toEqual({
      waitingFor: 'message',
      wakeAt: expect.any(String),
      dueAt: null,
      messageName: 'gql_paid',
      correlationKey: 'G-1',
      callbackUrl: expect.stringMatching(/\/api\/callbacks\/c1\./),
    });
    const after = await instance(id);
    expect(after.nodes.find((n) => n.nodeId === 'cool_off')).toMatchObject({ status: 'completed', wait: null });
    expect(after.history.map((e) => e.eventType)).toEqual(expect.arrayContaining(['timer_started', 'timer_fired', 'message_awaited']));
  });
});

describe('sendMessage', () => {
  let defId: string;
  beforeAll(async () => {
    defId = await define(receiveFlow('gql-messages'));
  });

  it('resumes the waiting receiver with the message data; the same messageId again changes nothing', async () => {
    const id = await start(defId, { orderId: 'G-2' });
    await waitingAt(id, 'paid');
    const sent = dataOf(await send({ name: 'gql_paid', correlationKey: 'G-2', data: { amount: 99 }, messageId: 'gql-pay-2' }));
    expect(sent.sendMessage).toEqual({ status: 'delivered', duplicate: false, messageId: 'gql-pay-2', resumed: 1, instanceIds: [id], expiresAt: null });
    const again = dataOf(await send({ name: 'gql_paid', correlationKey: 'G-2', data: { amount: 1 }, messageId: 'gql-pay-2' }));
    expect(again.sendMessage).toMatchObject({ duplicate: true, resumed: 1 });
    const done = await finished(id);
    expect(done).toMatchObject({ status: 'completed', contextData: { orderId: 'G-2', amount: 99, done: true } });
    expect(done.history.map((e) => e.eventType)).toEqual(expect.arrayContaining(['message_received']));
  });

  it('keeps a message nobody waits for during its timeToLive, a duration or seconds, for a receiver that comes later', async () => {
    const seconds = dataOf(await send({ name: 'gql_paid', correlationKey: 'G-3', data: { early: true }, timeToLive: 600 }));
    expect(seconds.sendMessage).toMatchObject({ status: 'buffered', resumed: 0, instanceIds: [] });
    expect(new Date(seconds.sendMessage!['expiresAt'] as string).getTime() - clock.now().getTime()).toBeGreaterThan(590_000);
    const id = await start(defId, { orderId: 'G-3' });
    expect(await finished(id)).toMatchObject({ status: 'completed', contextData: { orderId: 'G-3', early: true, done: true } });
    const duration = dataOf(await send({ name: 'gql_paid', correlationKey: 'G-4', timeToLive: 'PT10M' }));
    expect(duration.sendMessage).toMatchObject({ status: 'buffered' });
    const nobody = dataOf(await send({ name: 'gql_paid', correlationKey: 'G-5' }));
    expect(nobody.sendMessage).toMatchObject({ status: 'unmatched', expiresAt: null });
  });

  it('refuses what REST refuses, with its codes and the arguments\' paths', async () => {
    const tooLong = errorOf(await send({ name: ' ', correlationKey: 'G-6', timeToLive: 'P31D' }));
    expect(tooLong.extensions).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect((tooLong.extensions!.details as { path: string }[]).map((d) => d.path).sort()).toEqual(['input.name', 'input.timeToLive']);
    const months = errorOf(await send({ name: 'gql_paid', correlationKey: 'G-6', timeToLive: 'P1M' }));
    expect(months.extensions).toMatchObject({ code: 'INVALID_DURATION' });
    expect(months.message).toMatch(/years and months have no fixed length/);
    expect(errorOf(await send({ name: 'gql_paid', correlationKey: 'G-6', timeToLive: { minutes: 5 } })).extensions).toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});

describe('rotateCallback', () => {
  it('replaces the callback URL: the old one is refused, the new one resumes the receiver once', async () => {
    const defId = await define(receiveFlow('gql-callbacks'));
    const id = await start(defId, { orderId: 'G-7' });
    const receiver = await waitingAt(id, 'paid');
    const rotated = dataOf(await rotate(id, receiver.id)).rotateCallback!;
    expect(rotated.callbackUrl).toMatch(/\/api\/callbacks\/c1\./);
    expect(rotated.callbackUrl).not.toBe(receiver.wait!.callbackUrl);
    expect((await waitingAt(id, 'paid')).wait!.callbackUrl).toBe(rotated.callbackUrl);
    const path = (url: string) => new URL(url).pathname;
    const old = await h.http().post(path(receiver.wait!.callbackUrl!)).send({});
    expect({ status: old.status, code: old.body.error.code }).toEqual({ status: 409, code: 'CALLBACK_NOT_WAITING' });
    await h.http().post(path(rotated.callbackUrl)).send({ viaCallback: true }).expect(202);
    expect((await h.http().post(path(rotated.callbackUrl)).send({})).status).toBe(409);
    expect(await finished(id)).toMatchObject({ status: 'completed', contextData: { orderId: 'G-7', viaCallback: true, done: true } });
    expect((await instance(id)).history.map((e) => e.eventType)).toEqual(expect.arrayContaining(['callback_rotated', 'message_received']));
  });

  it('refuses an execution that waits for no message, a missing one and a malformed id', async () => {
    const defId = await define({ name: 'gql-rotate-task', nodes: [{ id: 'ok', nodeType: 'approval', name: 'OK', approverRole: 'approver' }], routes: [] });
    const id = await start(defId);
    const taskId = await taskOf(id);
    expect(errorOf(await rotate(id, taskId)).extensions).toMatchObject({ code: 'NOT_WAITING_FOR_MESSAGE' });
    expect(errorOf(await rotate(id, '7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d')).extensions).toMatchObject({ code: 'NOT_FOUND' });
    expect(errorOf(await rotate(id, 'nope')).extensions).toMatchObject({ code: 'INVALID_ID', details: [{ path: 'executionId', message: 'must be a UUID' }] });
  });
});

describe('business calendars', () => {
  const office = { name: 'gql-office', timeZone: 'Europe/Berlin', workingHours: weekdays('09:00', '17:00'), holidays: { country: 'DE', region: 'BY' }, closedDates: ['2026-12-24'] };

  it('are created, read and refused as REST does it', async () => {
    const created = dataOf(await putCalendar(office)).putCalendar!;
    expect(created).toMatchObject({ name: 'gql-office', version: 1, createdBy: 'wendy-admin', created: true, recountedDeadlines: 0 });
    expect(created.definition).toEqual(office);

    const user = h.token('uma', []);
    const listed = await ok<{ calendars: { name: string; version: number }[] }>(user, '{ calendars { name version } }');
    expect(listed.calendars).toEqual([{ name: 'gql-office', version: 1 }]);
    const one = await ok<{ calendar: { name: string; definition: Record<string, unknown> } }>(user, '{ calendar(name: "gql-office") { name definition } }');
    expect(one.calendar).toEqual({ name: 'gql-office', definition: office });

    expect(errorOf(await run(user, '{ calendar(name: "gql-none") { name } }')).extensions).toMatchObject({ code: 'NOT_FOUND' });
    expect(errorOf(await run(user, '{ calendar(name: "no spaces") { name } }')).extensions).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'name', message: expect.any(String) }] });
    expect(errorOf(await putCalendar(office, user)).extensions).toMatchObject({ code: 'ADMIN_REQUIRED' });
    const invalid = errorOf(await putCalendar({ name: 'gql-bad', timeZone: 'Mars/Olympus', workingHours: { mon: [{ start: '17:00', end: '09:00' }] } }));
    expect(invalid.extensions!.code).toBe('INVALID_CALENDAR');
    expect((invalid.extensions!.details as { path: string }[]).map((d) => d.path).sort()).toEqual(['timeZone', 'workingHours.mon[0].end']);
    // a field GraphQL does not know is GraphQL's own refusal
    expect((await putCalendar({ ...office, workingHours: { monday: [] } })).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('count a task\'s working hours, and a replacement counts them again', async () => {
    const defId = await define({ name: 'gql-office-hours', calendar: 'gql-office', nodes: [{ id: 'sign', nodeType: 'approval', name: 'Sign', approverRole: 'approver', slaHours: 8 }], routes: [] });
    const startedAt = clock.now().getTime();
    const id = await start(defId);
    const taskId = await taskOf(id);
    const deadline = async () => (await ok<{ task: { slaDeadline: string } }>(admin, 'query($id: ID!) { task(id: $id) { slaDeadline } }', { id: taskId })).task.slaDeadline;
    const first = await deadline();
    // eight working hours are at least eight hours on the wall clock, and end within working hours
    expect(new Date(first).getTime() - startedAt).toBeGreaterThanOrEqual(8 * HOUR - 1000);
    const berlin = new Date(first).toLocaleTimeString('en-GB', { timeZone: 'Europe/Berlin', hour12: false });
    expect(berlin >= '09:00:00' && berlin <= '17:00:00').toBe(true);

    const replaced = dataOf(await putCalendar({ ...office, workingHours: weekdays('07:00', '11:00') })).putCalendar!;
    expect(replaced).toMatchObject({ name: 'gql-office', version: 2, created: false, recountedDeadlines: 1 });
    const second = await deadline();
    expect(second).not.toBe(first);
    const changed = (await instance(id)).history.find((e) => e.eventType === 'deadline_changed');
    expect(changed?.details).toMatchObject({ cause: 'calendar_changed', oldDeadline: first, newDeadline: second, calendar: 'gql-office', calendarVersion: 2 });
  });
});

describe('moveTaskDeadline', () => {
  it('moves a waiting task\'s deadline (admin), recorded with its reason; refusals carry the REST codes', async () => {
    const defId = await define({ name: 'gql-deadline', nodes: [{ id: 'ok', nodeType: 'approval', name: 'OK', approverRole: 'approver', slaHours: 4 }], routes: [] });
    const id = await start(defId);
    const taskId = await taskOf(id);
    const moved = dataOf(await moveDeadline(taskId, '2030-01-07T09:00:00+01:00', 'the supplier is late')).moveTaskDeadline;
    expect(moved).toEqual({ id: taskId, taskId, slaDeadline: '2030-01-07T08:00:00.000Z', status: 'waiting' });
    const changed = (await instance(id)).history.find((e) => e.eventType === 'deadline_changed');
    expect(changed?.details).toMatchObject({ cause: 'manual', reason: 'the supplier is late', newDeadline: '2030-01-07T08:00:00.000Z' });
    // a node without finished executions has no forecast yet, and says why
    const read = await ok<{ task: { urgencyLevel: string; forecast: { available: boolean; finishAt: string | null; reason: string | null } } }>(
      admin,
      'query($id: ID!) { task(id: $id) { urgencyLevel forecast { available finishAt reason } } }',
      { id: taskId },
    );
    expect(read.task).toEqual({ urgencyLevel: 'NORMAL', forecast: { available: false, finishAt: null, reason: expect.stringMatching(/fewer than/) } });

    expect(errorOf(await moveDeadline(taskId, '2030-01-08', 'mine now', h.token('ann', ['approver']))).extensions).toMatchObject({ code: 'ADMIN_REQUIRED' });
    const invalid = errorOf(await moveDeadline(taskId, 'next week', ' '));
    expect(invalid.extensions!.code).toBe('VALIDATION_FAILED');
    expect((invalid.extensions!.details as { path: string }[]).map((d) => d.path).sort()).toEqual(['reason', 'slaDeadline']);
    expect(errorOf(await moveDeadline('7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d', '2030-01-08', 'late')).extensions).toMatchObject({ code: 'NOT_FOUND' });
    expect(errorOf(await moveDeadline('nope', '2030-01-08', 'late')).extensions).toMatchObject({ code: 'INVALID_ID' });

    await ok(admin, 'mutation($id: ID!) { approveTask(taskId: $id) { status } }', { id: taskId });
    expect(errorOf(await moveDeadline(taskId, '2030-01-08', 'too late')).extensions).toMatchObject({ code: 'TASK_NOT_WAITING' });
  });
});
