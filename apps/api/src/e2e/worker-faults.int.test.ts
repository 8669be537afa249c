/**
 * Nothing lost, nothing twice: a job delivered twice, two workers racing, and a worker killed
 * with SIGKILL in the middle of a step and inside a transaction that runs several steps.
 *
 *   step_1 --> step_2 --> step_3   (set_context service tasks)
 */
import { Client } from 'pg';
import { executeNode, type NodeJob } from '@wf/engine';
import { startWorkerRole } from '@wf/runtime';
import { freePort, launchEngine, type EngineProcess } from '@wf/testkit';
import { createHarness, eventually, sqlAsOwner, type Harness } from '../testing/engine-harness';
import { serviceChainDefinition } from '@wf/runtime/testing';

let h: Harness;
const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
let admin: string;
let definitionId: string;

beforeAll(async () => {
  // no in-process worker: each test decides who runs the jobs
  h = await createHarness({ worker: false, env: { WORKER_LOCK_DURATION_MS: '2000' } });
  admin = h.token('admin', ['admin']);
  definitionId = (await h.http().post('/api/definitions').set(auth(admin)).send(serviceChainDefinition('Chain', 3))).body.id;
});

afterAll(() => h.close());

async function startInstance(): Promise<string> {
  const res = await h.http().post('/api/instances').set(auth(admin)).send({ workflowDefinitionId: definitionId, contextData: {} });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

async function pg<T>(sql: string, params: unknown[] = []): Promise<T[]> {
  return sqlAsOwner<T>(h.db.url, sql, params);
}


/** Counts straight from Postgres (as the owner, which bypasses nothing: superuser in tests). */
async function ledger(instanceId: string) {
  const [row] = await pg<{ status: string; steps: number; completed: number; history: number; node_completed: number; instance_completed: number }>(
    `SELECT i.status, i.step_count AS steps,
       (SELECT count(*)::int FROM workflow_instance_nodes n WHERE n.instance_id = i.id AND n.status = 'completed') AS completed,
       (SELECT count(*)::int FROM workflow_instance_history x WHERE x.instance_id = i.id) AS history,
       (SELECT count(*)::int FROM workflow_instance_history x WHERE x.instance_id = i.id AND x.event_type = 'node_completed') AS node_completed,
       (SELECT count(*)::int FROM workflow_instance_history x WHERE x.instance_id = i.id AND x.event_type = 'instance_completed') AS instance_completed
     FROM workflow_instances i WHERE i.id = $1`,
    [instanceId],
  );
  return row!;
}

/** An in-process worker finishes the instance: each of its three steps ran exactly once. */
async function expectCompletedOnceBySurvivor(id: string): Promise<void> {
  h.startWorker();
  try {
    await eventually(async () => ((await ledger(id)).status === 'completed' ? true : undefined), 30_000, 'completion after the kill');
  } finally {
    await h.stopWorker();
  }
  const l = await ledger(id);
  expect(l.steps).toBe(3);
  expect(l.completed).toBe(3);
  expect(l.node_completed).toBe(3);
  expect(l.instance_completed).toBe(1);
}

/** `apps/worker` as its own process against this file's database and queues. */
function spawnWorker(env: Record<string, string> = {}): EngineProcess {
  return launchEngine({ name: 'worker', entry: 'worker', env: { ...process.env, ...h.env, SEED_SAMPLE_WORKFLOW: 'false', LOG_LEVEL: 'silent', ...env } });
}

async function readyJob(instanceId: string): Promise<NodeJob> {
  const [row] = await pg<{ id: string; generation: number }>(
    `SELECT id, generation FROM workflow_instance_nodes WHERE instance_id = $1 AND status = 'ready'`,
    [instanceId],
  );
  return { kind: 'run', tenantId: '0a000000-0000-4000-8000-00000000000a', instanceId, executionId: row!.id, generation: row!.generation };
}

describe('duplicate delivery', () => {
  it('runs a step delivered twice, even concurrently, exactly once', async () => {
    const id = await startInstance();
    const job = await readyJob(id);
    const results = await Promise.all([executeNode(h.rt.ports, job), executeNode(h.rt.ports, job), executeNode(h.rt.ports, job)]);
    expect(results.map((r) => r.outcome).sort()).toEqual(['noop', 'noop', 'plan']);
    // a late duplicate after the fact is also a no-op
    expect((await executeNode(h.rt.ports, job)).outcome).toBe('noop');
    const after = await ledger(id);
    expect(after.steps).toBe(1);
    expect(after.node_completed).toBe(1);
  });

  it('completes once when two workers pull the same re-enqueued jobs', async () => {
    const id = await startInstance();
    const job = await readyJob(id);
    // enqueue the first step again on top of the API's own enqueue: the job id dedupes it
    await h.rt.bullDispatcher.dispatch([job, job]);
    h.startWorker();
    const second = startWorkerRole(h.rt);
    try {
      await eventually(async () => ((await ledger(id)).status === 'completed' ? true : undefined), 15_000, 'completion');
      const l = await ledger(id);
      expect(l.steps).toBe(3);
      expect(l.node_completed).toBe(3);
      expect(l.instance_completed).toBe(1);
    } finally {
      await second.close();
      await h.stopWorker();
    }
  });
});

describe('a worker killed mid-step', () => {
  let child: EngineProcess | undefined;
  afterEach(async () => {
    child?.signal('SIGKILL');
    await child?.exited;
  });

  it('loses no step and doubles none when the worker dies inside the step transaction', async () => {
    const id = await startInstance();
    // Hold the instance lock so the worker's step blocks inside its transaction.
    const blocker = new Client({ connectionString: h.db.url });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query('SELECT 1 FROM workflow_instances WHERE id = $1 FOR UPDATE', [id]);

    child = spawnWorker();
    // wait until the child's step is blocked on our lock
    await eventually(async () => {
      const rows = await pg<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
         WHERE NOT l.granted AND a.datname = current_database() AND a.application_name = 'workflow-worker'`,
      );
      return rows[0]!.n > 0 ? true : undefined;
    }, 30_000, 'the child worker to block inside its step');
    child.signal('SIGKILL');
    await child.exited;
    await blocker.query('COMMIT');
    await blocker.end();

    // Nothing advanced while the worker was dying.
    expect((await ledger(id)).steps).toBe(0);

    // A surviving worker takes the job over once its lock expires (stalled-job recovery).
    await expectCompletedOnceBySurvivor(id);
  }, 90_000);

  it('replays from the job\'s own step when the worker dies inside a transaction that runs several steps', async () => {
    // step_2 and step_3 run on in step_1's transaction (no I/O between them), written as one
    // update of the instance; a test-only trigger parks that update so the worker can be killed
    // with three steps planned and none committed
    await pg(`CREATE FUNCTION test_park_chain() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_sleep(60); RETURN NEW; END $$`);
    await pg(`CREATE TRIGGER test_park_chain BEFORE UPDATE ON workflow_instances FOR EACH ROW
      WHEN (NEW.step_count >= 2) EXECUTE FUNCTION test_park_chain()`);
    let triggerDropped = false;
    const dropTrigger = async () => {
      if (triggerDropped) return;
      triggerDropped = true;
      await pg('DROP TRIGGER test_park_chain ON workflow_instances');
    };
    try {
      const id = await startInstance();
      child = spawnWorker();
      await eventually(async () => {
        const rows = await pg<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity
           WHERE datname = current_database() AND application_name = 'workflow-worker' AND wait_event = 'PgSleep'`,
        );
        return rows[0]!.n > 0 ? true : undefined;
      }, 30_000, 'the child worker to park inside its transaction');
      // all or nothing: not even step_1 is visible while the transaction is open
      expect((await ledger(id)).steps).toBe(0);
      child.signal('SIGKILL');
      await child.exited;
      await dropTrigger();
      // the parked transaction dies with its connection
      await eventually(async () => {
        const rows = await pg<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event = 'PgSleep' AND datname = current_database()`);
        return rows[0]!.n === 0 ? true : undefined;
      }, 15_000, 'the dead worker\'s session to end');

      // No scheduler runs here, so no reconciliation: only the redelivered job can carry on, and
      // it runs all three steps again, each once.
      await expectCompletedOnceBySurvivor(id);
    } finally {
      await dropTrigger();
      await pg('DROP FUNCTION test_park_chain()');
    }
  }, 90_000);
});

describe('a worker process of a split deployment', () => {
  let child: EngineProcess | undefined;
  afterEach(async () => {
    child?.signal('SIGKILL');
    await child?.exited;
  });

  it('serves its own step metrics on METRICS_PORT', async () => {
    const port = await freePort();
    child = spawnWorker({ METRICS_PORT: String(port) });
    const id = await startInstance();
    await eventually(async () => ((await ledger(id)).status === 'completed' ? true : undefined), 30_000, 'the child worker to run the instance');
    const text = await eventually(async () => {
      const res = await fetch(`http://127.0.0.1:${port}/metrics`).catch(() => null);
      return res?.ok ? res.text() : undefined;
    }, 10_000, '/metrics on the worker');
    const line = text.split('\n').find((l) => l.startsWith('workflow_step_duration_seconds_count{node_type="service_task",outcome="plan"}'));
    expect(Number(line?.split(' ')[1])).toBeGreaterThanOrEqual(3);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/api/instances`)).status).toBe(404);
  }, 60_000);
});

describe('an I/O step that outlasts its lease', () => {
  let lh: Harness;
  let calls = 0;

  beforeAll(async () => {
    // a one-second lease; no worker: the test delivers the job itself, twice
    lh = await createHarness({ worker: false, env: { WORKFLOW_STEP_LEASE_MS: '1000' } });
    lh.rt.handlers.register({
      type: 'slow_call',
      async execute() {
        calls += 1;
        await new Promise((r) => setTimeout(r, 4000)); // four leases long
        return { contextUpdates: { slow: 'done' } };
      },
    });
  });
  afterAll(() => lh.close());

  it('keeps its lease while the handler works, so a redelivered job does not run it a second time', async () => {
    const token = lh.token('admin', ['admin']);
    const def = await lh
      .http()
      .post('/api/definitions')
      .set(auth(token))
      .send({ name: 'Slow', nodes: [{ id: 'slow', nodeType: 'service_task', name: 'Slow', serviceType: 'slow_call', serviceConfig: {} }], routes: [] });
    expect(def.status).toBe(201);
    const started = await lh.http().post('/api/instances').set(auth(token)).send({ workflowDefinitionId: def.body.id });
    const id = started.body.id as string;
    const [row] = await sqlAsOwner<{ id: string; generation: number }>(lh.db.url, `SELECT id, generation FROM workflow_instance_nodes WHERE instance_id = $1`, [id]);
    const job: NodeJob = { kind: 'run', tenantId: '0a000000-0000-4000-8000-00000000000a', instanceId: id, executionId: row!.id, generation: row!.generation };

    const first = executeNode(lh.rt.ports, job);
    // delivered again well after the first lease would have run out, as after a stalled job
    await new Promise((r) => setTimeout(r, 2500));
    const again = await executeNode(lh.rt.ports, job);
    expect(again.outcome).toBe('noop');
    expect((await first).outcome).toBe('plan');
    expect(calls).toBe(1);
    const res = await lh.http().get(`/api/instances/${id}`).set(auth(token));
    expect(res.body.status).toBe('completed');
    expect(res.body.contextData).toMatchObject({ slow: 'done' });
  }, 30_000);
});
