/**
 * The machine's ceilings, measured in the bench process with the engine stopped:
 * - A1: raw BullMQ chained steps (a job whose handler enqueues the next), no Postgres;
 * - A2: the thinnest engine: per step one BullMQ job and one raw `pg` transaction
 *   (BEGIN; UPDATE a state row; INSERT a history row; COMMIT; then enqueue the next);
 * - A3: the Postgres commit ceiling: concurrent single-row INSERT transactions.
 * A1 and A2 use the engine's Redis connection settings and job options, the engine's worker
 * concurrency and (A2, A3) its pool size.
 */

import { Queue, Worker, type Job, type JobsOptions } from 'bullmq';
import { Pool, type PoolClient } from 'pg';
import { createRedisConnection } from '@wf/queue';
import { deletePrefixKeys } from './bench-resources';
import type { Redis } from 'ioredis';
import { WindowCpu } from './resource-meters';
import { sleep } from './stats';

export interface AnchorResult {
  /** steps (A1, A2) or commits (A3) per second over the measured window */
  readonly perSecond: number;
  readonly count: number;
  readonly seconds: number;
  /** CPU µs per step (commit) over the window: the bench process, Postgres backends, redis-server */
  readonly cpuMicrosPerStep: Record<string, number>;
}

/** Pids of the processes an anchor loads besides the bench itself, by group name. */
export type CpuGroups = () => Promise<Record<string, number[]>>;

function perStep(cpu: Record<string, number>, count: number): Record<string, number> {
  return Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, v / Math.max(1, count)]));
}

export interface ChainAnchorOptions {
  readonly redisUrl: string;
  /** a prefix of its own: never the engine's */
  readonly prefix: string;
  readonly concurrency: number;
  /** chains kept in flight */
  readonly chains: number;
  readonly chainSteps: number;
  readonly warmupSeconds: number;
  readonly seconds: number;
}

interface StepJob {
  readonly slot: number;
  readonly chain: number;
  readonly step: number;
}

/** What the engine gives every node job (libs/queue nodeJobOptions), with a job id per step. */
function jobOptions(j: StepJob): JobsOptions {
  return {
    jobId: `c${j.chain}-s${j.step}`,
    attempts: 4,
    backoff: { type: 'exponential', delay: 1000 },
    removeOnComplete: true,
    removeOnFail: true,
  };
}

/** After the warm-up, count what `done()` counts over `o.seconds`, with the CPU the groups used meanwhile. */
async function measureWindow(
  o: { readonly warmupSeconds: number; readonly seconds: number },
  cpuGroups: CpuGroups,
  done: () => number,
): Promise<AnchorResult> {
  await sleep(o.warmupSeconds * 1000);
  const cpu = WindowCpu.start(await cpuGroups());
  const d0 = done();
  const t0 = performance.now();
  await sleep(o.seconds * 1000);
  const count = done() - d0;
  const seconds = (performance.now() - t0) / 1000;
  const used = cpu.stop();
  return { perSecond: count / seconds, count, seconds, cpuMicrosPerStep: perStep(used, count) };
}

/**
 * Run chains of `chainSteps` jobs, each job's handler doing `work` and then enqueueing the next
 * step (or a new chain in the same slot): `chains` chains stay in flight.
 */
async function runChains(o: ChainAnchorOptions, redis: Redis, cpuGroups: CpuGroups, work: (j: StepJob) => Promise<void>): Promise<AnchorResult> {
  const producer = createRedisConnection(o.redisUrl, 'producer');
  const consumer = createRedisConnection(o.redisUrl, 'worker');
  const queue = new Queue<StepJob>('steps', { connection: producer, prefix: o.prefix });
  let stopping = false;
  let done = 0;
  let nextChain = o.chains;
  let failure: Error | undefined;
  const worker = new Worker<StepJob>(
    'steps',
    async (job: Job<StepJob>) => {
      const j = job.data;
      await work(j);
      done += 1;
      if (stopping) return;
      const next: StepJob = j.step < o.chainSteps ? { ...j, step: j.step + 1 } : { slot: j.slot, chain: nextChain++, step: 1 };
      await queue.add('step', next, jobOptions(next));
    },
    { connection: consumer, prefix: o.prefix, concurrency: o.concurrency, lockDuration: 10_000, stalledInterval: 5_000, maxStalledCount: 5 },
  );
  worker.on('failed', (_job, err) => (failure ??= err));
  worker.on('error', (err) => (failure ??= err));
  try {
    await Promise.all([worker.waitUntilReady(), queue.waitUntilReady()]);
    const first = Array.from({ length: o.chains }, (_, i): StepJob => ({ slot: i + 1, chain: i, step: 1 }));
    await queue.addBulk(first.map((j) => ({ name: 'step', data: j, opts: jobOptions(j) })));
    const result = await measureWindow(o, cpuGroups, () => done);
    if (failure) throw new Error(`anchor step failed: ${failure.message}`);
    return result;
  } finally {
    stopping = true;
    await worker.close();
    await queue.close();
    producer.disconnect();
    consumer.disconnect();
    await deletePrefixKeys(redis, o.prefix);
  }
}

/** A1: BullMQ alone. */
export async function runA1(o: ChainAnchorOptions, redis: Redis, cpuGroups: CpuGroups): Promise<AnchorResult> {
  return runChains(o, redis, cpuGroups, async () => undefined);
}

async function prepareAnchorTables(pool: Pool): Promise<void> {
  await pool.query(`
    CREATE TABLE IF NOT EXISTS bench_a2_state (slot integer PRIMARY KEY, chain integer NOT NULL, step integer NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now());
    CREATE TABLE IF NOT EXISTS bench_a2_history (id bigserial PRIMARY KEY, slot integer NOT NULL, chain integer NOT NULL,
      step integer NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
    CREATE TABLE IF NOT EXISTS bench_a3_commits (id bigserial PRIMARY KEY, worker integer NOT NULL, n integer NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now());`);
}

/** A2: one BullMQ job plus one raw pg transaction per step, the pool sized like the engine's. */
export async function runA2(
  o: ChainAnchorOptions & { readonly dbUrl: string; readonly poolSize: number },
  redis: Redis,
  cpuGroups: CpuGroups,
): Promise<AnchorResult & { historyRows: number }> {
  const pool = new Pool({ connectionString: o.dbUrl, max: o.poolSize, application_name: 'wf-bench-a2' });
  pool.on('error', () => undefined);
  try {
    await prepareAnchorTables(pool);
    await pool.query('TRUNCATE bench_a2_state, bench_a2_history');
    await pool.query(`INSERT INTO bench_a2_state (slot, chain, step) SELECT g, g - 1, 0 FROM generate_series(1, $1) g`, [o.chains]);
    const result = await runChains(o, redis, cpuGroups, async (j) => {
      const client: PoolClient = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        await client.query('UPDATE bench_a2_state SET chain = $2, step = $3, updated_at = now() WHERE slot = $1', [j.slot, j.chain, j.step]);
        await client.query('INSERT INTO bench_a2_history (slot, chain, step) VALUES ($1, $2, $3)', [j.slot, j.chain, j.step]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch((e: Error) => (broken = e));
        throw err;
      } finally {
        client.release(broken);
      }
    });
    const rows = await pool.query<{ n: string }>('SELECT count(*) AS n FROM bench_a2_history');
    return { ...result, historyRows: Number(rows.rows[0]?.n ?? 0) };
  } finally {
    await pool.end();
  }
}

/** A3: `poolSize` connections inserting one row per transaction as fast as they can. */
export async function runA3(
  o: { readonly dbUrl: string; readonly poolSize: number; readonly warmupSeconds: number; readonly seconds: number },
  cpuGroups: CpuGroups,
): Promise<AnchorResult> {
  const pool = new Pool({ connectionString: o.dbUrl, max: o.poolSize, application_name: 'wf-bench-a3' });
  pool.on('error', () => undefined);
  try {
    await prepareAnchorTables(pool);
    let done = 0;
    let stop = false;
    const loops = Array.from({ length: o.poolSize }, async (_, w) => {
      let n = 0;
      while (!stop) {
        await pool.query('INSERT INTO bench_a3_commits (worker, n) VALUES ($1, $2)', [w, n++]);
        done += 1;
      }
    });
    const result = await measureWindow(o, cpuGroups, () => done);
    stop = true;
    await Promise.all(loops);
    return result;
  } finally {
    await pool.end();
  }
}
