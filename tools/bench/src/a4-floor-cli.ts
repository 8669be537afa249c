/**
 * A4, the fair floor for W1, as a process of its own (started by workloads/a4-floor.ts, like the
 * engine's all-in-one process): the cheapest honest code that does W1's job in W1's two
 * transactions, in plain tables of its own (schema `bench_a4`, no RLS, no hashing).
 * - intake: Express 5 + express.json + an HS256 JWT verified with jsonwebtoken (the engine's
 *   token), then one transaction inserting the instance row, its first (ready) execution and the
 *   `instance_started` history row, then one BullMQ job;
 * - the job: one transaction that completes the 5 `set_context` steps: per step one execution row
 *   and its `node_started` + `node_completed` history rows, then `instance_completed` and the final
 *   instance update: 5 execution rows and 12 history rows per instance, as the engine writes.
 * Environment: A4_DATABASE_URL, A4_REDIS_URL, A4_PREFIX, A4_JWT_SECRET, A4_POOL_SIZE,
 * A4_CONCURRENCY, A4_PORT. Prints `a4 listening` on stdout when ready.
 */

import { createSecretKey, randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import jwt from 'jsonwebtoken';
import { Queue, Worker, type Job } from 'bullmq';
import { Pool, type PoolClient } from 'pg';
import { createRedisConnection } from '@wf/queue';

/** W1's shape: start -> 5 set_context service tasks -> end */
const STEPS = Array.from({ length: 5 }, (_, i) => ({ id: `step_${i + 1}`, name: `Step ${i + 1}`, values: { [`step${i + 1}`]: true } }));

const A4_SCHEMA_SQL = `
  CREATE SCHEMA IF NOT EXISTS bench_a4;
  CREATE TABLE IF NOT EXISTS bench_a4.instances (
    id uuid PRIMARY KEY, tenant_id uuid NOT NULL, definition_id uuid NOT NULL, status text NOT NULL DEFAULT 'running',
    context_data jsonb NOT NULL DEFAULT '{}'::jsonb, started_by text NOT NULL, version integer NOT NULL DEFAULT 1,
    open_executions integer NOT NULL DEFAULT 0, step_count integer NOT NULL DEFAULT 0,
    started_at timestamptz NOT NULL DEFAULT now(), completed_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now());
  CREATE INDEX IF NOT EXISTS a4_instances_definition ON bench_a4.instances (definition_id, status);
  CREATE TABLE IF NOT EXISTS bench_a4.executions (
    id uuid PRIMARY KEY, tenant_id uuid NOT NULL, instance_id uuid NOT NULL, seq bigint GENERATED ALWAYS AS IDENTITY,
    node_id text NOT NULL, node_type text NOT NULL, node_name text NOT NULL, status text NOT NULL,
    output jsonb, attempts integer NOT NULL DEFAULT 0, ready_at timestamptz NOT NULL DEFAULT now(),
    started_at timestamptz, completed_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now());
  CREATE INDEX IF NOT EXISTS a4_executions_instance ON bench_a4.executions (instance_id);
  CREATE TABLE IF NOT EXISTS bench_a4.history (
    id uuid PRIMARY KEY, tenant_id uuid NOT NULL, instance_id uuid NOT NULL, seq bigint GENERATED ALWAYS AS IDENTITY,
    node_execution_id uuid, event_type text NOT NULL, actor_user_id text, details jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at timestamptz NOT NULL DEFAULT now());
  CREATE INDEX IF NOT EXISTS a4_history_instance ON bench_a4.history (instance_id, seq);`;

interface RunJob {
  readonly tenantId: string;
  readonly instanceId: string;
  readonly firstExecutionId: string;
}

function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
}

async function inTransaction<T>(pool: Pool, work: (c: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const out = await work(client);
    await client.query('COMMIT');
    return out;
  } catch (err) {
    await client.query('ROLLBACK').catch((e: Error) => (broken = e));
    throw err;
  } finally {
    client.release(broken);
  }
}

/** The job's one transaction: the 5 steps, their rows and the instance's end. */
async function runInstance(pool: Pool, j: RunJob): Promise<void> {
  await inTransaction(pool, async (c) => {
    const row = await c.query<{ context_data: Record<string, unknown>; status: string }>(
      'SELECT context_data, status FROM bench_a4.instances WHERE id = $1 FOR UPDATE',
      [j.instanceId],
    );
    const instance = row.rows[0];
    // a redelivered job finds the instance done: nothing to do (no doubled step)
    if (!instance || instance.status !== 'running') return;
    let context = instance.context_data;
    const execIds = [j.firstExecutionId, ...STEPS.slice(1).map(() => randomUUID())];
    const outputs: string[] = [];
    for (const step of STEPS) {
      context = { ...context, ...step.values };
      outputs.push(JSON.stringify(step.values));
    }
    await c.query(`UPDATE bench_a4.executions SET status = 'completed', output = $2, attempts = 1, started_at = now(), completed_at = now(), updated_at = now() WHERE id = $1`, [
      j.firstExecutionId,
      outputs[0],
    ]);
    await c.query(
      `INSERT INTO bench_a4.executions (id, tenant_id, instance_id, node_id, node_type, node_name, status, output, attempts, started_at, completed_at)
       SELECT id, $1, $2, node_id, 'service_task', node_name, 'completed', output::jsonb, 1, now(), now()
       FROM unnest($3::uuid[], $4::text[], $5::text[], $6::text[]) AS s(id, node_id, node_name, output)`,
      [j.tenantId, j.instanceId, execIds.slice(1), STEPS.slice(1).map((s) => s.id), STEPS.slice(1).map((s) => s.name), outputs.slice(1)],
    );
    const events: { id: string; exec: string | null; type: string; details: string }[] = [];
    STEPS.forEach((step, i) => {
      const exec = execIds[i] as string;
      events.push({ id: randomUUID(), exec, type: 'node_started', details: JSON.stringify({ nodeId: step.id, nodeType: 'service_task' }) });
      events.push({ id: randomUUID(), exec, type: 'node_completed', details: JSON.stringify({ nodeId: step.id, output: step.values }) });
    });
    events.push({ id: randomUUID(), exec: null, type: 'instance_completed', details: '{}' });
    await c.query(
      `INSERT INTO bench_a4.history (id, tenant_id, instance_id, node_execution_id, event_type, details)
       SELECT id, $1, $2, exec, type, details::jsonb FROM unnest($3::uuid[], $4::uuid[], $5::text[], $6::text[]) WITH ORDINALITY AS e(id, exec, type, details, n) ORDER BY n`,
      [j.tenantId, j.instanceId, events.map((e) => e.id), events.map((e) => e.exec), events.map((e) => e.type), events.map((e) => e.details)],
    );
    await c.query(
      `UPDATE bench_a4.instances SET status = 'completed', context_data = $2, step_count = step_count + $3, open_executions = 0,
         version = version + 1, completed_at = now(), updated_at = now() WHERE id = $1`,
      [j.instanceId, JSON.stringify(context), STEPS.length],
    );
  });
}

async function main(): Promise<void> {
  const secret = createSecretKey(Buffer.from(env('A4_JWT_SECRET'), 'utf8'));
  const prefix = env('A4_PREFIX');
  const redisUrl = env('A4_REDIS_URL');
  const pool = new Pool({ connectionString: env('A4_DATABASE_URL'), max: Number(env('A4_POOL_SIZE')), application_name: 'wf-bench-a4' });
  pool.on('error', () => undefined);
  await pool.query(A4_SCHEMA_SQL);
  const producer = createRedisConnection(redisUrl, 'producer');
  const consumer = createRedisConnection(redisUrl, 'worker');
  const queue = new Queue<RunJob>('a4', { connection: producer, prefix });
  const worker = new Worker<RunJob>('a4', async (job: Job<RunJob>) => runInstance(pool, job.data), {
    connection: consumer,
    prefix,
    concurrency: Number(env('A4_CONCURRENCY')),
    lockDuration: 10_000,
    stalledInterval: 5_000,
    maxStalledCount: 5,
  });
  worker.on('error', () => undefined);
  await Promise.all([worker.waitUntilReady(), queue.waitUntilReady()]);

  const app = express();
  app.use(express.json({ limit: '1mb' }));
  const auth = (req: Request, res: Response, next: NextFunction) => {
    const header = req.headers.authorization ?? '';
    try {
      const payload = jwt.verify(header.startsWith('Bearer ') ? header.slice(7) : '', secret, { algorithms: ['HS256'] });
      if (typeof payload !== 'object' || typeof payload.sub !== 'string' || typeof payload['tenant'] !== 'string' || typeof payload.exp !== 'number') throw new Error('claims');
      res.locals['actor'] = { tenantId: String(payload['tenant']).toLowerCase(), userId: payload.sub };
      next();
    } catch {
      res.status(401).json({ error: 'INVALID_TOKEN' });
    }
  };
  app.post('/api/instances', auth, async (req: Request, res: Response) => {
    const body = req.body as { workflowDefinitionId?: unknown; contextData?: unknown } | undefined;
    const definitionId = body?.workflowDefinitionId;
    const contextData = body?.contextData ?? {};
    if (typeof definitionId !== 'string' || typeof contextData !== 'object' || contextData === null || Array.isArray(contextData)) {
      res.status(400).json({ error: 'VALIDATION' });
      return;
    }
    const actor = res.locals['actor'] as { tenantId: string; userId: string };
    const job: RunJob = { tenantId: actor.tenantId, instanceId: randomUUID(), firstExecutionId: randomUUID() };
    try {
      await inTransaction(pool, async (c) => {
        await c.query(`INSERT INTO bench_a4.instances (id, tenant_id, definition_id, context_data, started_by, open_executions) VALUES ($1, $2, $3, $4, $5, 1)`, [
          job.instanceId,
          job.tenantId,
          definitionId,
          JSON.stringify(contextData),
          actor.userId,
        ]);
        const first = STEPS[0] as (typeof STEPS)[number];
        await c.query(`INSERT INTO bench_a4.executions (id, tenant_id, instance_id, node_id, node_type, node_name, status) VALUES ($1, $2, $3, $4, 'service_task', $5, 'ready')`, [
          job.firstExecutionId,
          job.tenantId,
          job.instanceId,
          first.id,
          first.name,
        ]);
        await c.query(`INSERT INTO bench_a4.history (id, tenant_id, instance_id, event_type, actor_user_id, details) VALUES ($1, $2, $3, 'instance_started', $4, $5)`, [
          randomUUID(),
          job.tenantId,
          job.instanceId,
          actor.userId,
          JSON.stringify({ definitionId }),
        ]);
      });
      await queue.add('run', job, { jobId: job.instanceId, attempts: 4, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: true, removeOnFail: true });
      res.status(201).json({ id: job.instanceId, status: 'running' });
    } catch (err) {
      res.status(500).json({ error: (err as Error).message });
    }
  });

  const server: Server = app.listen(Number(env('A4_PORT')), '127.0.0.1', () => process.stdout.write('a4 listening\n'));
  server.keepAliveTimeout = 65_000;
  const shutdown = async () => {
    server.close();
    await worker.close();
    await queue.close();
    producer.disconnect();
    consumer.disconnect();
    await pool.end();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown());
  process.on('SIGINT', () => void shutdown());
}

void main().catch((err: unknown) => {
  process.stderr.write(`a4 failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
