/**
 * What one W1 step costs, over the whole life of an engine topology (warm-up, window, drain):
 * Postgres commits (pg_stat_database of the bench database, read after the engine has exited so
 * every backend has flushed its counters, minus the bench's own probe statements), Redis commands
 * (INFO commandstats, every client of that Redis), and CPU time per engine process, of the
 * engine's Postgres backends, of redis-server and of the bench itself.
 *
 * With the queues on BullMQ's PostgreSQL backend there is no Redis to read: the queue's cost is
 * then the CPU of the Postgres backends serving the queue connections (`postgres-queue-backends`)
 * and the rows it writes in the `bullmq` schema; its transactions are in the commit count, which
 * covers the whole database.
 */

import type { Client } from 'pg';
import type { Redis } from 'ioredis';
import { QUEUE_LOGIN } from '@wf/db';
import { QUEUE_SCHEMA } from '@wf/queue';
import type { ProbeDb } from './bench-resources';
import type { EngineCluster } from './engine-cluster';
import {
  CpuMeter,
  diffPg,
  diffRedis,
  engineBackendPids,
  readPgCounters,
  readRedisCounters,
  waitNoBackends,
  type PgCounters,
  type RedisCounters,
  type RedisDelta,
} from './resource-meters';

export interface StepCosts {
  readonly steps: number;
  readonly starts: number;
  /** engine transactions committed (bench probe statements subtracted) */
  readonly pgCommits: number;
  readonly pgRollbacks: number;
  /** commits per step, the API's start transaction included */
  readonly pgCommitsPerStep: number;
  /** commits per step, the start transactions left out: what each automatic step commits */
  readonly pgCommitsPerAutomaticStep: number;
  readonly rowsInsertedPerStep: number;
  readonly rowsUpdatedPerStep: number;
  /** all Redis commands (script-internal ones included) per step */
  readonly redisCommandsPerStep: number;
  /** EVALSHA/EVAL per step: BullMQ script calls, each a round trip unless pipelined */
  readonly redisScriptCallsPerStep: number;
  readonly redisTopCommands: RedisDelta['top'];
  /** where the queues were; on postgres the redis figures are 0 and the queue's own are set */
  readonly queueBackend: 'redis' | 'postgres';
  /** postgres backend: rows inserted, updated and deleted per step in the `bullmq` schema (jobs, locks, events), else null */
  readonly queueRowsWrittenPerStep: number | null;
  /** CPU µs per step of each engine process, by name */
  readonly cpuMicrosPerStep: Record<string, number>;
  /** share of that CPU spent in the kernel (system time: sockets, fsync, scheduling) */
  readonly cpuSystemShare: Record<string, number>;
  readonly probeStatements: number;
  /** share of row updates that were HOT (no index entries written), per table, over the database's life so far */
  readonly hotUpdateShare: Record<string, number>;
  /** false when some backend was still connected when the counters were read */
  readonly pgCountersComplete: boolean;
}

/** What the queues ran on: the bench's Redis, or BullMQ's PostgreSQL backend in the accounted database. */
export type QueueCostSource = { readonly kind: 'redis'; readonly redis: Redis } | { readonly kind: 'postgres' };

export class StepAccounting {
  private constructor(
    private readonly queue: QueueCostSource,
    private readonly pg0: PgCounters,
    private readonly redis0: RedisCounters | null,
    private readonly queueRows0: number,
    private readonly probe0: number,
    private readonly cpu: CpuMeter,
    private readonly backendPids0: BackendPids,
    private readonly cpuBench0: NodeJS.CpuUsage,
  ) {}

  /** Call with the engine idle and the probe pool freshly recycled. */
  static async begin(admin: Client, dbName: string, queue: QueueCostSource, probe: ProbeDb, cluster: EngineCluster): Promise<StepAccounting> {
    await probe.recycle();
    const [pg0, redis0, backends, queueRows0] = await Promise.all([
      readPgCounters(admin, dbName),
      queue.kind === 'redis' ? readRedisCounters(queue.redis) : null,
      backendPids(admin, dbName, queue),
      queue.kind === 'postgres' ? queueRowsWritten(probe) : 0,
    ]);
    const cpu = new CpuMeter([...cluster.pids, ...backends.engine, ...backends.queue, ...(redis0 ? [redis0.pid] : [])]);
    return new StepAccounting(queue, pg0, redis0, queueRows0, probe.queries, cpu, backends, process.cpuUsage());
  }

  /**
   * Call once the workload has drained: reads Redis and CPU, then stops the engine, closes the
   * probe pool and reads the Postgres counters once every backend is gone.
   */
  async end(admin: Client, dbName: string, probe: ProbeDb, cluster: EngineCluster, work: { steps: number; starts: number }): Promise<StepCosts> {
    const redis1 = this.queue.kind === 'redis' ? await readRedisCounters(this.queue.redis) : null;
    const now = await backendPids(admin, dbName, this.queue);
    const backends = [...new Set([...this.backendPids0.engine, ...now.engine])];
    const queueBackends = [...new Set([...this.backendPids0.queue, ...now.queue])];
    const cpu: Record<string, number> = {};
    const sysShare: Record<string, number> = {};
    const perStep = (us: number) => us / Math.max(1, work.steps);
    const record = (name: string, t: { user: number; sys: number }) => {
      cpu[name] = perStep(t.user + t.sys);
      sysShare[name] = t.user + t.sys > 0 ? t.sys / (t.user + t.sys) : 0;
    };
    for (const p of cluster.processes) record(p.name, this.cpu.usedSplit([p.pid]));
    record('postgres-backends', this.cpu.usedSplit(backends));
    if (redis1) record('redis-server', this.cpu.usedSplit([redis1.pid]));
    else record('postgres-queue-backends', this.cpu.usedSplit(queueBackends));
    const bench = process.cpuUsage(this.cpuBench0);
    record('bench', { user: bench.user, sys: bench.system });
    const probeStatements = probe.queries - this.probe0;

    await cluster.stop();
    await probe.recycle();
    const complete = await waitNoBackends(admin, dbName);
    const pg = diffPg(this.pg0, await readPgCounters(admin, dbName));
    const r = this.redis0 && redis1 ? diffRedis(this.redis0, redis1) : { totalCalls: 0, scriptCalls: 0, top: [] };
    const queueRows = this.queue.kind === 'postgres' ? (await queueRowsWritten(probe)) - this.queueRows0 : null;
    const hot = await probe.query<{ relname: string; upd: string; hot: string }>(
      `SELECT relname, n_tup_upd AS upd, n_tup_hot_upd AS hot FROM pg_stat_user_tables
       WHERE relname IN ('workflow_instances', 'workflow_instance_nodes')`,
    );
    const hotUpdateShare = Object.fromEntries(hot.rows.map((row) => [row.relname, Number(row.upd) > 0 ? Number(row.hot) / Number(row.upd) : 0]));
    const commits = pg.xactCommit - probeStatements;
    const steps = Math.max(1, work.steps);
    return {
      steps: work.steps,
      starts: work.starts,
      pgCommits: commits,
      pgRollbacks: pg.xactRollback,
      pgCommitsPerStep: commits / steps,
      pgCommitsPerAutomaticStep: (commits - work.starts) / steps,
      rowsInsertedPerStep: pg.tupInserted / steps,
      rowsUpdatedPerStep: pg.tupUpdated / steps,
      redisCommandsPerStep: r.totalCalls / steps,
      redisScriptCallsPerStep: r.scriptCalls / steps,
      redisTopCommands: r.top,
      queueBackend: this.queue.kind,
      queueRowsWrittenPerStep: queueRows === null ? null : queueRows / steps,
      cpuMicrosPerStep: cpu,
      cpuSystemShare: sysShare,
      probeStatements,
      hotUpdateShare,
      pgCountersComplete: complete,
    };
  }
}

interface BackendPids {
  /** the engine's own pools (its store, database_query steps) */
  readonly engine: number[];
  /** the PostgreSQL queue backend's pools and LISTEN connections (none on Redis) */
  readonly queue: number[];
}

/**
 * On Redis: the engine's backends as ever (application_name workflow-*). On the PostgreSQL queue
 * backend the queue's are every backend of the queue login (its producer pool, each worker's pool
 * and the LISTEN connections BullMQ names after their queue), and the engine's are the rest of
 * workflow-*.
 */
async function backendPids(admin: Client, dbName: string, queue: QueueCostSource): Promise<BackendPids> {
  if (queue.kind === 'redis') return { engine: await engineBackendPids(admin, dbName), queue: [] };
  const r = await admin.query<{ pid: number; is_queue: boolean }>(
    `SELECT pid, usename = $2 AS is_queue FROM pg_stat_activity
     WHERE datname = $1 AND (usename = $2 OR application_name LIKE 'workflow-%')`,
    [dbName, QUEUE_LOGIN],
  );
  return { engine: r.rows.filter((row) => !row.is_queue).map((row) => row.pid), queue: r.rows.filter((row) => row.is_queue).map((row) => row.pid) };
}

/** Rows inserted, updated and deleted so far in BullMQ's schema (its backends flush them at the latest when they exit). */
async function queueRowsWritten(probe: ProbeDb): Promise<number> {
  const r = await probe.query<{ n: string | null }>(`SELECT sum(n_tup_ins + n_tup_upd + n_tup_del) AS n FROM pg_stat_user_tables WHERE schemaname = $1`, [QUEUE_SCHEMA]);
  return Number(r.rows[0]?.n ?? 0);
}
