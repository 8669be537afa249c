/**
 * The node worker's tenant share against the test's real queue backend (Redis, or BullMQ's
 * PostgreSQL backend): a job over its tenant's share is deferred through BullMQ's delayed set,
 * runs later exactly once, and uses up no attempt.
 */
import { randomBytes } from 'node:crypto';
import type { NodeJob } from '@wf/engine';
import { createTestDatabase, type TestDatabase } from '@wf/db/testing';
import { NODE_QUEUE, createNodeWorker, type Delivery, type EngineQueue, type EngineWorker, type QueueBackend } from '@wf/queue';
import { testQueueBackend } from '../testing/test-queue-backend';

const A = '0a000000-0000-4000-8000-00000000000a';
const B = '0b000000-0000-4000-8000-00000000000b';

const prefix = `wfq${randomBytes(4).toString('hex')}`;
let db: TestDatabase;
let backend: QueueBackend;
let queue: EngineQueue<NodeJob>;
let worker: EngineWorker<NodeJob> | undefined;

beforeAll(async () => {
  db = await createTestDatabase();
  backend = await testQueueBackend(db, prefix);
  queue = backend.queue<NodeJob>(NODE_QUEUE);
});

afterAll(async () => {
  await worker?.close();
  await queue.obliterate({ force: true });
  await queue.close();
  await backend.close();
  await db.drop();
});

const job = (tenantId: string, n: number): NodeJob => ({ kind: 'run', tenantId, instanceId: `i-${tenantId}-${n}`, executionId: `e-${tenantId}-${n}`, generation: 0 });

it("defers a tenant's jobs over its share, runs each once later on its first attempt, and lets another tenant through", async () => {
  const runs: { executionId: string; tenantId: string; delivery: Delivery }[] = [];
  const deferred: string[] = [];
  const failed: string[] = [];
  let releaseB!: () => void;
  const bHeld = new Promise<void>((r) => (releaseB = r));
  let aDone!: () => void;
  const aRan = new Promise<void>((r) => (aDone = r));
  let inFlightB = 0;
  let maxInFlightB = 0;

  worker = createNodeWorker(
    async (j, delivery) => {
      runs.push({ executionId: j.executionId, tenantId: j.tenantId, delivery });
      if (j.tenantId === A) {
        aDone();
        return;
      }
      inFlightB += 1;
      maxInFlightB = Math.max(maxInFlightB, inFlightB);
      // B's first jobs hold their slots until A has run: a slow step
      await bHeld;
      inFlightB -= 1;
    },
    { backend, concurrency: 3, lockDurationMs: 10_000, tenantConcurrency: 2, onDeferred: (j) => deferred.push(j.executionId) },
  );
  worker.on('failed', (j) => failed.push(j?.data.executionId ?? '?'));

  const bJobs = [1, 2, 3, 4, 5].map((n) => job(B, n));
  await queue.addBulk(bJobs.map((data) => ({ name: 'execute', data, opts: { jobId: `exec-${data.executionId}-g0`, attempts: 3, removeOnComplete: true, removeOnFail: true } })));
  await queue.add('execute', job(A, 1), { jobId: `exec-e-${A}-1-g0`, attempts: 3, removeOnComplete: true, removeOnFail: true });

  // A runs although B has more jobs than the worker has slots
  await aRan;
  expect(deferred.length).toBeGreaterThan(0);
  // a second add of a deferred job's id (what the reconciliation sweep does) adds nothing
  const again = bJobs.find((b) => deferred.includes(b.executionId))!;
  await queue.add('execute', again, { jobId: `exec-${again.executionId}-g0` });
  releaseB();

  await waitFor(async () => runs.length === 6 && (await queue.count()) === 0 && (await queue.getActiveCount()) === 0);
  expect(runs.map((r) => r.executionId).sort()).toEqual([...bJobs.map((b) => b.executionId), `e-${A}-1`].sort());
  // B never held more than its share, and no deferral cost an attempt or showed as a failure
  expect(maxInFlightB).toBe(2);
  expect(runs.every((r) => r.delivery.attempt === 1 && !r.delivery.finalAttempt)).toBe(true);
  expect(failed).toEqual([]);
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}
