/**
 * Timer and receive nodes through the real API, worker, Postgres and queue, on a test clock (no
 * sleeping): a duration timer fires once when its time comes; a message resumes its waiting
 * execution, a message that came first is buffered and taken, a replay with the same messageId
 * changes nothing, another tenant's message never arrives, a callback URL works once.
 */
import { escalateDueOnce } from '@wf/runtime';
import { OffsetClock } from '@wf/runtime/testing';
import { TENANT_B, createHarness, type Harness } from '../../testing/engine-harness';
import type { UserClient } from '../../testing/user-client';

const HOUR = 3_600_000;
let h: Harness;
let admin: UserClient;
const clock = new OffsetClock();

beforeAll(async () => {
  h = await createHarness({ clock });
  admin = h.as('wait-admin', ['admin']);
});

afterAll(() => h.close());

const timerFlow = (name: string) => ({
  name,
  nodes: [
    { id: 'wait', nodeType: 'timer', name: 'Wait two hours', duration: 'PT2H' },
    { id: 'done', nodeType: 'service_task', name: 'Done', serviceType: 'set_context', serviceConfig: { values: { waited: true } } },
  ],
  routes: [{ fromNodeId: 'wait', toNodeId: 'done' }],
});

const receiveFlow = (name: string) => ({
  name,
  nodes: [
    { id: 'payment', nodeType: 'receive', name: 'Payment confirmed', messageName: 'payment_confirmed', correlationKey: 'context.orderId' },
    { id: 'done', nodeType: 'service_task', name: 'Done', serviceType: 'set_context', serviceConfig: { values: { paid: true } } },
  ],
  routes: [{ fromNodeId: 'payment', toNodeId: 'done' }],
});

async function waitOf(id: string, nodeId: string) {
  return admin.until(id, (i) => i.nodes.some((n) => n.nodeId === nodeId && n.status === 'waiting'), `${nodeId} to wait`);
}

describe('timer node', () => {
  it('waits for its duration, shows when it is due, and fires exactly once', async () => {
    const defId = await admin.define(timerFlow('timer-duration'));
    const before = clock.now();
    const id = await admin.start(defId, {});
    const waiting = await waitOf(id, 'wait');
    const node = waiting.nodes.find((n) => n.nodeId === 'wait')!;
    const due = new Date(node.wait!.dueAt!);
    expect(due.getTime() - before.getTime()).toBeGreaterThanOrEqual(2 * HOUR - 1000);
    expect(await escalateDueOnce(h.rt)).toBe(0);
    clock.advance(2 * HOUR + 1000);
    expect(await escalateDueOnce(h.rt)).toBe(1);
    expect(await escalateDueOnce(h.rt)).toBe(0);
    const done = await admin.finished(id);
    expect(done.status).toBe('completed');
    expect(done.contextData).toEqual({ waited: true });
    const events = await admin.events(id);
    expect(events.filter((e) => e === 'timer_fired')).toHaveLength(1);
  });
});

describe('receive node and messages', () => {
  it('resumes the waiting execution, merges the data; a replay and another tenant change nothing', async () => {
    const defId = await admin.define(receiveFlow('receive-basic'));
    const id = await admin.start(defId, { orderId: 'SO-1' });
    await waitOf(id, 'payment');
    const other = h.as('b-sender', ['admin'], TENANT_B);
    const foreign = await other.post('/api/messages', { name: 'payment_confirmed', correlationKey: 'SO-1', data: { amount: 1 } });
    expect(foreign.status).toBe(200);
    expect(foreign.body).toMatchObject({ status: 'unmatched', resumed: 0 });
    const sent = await admin.post('/api/messages', { name: 'payment_confirmed', correlationKey: 'SO-1', data: { amount: 99 }, messageId: 'pay-1' });
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({ status: 'delivered', resumed: 1, duplicate: false, instanceIds: [id] });
    const again = await admin.post('/api/messages', { name: 'payment_confirmed', correlationKey: 'SO-1', data: { amount: 5 }, messageId: 'pay-1' });
    expect(again.body).toMatchObject({ duplicate: true, resumed: 1 });
    const done = await admin.finished(id);
    expect(done.contextData).toEqual({ orderId: 'SO-1', amount: 99, paid: true });
  });

  it('buffers a message that comes before the wait, for its time to live', async () => {
    const defId = await admin.define(receiveFlow('receive-buffered'));
    const sent = await admin.post('/api/messages', { name: 'payment_confirmed', correlationKey: 'SO-2', data: { early: true }, timeToLive: 'PT10M' });
    expect(sent.body).toMatchObject({ status: 'buffered', resumed: 0 });
    const id = await admin.start(defId, { orderId: 'SO-2' });
    const done = await admin.finished(id);
    expect(done.contextData).toEqual({ orderId: 'SO-2', early: true, paid: true });
  });

  it('lets a buffered message expire', async () => {
    const defId = await admin.define(receiveFlow('receive-expired'));
    await admin.post('/api/messages', { name: 'payment_confirmed', correlationKey: 'SO-3', timeToLive: 60 });
    clock.advance(61_000);
    const id = await admin.start(defId, { orderId: 'SO-3' });
    await waitOf(id, 'payment');
  });

  it('resumes through its callback URL once; a reused or rotated one is refused', async () => {
    const defId = await admin.define(receiveFlow('receive-callback'));
    const id = await admin.start(defId, { orderId: 'SO-4' });
    const waiting = await waitOf(id, 'payment');
    const node = waiting.nodes.find((n) => n.nodeId === 'payment')!;
    const first = node.wait!.callbackUrl!;
    const rotated = await admin.post(`/api/instances/${id}/executions/${node.id}/callback/rotate`);
    expect(rotated.status).toBe(200);
    const path = (url: string) => new URL(url).pathname;
    expect((await h.http().post(path(first)).send({ x: 1 })).status).toBe(409);
    const ok = await h.http().post(path(rotated.body.callbackUrl)).send({ viaCallback: true });
    expect(ok.status).toBe(202);
    expect((await h.http().post(path(rotated.body.callbackUrl)).send({})).status).toBe(409);
    expect((await h.http().post('/api/callbacks/c1.not.a.real.token').send({})).status).toBe(404);
    const done = await admin.finished(id);
    expect(done.contextData).toEqual({ orderId: 'SO-4', viaCallback: true, paid: true });
  });
});
