/**
 * Counters read before and after a workload: Postgres (pg_stat_database of the bench database),
 * Redis (INFO commandstats and memory, shared with every other client of that Redis) and CPU
 * time of processes (/proc/<pid>/stat).
 */

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Client } from 'pg';
import type { Redis } from 'ioredis';

export interface PgCounters {
  readonly xactCommit: number;
  readonly xactRollback: number;
  readonly tupInserted: number;
  readonly tupUpdated: number;
  readonly tupFetched: number;
}

export async function readPgCounters(admin: Client, dbName: string): Promise<PgCounters> {
  const r = await admin.query<{ c: string; r: string; i: string; u: string; f: string }>(
    `SELECT xact_commit AS c, xact_rollback AS r, tup_inserted AS i, tup_updated AS u, tup_fetched AS f
     FROM pg_stat_database WHERE datname = $1`,
    [dbName],
  );
  const row = r.rows[0];
  if (!row) throw new Error(`no pg_stat_database row for ${dbName}`);
  return { xactCommit: Number(row.c), xactRollback: Number(row.r), tupInserted: Number(row.i), tupUpdated: Number(row.u), tupFetched: Number(row.f) };
}

export function diffPg(a: PgCounters, b: PgCounters): PgCounters {
  return {
    xactCommit: b.xactCommit - a.xactCommit,
    xactRollback: b.xactRollback - a.xactRollback,
    tupInserted: b.tupInserted - a.tupInserted,
    tupUpdated: b.tupUpdated - a.tupUpdated,
    tupFetched: b.tupFetched - a.tupFetched,
  };
}

/**
 * Wait until no backend is connected to the database (the engine processes have exited), so
 * every backend has flushed its statistics: Postgres 15 flushes an idle backend's counters only
 * every 10 s, but always at exit.
 */
export async function waitNoBackends(admin: Client, dbName: string, timeoutMs = 10_000): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const r = await admin.query<{ n: string }>(`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1`, [dbName]);
    if (Number(r.rows[0]?.n ?? 0) === 0) return true;
    await new Promise((res) => setTimeout(res, 100));
  }
  return false;
}

/** Pids of the Postgres backends serving the engine (application_name workflow-*). */
export async function engineBackendPids(admin: Client, dbName: string): Promise<number[]> {
  const r = await admin.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name LIKE 'workflow-%'`,
    [dbName],
  );
  return r.rows.map((row) => row.pid);
}

export interface RedisCounters {
  /** every command executed, including those a Lua script runs, from every client */
  readonly totalCalls: number;
  readonly calls: ReadonlyMap<string, number>;
  readonly usedMemory: number;
  readonly pid: number;
}

export async function readRedisCounters(redis: Redis): Promise<RedisCounters> {
  const [stats, memory, server] = await Promise.all([redis.info('commandstats'), redis.info('memory'), redis.info('server')]);
  const calls = new Map<string, number>();
  let totalCalls = 0;
  for (const line of stats.split('\n')) {
    const m = /^cmdstat_([^:]+):calls=(\d+)/.exec(line.trim());
    if (!m) continue;
    const n = Number(m[2]);
    calls.set(m[1] as string, n);
    totalCalls += n;
  }
  const usedMemory = Number(/used_memory:(\d+)/.exec(memory)?.[1] ?? Number.NaN);
  const pid = Number(/process_id:(\d+)/.exec(server)?.[1] ?? 0);
  return { totalCalls, calls, usedMemory, pid };
}

export interface RedisDelta {
  readonly totalCalls: number;
  /** EVALSHA/EVAL/FCALL: one per BullMQ script call, each a round trip unless pipelined */
  readonly scriptCalls: number;
  /** calls not made from scripts would be totalCalls minus the scripts' inner calls; Redis 7 cannot tell them apart */
  readonly top: readonly { command: string; calls: number }[];
  readonly usedMemory: number;
}

const SCRIPT_COMMANDS = new Set(['evalsha', 'eval', 'evalsha_ro', 'eval_ro', 'fcall', 'fcall_ro']);

export function diffRedis(a: RedisCounters, b: RedisCounters): RedisDelta {
  const deltas: { command: string; calls: number }[] = [];
  let scriptCalls = 0;
  for (const [command, n] of b.calls) {
    const d = n - (a.calls.get(command) ?? 0);
    if (d <= 0) continue;
    deltas.push({ command, calls: d });
    if (SCRIPT_COMMANDS.has(command)) scriptCalls += d;
  }
  deltas.sort((x, y) => y.calls - x.calls);
  return { totalCalls: b.totalCalls - a.totalCalls, scriptCalls, top: deltas.slice(0, 8), usedMemory: b.usedMemory - a.usedMemory };
}

/** Bytes held by the keys under a prefix (MEMORY USAGE of each), optionally leaving some out. */
export async function prefixMemory(redis: Redis, prefix: string, skip?: (key: string) => boolean): Promise<{ bytes: number; keys: number }> {
  let cursor = '0';
  let bytes = 0;
  let keys = 0;
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    const wanted = skip ? found.filter((k) => !skip(k)) : found;
    if (wanted.length === 0) continue;
    const pipe = redis.pipeline();
    for (const k of wanted) pipe.memory('USAGE', k, 'SAMPLES', '0');
    const results = (await pipe.exec()) ?? [];
    for (const [err, value] of results) {
      if (!err && typeof value === 'number') bytes += value;
    }
    keys += wanted.length;
  } while (cursor !== '0');
  return { bytes, keys };
}

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** User and system (kernel) CPU time of a process in microseconds; null when it is gone or unreadable. */
function cpuTimes(pid: number): { user: number; sys: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state): utime is field 14, stime field 15
    const us = 1e6 / clockTicks();
    return { user: Number(fields[11]) * us, sys: Number(fields[12]) * us };
  } catch {
    return null;
  }
}

/** utime + stime of a process in microseconds; null when it is gone or unreadable. */
function cpuMicros(pid: number): number | null {
  const t = cpuTimes(pid);
  return t ? t.user + t.sys : null;
}

/** CPU of a set of processes between two readings; a pid first seen later counts from zero. */
export class CpuMeter {
  private readonly start = new Map<number, { user: number; sys: number }>();

  constructor(pids: readonly number[]) {
    for (const pid of pids) {
      const v = cpuTimes(pid);
      if (v !== null) this.start.set(pid, v);
    }
  }

  /** microseconds used since construction by these pids (those that vanished count as 0) */
  used(pids: readonly number[]): number {
    const t = this.usedSplit(pids);
    return t.user + t.sys;
  }

  /** the same, split into user and system (kernel) time */
  usedSplit(pids: readonly number[]): { user: number; sys: number } {
    let user = 0;
    let sys = 0;
    for (const pid of pids) {
      const v = cpuTimes(pid);
      if (v === null) continue;
      const s0 = this.start.get(pid) ?? { user: 0, sys: 0 };
      user += v.user - s0.user;
      sys += v.sys - s0.sys;
    }
    return { user, sys };
  }
}

/**
 * CPU used by named groups of processes (and by the bench process itself, as `bench`) between
 * `start` and `stop`, in microseconds.
 */
export class WindowCpu {
  private constructor(
    private readonly meter: CpuMeter,
    private readonly groups: Record<string, number[]>,
    private readonly self0: NodeJS.CpuUsage,
  ) {}

  static start(groups: Record<string, number[]>): WindowCpu {
    return new WindowCpu(new CpuMeter(Object.values(groups).flat()), groups, process.cpuUsage());
  }

  stop(): Record<string, number> {
    const out: Record<string, number> = {};
    const self = process.cpuUsage(this.self0);
    out['bench'] = self.user + self.system;
    for (const [name, pids] of Object.entries(this.groups)) out[name] = this.meter.used(pids);
    return out;
  }
}

/**
 * Wait until every process is nearly idle (under 10 % of a core over 250 ms): a freshly started
 * engine spends its first seconds compiling TypeScript and migrating, which is no step's cost.
 */
export async function waitQuiet(pids: readonly number[], timeoutMs = 20_000): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const a = pids.map((p) => cpuMicros(p) ?? 0);
    await new Promise((res) => setTimeout(res, 250));
    const b = pids.map((p) => cpuMicros(p) ?? 0);
    if (b.every((v, i) => v - (a[i] as number) < 25_000)) return true;
  }
  return false;
}
