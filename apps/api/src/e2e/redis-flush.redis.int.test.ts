/**
 * No lost step when Redis forgets everything: jobs queued, then FLUSHALL before any worker ran
 * them, and reconciliation brings every instance to its end, each step once. Needs the machine's
 * `redis-server` (a private server on a spare port is flushed); without one on the PATH the test
 * setup says so and leaves this file out.
 */
import { serviceChainDefinition } from '@wf/runtime/testing';
import { startRedisServer, type RedisServer } from '@wf/testkit';
import { createHarness, eventually, sqlAsOwner, type Harness } from '../testing/engine-harness';

const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

describe('no lost step', () => {
  let redis: RedisServer;
  let h: Harness;

  beforeAll(async () => {
    redis = await startRedisServer();
    // the worker starts only once Redis has forgotten the jobs, so every one of them is lost
    h = await createHarness({ worker: false, redisUrl: redis.url, env: { WORKFLOW_RECONCILE_AFTER_SECONDS: '1', WORKER_CONCURRENCY: '4' } });
  });
  afterAll(async () => {
    await h.close();
    await redis.stop();
  });

  it('completes every running instance after Redis is flushed with their jobs queued', async () => {
    const admin = h.token('admin', ['admin']);
    const defId = (await h.http().post('/api/definitions').set(auth(admin)).send(serviceChainDefinition('Chain', 5))).body.id as string;
    const ids: string[] = [];
    for (let i = 0; i < 20; i += 1) {
      ids.push((await h.http().post('/api/instances').set(auth(admin)).send({ workflowDefinitionId: defId, contextData: { i } })).body.id);
    }
    expect(await h.rt.bullDispatcher.queue.getJobCounts('waiting')).toEqual({ waiting: 20 });
    await redis.flushAll();
    // the jobs are gone: a worker finds nothing to run, and only reconciliation can bring them back
    expect(await h.rt.bullDispatcher.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized')).toEqual({ waiting: 0, active: 0, delayed: 0, prioritized: 0 });
    const running = await sqlAsOwner<{ n: number }>(h.db.url, `SELECT count(*)::int AS n FROM workflow_instances WHERE status = 'running'`);
    expect(running[0]!.n).toBe(20);
    h.startWorker();
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
