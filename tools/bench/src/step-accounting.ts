/**
 * What one W1 step costs, over the whole life of an engine topology (warm-up, window, drain):
 * Postgres commits (pg_stat_database of the bench database, read after the engine has exited so
 * every backend has flushed its counters, minus the bench's own probe statements), Redis commands
 * (INFO commandstats, every client of that Redis), and CPU time per engine process, of the
 * engine's Postgres backends, of redis-server and of the bench itself.
 */

import type { Client } from 'pg';
import type { Redis } from 'ioredis';
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

export class StepAccounting {
  private constructor(
    private readonly pg0: PgCounters,
    private readonly redis0: RedisCounters,
    private readonly probe0: number,
    private readonly cpu: CpuMeter,
    private readonly backendPids0: number[],
    private readonly cpuBench0: NodeJS.CpuUsage,
  ) {}

  /** Call with the engine idle and the probe pool freshly recycled. */
  static async begin(admin: Client, dbName: string, redis: Redis, probe: ProbeDb, cluster: EngineCluster): Promise<StepAccounting> {
    await probe.recycle();
    const [pg0, redis0, backends] = await Promise.all([readPgCounters(admin, dbName), readRedisCounters(redis), engineBackendPids(admin, dbName)]);
    const cpu = new CpuMeter([...cluster.pids, ...backends, redis0.pid]);
    return new StepAccounting(pg0, redis0, probe.queries, cpu, backends, process.cpuUsage());
  }

  /**
   * Call once the workload has drained: reads Redis and CPU, then stops the engine, closes the
   * probe pool and reads the Postgres counters once every backend is gone.
   */
  async end(admin: Client, dbName: string, redis: Redis, probe: ProbeDb, cluster: EngineCluster, work: { steps: number; starts: number }): Promise<StepCosts> {
    const redis1 = await readRedisCounters(redis);
    const backends = [...new Set([...this.backendPids0, ...(await engineBackendPids(admin, dbName))])];
    const cpu: Record<string, number> = {};
    const sysShare: Record<string, number> = {};
    const perStep = (us: number) => us / Math.max(1, work.steps);
    const record = (name: string, t: { user: number; sys: number }) => {
      cpu[name] = perStep(t.user + t.sys);
      sysShare[name] = t.user + t.sys > 0 ? t.sys / (t.user + t.sys) : 0;
    };
    for (const p of cluster.processes) record(p.name, this.cpu.usedSplit([p.pid]));
    record('postgres-backends', this.cpu.usedSplit(backends));
    record('redis-server', this.cpu.usedSplit([redis1.pid]));
    const bench = process.cpuUsage(this.cpuBench0);
    record('bench', { user: bench.user, sys: bench.system });
    const probeStatements = probe.queries - this.probe0;

    await cluster.stop();
    await probe.recycle();
    const complete = await waitNoBackends(admin, dbName);
    const pg = diffPg(this.pg0, await readPgCounters(admin, dbName));
    const r = diffRedis(this.redis0, redis1);
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
      cpuMicrosPerStep: cpu,
      cpuSystemShare: sysShare,
      probeStatements,
      hotUpdateShare,
      pgCountersComplete: complete,
    };
  }
}
