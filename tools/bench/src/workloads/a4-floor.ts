/**
 * A4, the fair floor for W1: a process of its own (a4-floor-cli.ts: Express + JWT intake and one
 * transaction inserting the instance, then one BullMQ job and one transaction writing the rest,
 * the same rows as the engine writes for W1, in plain tables of schema `bench_a4`), driven by the
 * same closed loop as W1 (runClosedLoop) at the same number of instances in flight.
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Client } from 'pg';
import type { Redis } from 'ioredis';
import { freePort, JsonHttpClient } from '@wf/testkit';
import type { ProbeDb } from '../bench-resources';
import type { Correctness } from '../correctness';
import { CpuMeter } from '../resource-meters';
import { sleep } from '../stats';
import { runClosedLoop, type ClosedLoopResult } from './w1-straight-through';

const A4_STEPS = 5;

export interface A4Options {
  readonly dbUrl: string;
  readonly dbName: string;
  readonly redisUrl: string;
  /** a prefix of its own: never the engine's */
  readonly prefix: string;
  readonly jwtSecret: string;
  /** a token the intake accepts (the bench starter's) */
  readonly token: string;
  readonly poolSize: number;
  readonly concurrency: number;
  readonly inflight: number;
  readonly warmupSeconds: number;
  readonly seconds: number;
  readonly drainTimeoutSeconds: number;
}

export interface A4Result {
  readonly loop: ClosedLoopResult;
  /** CPU µs per instance over the whole loop (warm-up, window, drain): A4's process, its Postgres backends, redis-server */
  readonly cpuMicrosPerInstance: Record<string, number>;
  readonly correctness: Correctness;
}

const A4_TABLE = 'bench_a4.instances';

class A4Process {
  private tail = '';
  private exited = false;

  private constructor(readonly child: ChildProcess) {
    child.stdout?.on('data', (d: Buffer) => (this.tail = (this.tail + d.toString()).slice(-8000)));
    child.stderr?.on('data', (d: Buffer) => (this.tail = (this.tail + d.toString()).slice(-8000)));
    child.once('exit', () => (this.exited = true));
  }

  static async start(o: A4Options, port: number): Promise<A4Process> {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, '..', 'a4-floor-cli.ts')], {
      env: {
        PATH: process.env['PATH'] ?? '',
        NODE_ENV: 'production',
        A4_DATABASE_URL: o.dbUrl,
        A4_REDIS_URL: o.redisUrl,
        A4_PREFIX: o.prefix,
        A4_JWT_SECRET: o.jwtSecret,
        A4_POOL_SIZE: String(o.poolSize),
        A4_CONCURRENCY: String(o.concurrency),
        A4_PORT: String(port),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.once('error', () => undefined);
    const p = new A4Process(child);
    const until = Date.now() + 60_000;
    while (!p.tail.includes('a4 listening')) {
      if (p.exited) throw new Error(`A4 exited during start-up:\n${p.tail}`);
      if (Date.now() > until) {
        await p.stop();
        throw new Error(`A4 not ready after 60 s:\n${p.tail}`);
      }
      await sleep(50);
    }
    return p;
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  assertAlive(): void {
    if (this.exited) throw new Error(`A4 exited unexpectedly:\n${this.tail}`);
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((res) => this.child.once('exit', () => res()));
    this.child.kill('SIGTERM');
    await Promise.race([gone, sleep(10_000)]);
    if (!this.exited) this.child.kill('SIGKILL');
  }
}

async function a4Backends(admin: Client, dbName: string): Promise<number[]> {
  const r = await admin.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name = 'wf-bench-a4'`, [dbName]);
  return r.rows.map((row) => row.pid);
}

/** Every started instance completed once, with 5 completed execution rows and 12 history rows (one terminal). */
async function checkA4(db: ProbeDb, ids: readonly string[]): Promise<Correctness> {
  const r = await db.query<Record<string, string>>(
    `WITH ids AS (SELECT DISTINCT unnest($1::uuid[]) AS id),
     per AS (SELECT ids.id, i.status, i.completed_at, i.step_count,
               (SELECT count(*) FROM bench_a4.executions e WHERE e.instance_id = ids.id) AS execs,
               (SELECT count(*) FROM bench_a4.executions e WHERE e.instance_id = ids.id AND e.status = 'completed') AS done,
               (SELECT count(*) FROM bench_a4.history h WHERE h.instance_id = ids.id AND h.event_type = 'node_completed') AS node_events,
               (SELECT count(*) FROM bench_a4.history h WHERE h.instance_id = ids.id AND h.event_type = 'instance_completed') AS terminal
             FROM ids LEFT JOIN bench_a4.instances i ON i.id = ids.id)
     SELECT count(*) AS n, count(*) FILTER (WHERE status IS NULL) AS missing,
       count(*) FILTER (WHERE status = 'completed' AND completed_at IS NOT NULL) AS completed,
       count(*) FILTER (WHERE status = 'running') AS running,
       coalesce(sum(greatest($2::int - done, 0)), 0) AS lost,
       coalesce(sum(greatest(execs - $2::int, node_events - $2::int, coalesce(step_count, 0) - $2::int, 0)), 0) AS dup,
       count(*) FILTER (WHERE terminal <> 1) AS bad_terminal
     FROM per`,
    [ids, A4_STEPS],
  );
  const row = r.rows[0] ?? {};
  const n = (k: string) => Number(row[k] ?? 0);
  return { instances: n('n'), completed: n('completed'), running: n('running'), missing: n('missing'), lostSteps: n('lost'), duplicateSteps: n('dup'), badTerminal: n('bad_terminal') };
}

export async function runA4(o: A4Options, admin: Client, probe: ProbeDb, redis: Redis): Promise<A4Result> {
  const port = await freePort();
  const a4 = await A4Process.start(o, port);
  const api = new JsonHttpClient(`http://127.0.0.1:${port}`);
  const redisPid = Number(/process_id:(\d+)/.exec(await redis.info('server'))?.[1] ?? 0);
  try {
    const driver = {
      start: async (definitionId: string, contextData: object) => {
        const res = await api.request<{ id?: string }>('POST', '/api/instances', o.token, { workflowDefinitionId: definitionId, contextData });
        return { id: res.status === 201 && res.body.id ? res.body.id : null, status: res.status, receivedAt: res.receivedAt };
      },
      cluster: a4,
    };
    const backends0 = await a4Backends(admin, o.dbName);
    const cpu = new CpuMeter([a4.pid, ...backends0, redisPid]);
    const loop = await runClosedLoop(driver, probe, { backlog: () => redis.llen(`${o.prefix}:a4:wait`) }, {
      definitionId: randomUUID(),
      inflight: o.inflight,
      warmupSeconds: o.warmupSeconds,
      seconds: o.seconds,
      drainTimeoutSeconds: o.drainTimeoutSeconds,
      steps: A4_STEPS,
      instancesTable: A4_TABLE,
    });
    const backends = [...new Set([...backends0, ...(await a4Backends(admin, o.dbName))])];
    const perInstance = (us: number) => us / Math.max(1, loop.ids.length);
    const cpuMicrosPerInstance = {
      a4: perInstance(cpu.used([a4.pid])),
      'postgres-backends': perInstance(cpu.used(backends)),
      'redis-server': perInstance(cpu.used([redisPid])),
    };
    return { loop, cpuMicrosPerInstance, correctness: await checkA4(probe, loop.ids) };
  } finally {
    api.close();
    await a4.stop();
  }
}
