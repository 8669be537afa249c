/**
 * Receive nodes and messages through the real API, worker, Postgres and queue, on a test clock
 * (nothing here sleeps for the engine), beyond timer-and-message.int.test.ts: a replayed
 * messageId never reaches a receiver that started waiting since; a message never crosses tenants
 * (neither to a waiting receiver nor, buffered, to a later one); one message resumes every
 * receiver waiting for its name and key; outputMapping; a correlation key from a number; the
 * receive node's timeout with its `timeout` route; a callback URL used twice; a buffered message
 * that expired before the wait began is not taken.
 */
import { escalateDueOnce } from '@wf/runtime';
import { OffsetClock } from '@wf/runtime/testing';
import { TENANT_B, createHarness, type Harness } from '../../testing/engine-harness';
import type { InstanceView, UserClient } from '../../testing/user-client';

const HOUR = 3_600_000;
let h: Harness;
let admin: UserClient;
let adminB: UserClient;
const clock = new OffsetClock();

beforeAll(async () => {
  h = await createHarness({ clock, env: { PUBLIC_URL: 'https://wf.example/' } });
  admin = h.as('msg-admin', ['admin']);
  adminB = h.as('msg-admin-b', ['admin'], TENANT_B);
});

afterAll(() => h.close());

const paid = { id: 'done', nodeType: 'service_task', name: 'Done', serviceType: 'set_context', serviceConfig: { values: { paid: true } } };

/** `payment` (a receive node with `fields`), then `done`; more nodes and routes when given. */
function receiveFlow(name: string, fields: Record<string, unknown> = {}, more: { nodes?: object[]; routes?: object[] } = {}) {
  return {
    name,
    startNodeId: 'payment',
    nodes: [{ id: 'payment', nodeType: 'receive', name: 'Payment', messageName: 'payment_confirmed', correlationKey: 'context.orderId', ...fields }, paid, ...(more.nodes ?? [])],
    routes: [{ fromNodeId: 'payment', toNodeId: 'done' }, ...(more.routes ?? [])],
  };
}

let keys = 0;
/** A correlation key no other test uses. */
const freshKey = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${(keys += 1)}`;

async function waitingAt(client: UserClient, id: string, nodeId = 'payment') {
  const instance = await client.until(id, (i) => i.nodes.some((n) => n.nodeId === nodeId && n.status === 'waiting'), `${nodeId} to wait`);
  return instance.nodes.find((n) => n.nodeId === nodeId && n.status === 'waiting')!;
}

const send = (client: UserClient, body: Record<string, unknown>) => client.post('/api/messages', body);

const receivedCount = async (client: UserClient, id: string) => (await client.events(id)).filter((e) => e === 'message_received').length;

const callbackPath = (url: string) => new URL(url).pathname;

describe('delivery', () => {
  it('a replayed messageId changes nothing, not even for a receiver that started waiting since', async () => {
    const defId = await admin.define(receiveFlow('m-replay'));
    const key = freshKey('SO');
    const first = await admin.start(defId, { orderId: key });
    await waitingAt(admin, first);
    const sent = await send(admin, { name: 'payment_confirmed', correlationKey: key, data: { amount: 10 }, messageId: 'replay-1' });
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({ status: 'delivered', duplicate: false, resumed: 1, instanceIds: [first] });
    expect((await admin.finished(first)).contextData).toEqual({ orderId: key, amount: 10, paid: true });

    const second = await admin.start(defId, { orderId: key });
    await waitingAt(admin, second);
    const replay = await send(admin, { name: 'payment_confirmed', correlationKey: key, data: { amount: 99 }, messageId: 'replay-1' });
    expect(replay.status).toBe(200);
    expect(replay.body).toMatchObject({ duplicate: true, messageId: 'replay-1', resumed: 1 });
    await escalateDueOnce(h.rt);
    const still = await admin.instance(second);
    expect(still.status).toBe('running');
    expect(await receivedCount(admin, second)).toBe(0);
    expect(await receivedCount(admin, first)).toBe(1);

    // a new messageId reaches it
    const fresh = await send(admin, { name: 'payment_confirmed', correlationKey: key, data: { amount: 3 }, messageId: 'replay-2' });
    expect(fresh.body).toMatchObject({ status: 'delivered', duplicate: false, resumed: 1, instanceIds: [second] });
    expect((await admin.finished(second)).contextData).toEqual({ orderId: key, amount: 3, paid: true });
  });

  it('never crosses tenants: neither to a waiting receiver nor, buffered, to a later one', async () => {
    const key = freshKey('X');
    const defA = await admin.define(receiveFlow('m-tenant'));
    const defB = await adminB.define(receiveFlow('m-tenant'));
    const inA = await admin.start(defA, { orderId: key });
    const inB = await adminB.start(defB, { orderId: key });
    await waitingAt(admin, inA);
    await waitingAt(adminB, inB);

    const messageId = `shared-${key}`;
    const toA = await send(admin, { name: 'payment_confirmed', correlationKey: key, data: { from: 'A' }, messageId });
    expect(toA.body).toMatchObject({ status: 'delivered', resumed: 1, instanceIds: [inA] });
    expect((await admin.finished(inA)).contextData).toMatchObject({ from: 'A' });
    expect((await adminB.instance(inB)).status).toBe('running');
    expect(await receivedCount(adminB, inB)).toBe(0);
    // the same messageId in B is B's own message, no replay of A's
    const toB = await send(adminB, { name: 'payment_confirmed', correlationKey: key, data: { from: 'B' }, messageId });
    expect(toB.status).toBe(200);
    expect(toB.body).toMatchObject({ status: 'delivered', duplicate: false, resumed: 1, instanceIds: [inB] });
    expect((await adminB.finished(inB)).contextData).toMatchObject({ from: 'B' });
    expect((await admin.instance(inA)).contextData).toMatchObject({ from: 'A' });

    // B buffers one for itself; A's receiver that starts later never takes it
    const later = freshKey('Y');
    const buffered = await send(adminB, { name: 'payment_confirmed', correlationKey: later, data: { from: 'B' }, timeToLive: 'PT1H' });
    expect(buffered.body).toMatchObject({ status: 'buffered', resumed: 0 });
    const laterA = await admin.start(defA, { orderId: later });
    await waitingAt(admin, laterA);
    expect(await receivedCount(admin, laterA)).toBe(0);
    // ...and B's own later receiver does
    const laterB = await adminB.start(defB, { orderId: later });
    expect((await adminB.finished(laterB)).contextData).toEqual({ orderId: later, from: 'B', paid: true });
    // A's instance is not even visible to B, nor B's to A
    expect((await adminB.get(`/api/instances/${inA}`)).status).toBe(404);
    expect((await admin.get(`/api/instances/${inB}`)).status).toBe(404);
  });

  it('one message resumes every receiver waiting for its name and key, and no other', async () => {
    const defId = await admin.define(receiveFlow('m-fan-out'));
    const key = freshKey('BATCH');
    const ids = [await admin.start(defId, { orderId: key }), await admin.start(defId, { orderId: key }), await admin.start(defId, { orderId: key })];
    const other = await admin.start(defId, { orderId: freshKey('OTHER') });
    for (const id of [...ids, other]) await waitingAt(admin, id);
    const sent = await send(admin, { name: 'payment_confirmed', correlationKey: key, data: { batch: true } });
    expect(sent.body).toMatchObject({ status: 'delivered', resumed: 3 });
    expect([...sent.body.instanceIds].sort()).toEqual([...ids].sort());
    for (const id of ids) {
      const done = await admin.finished(id);
      expect(done.status).toBe('completed');
      expect(done.contextData).toEqual({ orderId: key, batch: true, paid: true });
      expect(await receivedCount(admin, id)).toBe(1);
    }
    expect((await admin.instance(other)).status).toBe('running');
    // a second message for the key finds nobody left
    const again = await send(admin, { name: 'payment_confirmed', correlationKey: key, data: {} });
    expect(again.body).toMatchObject({ status: 'unmatched', resumed: 0 });
  });

  it('maps the message into the context through outputMapping instead of merging it whole', async () => {
    const defId = await admin.define(
      receiveFlow('m-mapping', {
        outputMapping: {
          paidAmount: 'context.message.data.amount',
          paidRef: 'context.message.correlationKey',
          total: 'context.base + context.message.data.amount',
        },
      }),
    );
    const key = freshKey('MAP');
    const id = await admin.start(defId, { orderId: key, base: 100 });
    await waitingAt(admin, id);
    await send(admin, { name: 'payment_confirmed', correlationKey: key, data: { amount: 42, secret: 'not mapped' } });
    const done = await admin.finished(id);
    expect(done.status).toBe('completed');
    expect(done.contextData).toEqual({ orderId: key, base: 100, paidAmount: 42, paidRef: key, total: 142, paid: true });
  });

  it('takes its correlation key from a number in the context; a message may give the key as number or string', async () => {
    const defId = await admin.define(receiveFlow('m-number-key', { correlationKey: 'context.orderNo' }));
    const n = 4_000_000 + Math.floor(Math.random() * 1_000_000);
    const byNumber = await admin.start(defId, { orderNo: n });
    const node = await waitingAt(admin, byNumber);
    expect(node.wait).toMatchObject({ waitingFor: 'message', messageName: 'payment_confirmed', correlationKey: String(n) });
    const sent = await send(admin, { name: 'payment_confirmed', correlationKey: n, data: { viaNumber: true } });
    expect(sent.body).toMatchObject({ status: 'delivered', resumed: 1, instanceIds: [byNumber] });
    expect((await admin.finished(byNumber)).contextData).toMatchObject({ viaNumber: true, paid: true });

    const byString = await admin.start(defId, { orderNo: n + 1 });
    await waitingAt(admin, byString);
    const asString = await send(admin, { name: 'payment_confirmed', correlationKey: String(n + 1), data: { viaString: true } });
    expect(asString.body).toMatchObject({ status: 'delivered', resumed: 1, instanceIds: [byString] });
    expect((await admin.finished(byString)).contextData).toMatchObject({ viaString: true, paid: true });
  });

  it('refuses a time to live beyond 30 days', async () => {
    const res = await send(admin, { name: 'payment_confirmed', correlationKey: freshKey('TTL'), timeToLive: 'P31D' });
    expect(res.status).toBe(400);
  });
});

describe('receive timeout', () => {
  const chase = { id: 'chase', nodeType: 'service_task', name: 'Chase', serviceType: 'set_context', serviceConfig: { values: { chased: true } } };

  it('leaves by its timeout route when no message came in time; a late message or callback finds nobody', async () => {
    const defId = await admin.define(
      receiveFlow('m-timeout', { timeout: { after: 'PT24H' } }, { nodes: [chase], routes: [{ fromNodeId: 'payment', toNodeId: 'chase', condition: 'timeout' }] }),
    );
    const key = freshKey('LATE');
    const id = await admin.start(defId, { orderId: key });
    const node = await waitingAt(admin, id);
    expect(Date.parse(node.wait!.wakeAt!)).toBe(Date.parse(node.startedAt!) + 24 * HOUR);
    clock.advance(Date.parse(node.startedAt!) + 24 * HOUR - 60_000 - clock.now().getTime());
    await escalateDueOnce(h.rt);
    expect((await admin.instance(id)).status).toBe('running');
    clock.advance(61_000);
    await escalateDueOnce(h.rt);
    await escalateDueOnce(h.rt);
    const done = await admin.finished(id);
    expect(done.status).toBe('completed');
    expect(done.contextData).toEqual({ orderId: key, chased: true });
    expect(done.nodes.some((n) => n.nodeId === 'done')).toBe(false);
    const events = await admin.events(id);
    expect(events.filter((e) => e === 'wait_timed_out')).toHaveLength(1);
    expect(events).not.toContain('message_received');

    const late = await send(admin, { name: 'payment_confirmed', correlationKey: key, data: { late: true } });
    expect(late.body).toMatchObject({ status: 'unmatched', resumed: 0 });
    const callback = await h.http().post(callbackPath(node.wait!.callbackUrl!)).send({ late: true });
    expect(callback.status).toBe(409);
    expect(callback.body.error.code).toBe('CALLBACK_NOT_WAITING');
    expect((await admin.instance(id)).contextData).toEqual({ orderId: key, chased: true });
  });

  it('fails the node without a timeout route (WAIT_TIMED_OUT); a message in time never times out', async () => {
    const defId = await admin.define(receiveFlow('m-timeout-fail', { timeout: { after: 'PT2H' } }));
    const slow = freshKey('SLOW');
    const quick = freshKey('QUICK');
    const timedOut = await admin.start(defId, { orderId: slow });
    const inTime = await admin.start(defId, { orderId: quick });
    const node = await waitingAt(admin, timedOut);
    await waitingAt(admin, inTime);
    await send(admin, { name: 'payment_confirmed', correlationKey: quick, data: {} });
    expect((await admin.finished(inTime)).status).toBe('completed');
    clock.advance(Date.parse(node.startedAt!) + 3 * HOUR - clock.now().getTime());
    await escalateDueOnce(h.rt);
    const failed = await admin.finished(timedOut);
    expect(failed.status).toBe('failed');
    expect(failed.nodes.find((n) => n.nodeId === 'payment')?.error?.code).toBe('WAIT_TIMED_OUT');
    expect((await admin.events(inTime)).filter((e) => e === 'wait_timed_out')).toHaveLength(0);
  });
});

describe('reminders, bad keys, cancelled receivers', () => {
  it('reminds on a receive node (recorded in the history) without interrupting it', async () => {
    const defId = await admin.define(receiveFlow('m-reminder', { reminders: [{ after: 'PT1H' }] }));
    const key = freshKey('REM');
    const id = await admin.start(defId, { orderId: key });
    const node = await waitingAt(admin, id);
    expect(Date.parse(node.wait!.wakeAt!)).toBe(Date.parse(node.startedAt!) + HOUR);
    clock.advance(Date.parse(node.startedAt!) + HOUR + 1000 - clock.now().getTime());
    await escalateDueOnce(h.rt);
    await escalateDueOnce(h.rt);
    expect((await admin.events(id)).filter((e) => e === 'task_reminder')).toHaveLength(1);
    expect((await waitingAt(admin, id)).wait!.wakeAt).toBeNull();
    await send(admin, { name: 'payment_confirmed', correlationKey: key, data: {} });
    expect((await admin.finished(id)).status).toBe('completed');
  });

  it('fails the node when the correlation key is neither a string nor a number (CORRELATION_KEY_INVALID)', async () => {
    const defId = await admin.define(receiveFlow('m-bad-key', { correlationKey: 'context.order' }));
    const id = await admin.start(defId, { order: { id: 1 } });
    const failed = await admin.finished(id);
    expect(failed.status).toBe('failed');
    expect(failed.nodes.find((n) => n.nodeId === 'payment')?.error?.code).toBe('CORRELATION_KEY_INVALID');
  });

  it('a cancelled receiver is no receiver: its message is unmatched, its callback refused', async () => {
    const defId = await admin.define(receiveFlow('m-cancelled'));
    const key = freshKey('CXL');
    const id = await admin.start(defId, { orderId: key });
    const url = callbackPath((await waitingAt(admin, id)).wait!.callbackUrl!);
    expect((await admin.post(`/api/instances/${id}/cancel`, { reason: 'order withdrawn' })).status).toBe(200);
    expect((await send(admin, { name: 'payment_confirmed', correlationKey: key, data: {} })).body).toMatchObject({ status: 'unmatched', resumed: 0 });
    const callback = await h.http().post(url).send({});
    expect(callback.status).toBe(409);
    expect(callback.body.error.code).toBe('CALLBACK_NOT_WAITING');
    expect((await admin.instance(id)).status).toBe('cancelled');
  });
});

describe('callbacks', () => {
  it('a callback URL used twice is refused the second time (CALLBACK_USED), before and after the resume', async () => {
    const defId = await admin.define(receiveFlow('m-callback-twice'));
    const key = freshKey('CB');
    const id = await admin.start(defId, { orderId: key });
    const url = callbackPath((await waitingAt(admin, id)).wait!.callbackUrl!);
    // no worker: the resume job waits, the execution still waits when the URL comes again
    await h.stopWorker();
    let second;
    try {
      const first = await h.http().post(url).send({ first: true });
      expect(first.status).toBe(202);
      expect(first.body).toMatchObject({ accepted: true, instanceId: id });
      second = await h.http().post(url).send({ second: true });
    } finally {
      h.startWorker();
    }
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('CALLBACK_USED');
    const done: InstanceView = await admin.finished(id);
    expect(done.contextData).toEqual({ orderId: key, first: true, paid: true });
    expect(await receivedCount(admin, id)).toBe(1);
    const third = await h.http().post(url).send({ third: true });
    expect(third.status).toBe(409);
    expect(['CALLBACK_USED', 'CALLBACK_NOT_WAITING']).toContain(third.body.error.code);
    // and a message for the key after the callback finds nobody
    expect((await send(admin, { name: 'payment_confirmed', correlationKey: key, data: {} })).body).toMatchObject({ status: 'unmatched' });
  });

  it('a callback after a message was delivered (its resume still queued) is refused; the message is what the node takes', async () => {
    const defId = await admin.define(receiveFlow('m-callback-after-message'));
    const key = freshKey('RACE');
    const id = await admin.start(defId, { orderId: key });
    const url = callbackPath((await waitingAt(admin, id)).wait!.callbackUrl!);
    await h.stopWorker();
    try {
      const sent = await send(admin, { name: 'payment_confirmed', correlationKey: key, data: { via: 'message' } });
      expect(sent.body).toMatchObject({ status: 'delivered', resumed: 1 });
      const callback = await h.http().post(url).send({ via: 'callback' });
      expect(callback.status).toBe(409);
    } finally {
      h.startWorker();
    }
    const done = await admin.finished(id);
    expect(done.contextData).toEqual({ orderId: key, via: 'message', paid: true });
    expect(await receivedCount(admin, id)).toBe(1);
  });
});

describe('buffered messages', () => {
  it('a message that came before the wait and expired is not taken: the receiver waits for a fresh one', async () => {
    const defId = await admin.define(receiveFlow('m-expired'));
    const key = freshKey('EXP');
    const early = await send(admin, { name: 'payment_confirmed', correlationKey: key, data: { stale: true }, timeToLive: 'PT10M' });
    expect(early.body).toMatchObject({ status: 'buffered' });
    expect(Date.parse(early.body.expiresAt)).toBeGreaterThan(clock.now().getTime() + 9 * 60_000);
    clock.advance(11 * 60_000);
    const id = await admin.start(defId, { orderId: key });
    await waitingAt(admin, id);
    await escalateDueOnce(h.rt);
    expect((await admin.instance(id)).status).toBe('running');
    expect(await receivedCount(admin, id)).toBe(0);
    const fresh = await send(admin, { name: 'payment_confirmed', correlationKey: key, data: { fresh: true } });
    expect(fresh.body).toMatchObject({ status: 'delivered', resumed: 1, instanceIds: [id] });
    const done = await admin.finished(id);
    expect(done.contextData).toEqual({ orderId: key, fresh: true, paid: true });
  });

  it('a buffered message within its time to live is taken by the receiver that comes later', async () => {
    const defId = await admin.define(receiveFlow('m-buffered-once'));
    const key = freshKey('BUF');
    const early = await send(admin, { name: 'payment_confirmed', correlationKey: key, data: { early: true }, timeToLive: 3600 });
    expect(early.body).toMatchObject({ status: 'buffered', resumed: 0 });
    clock.advance(30 * 60_000);
    const id = await admin.start(defId, { orderId: key });
    const done = await admin.finished(id);
    expect(done.contextData).toEqual({ orderId: key, early: true, paid: true });
    expect(await receivedCount(admin, id)).toBe(1);
  });
});
