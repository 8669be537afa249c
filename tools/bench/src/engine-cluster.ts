/**
 * The real engine as child processes, exactly as it is deployed (the test kit's launcher),
 * configured only through the environment. Two topologies: all-in-one
 * (`apps/all-in-one`) and split (`apps/api` + 2 workers + 1 scheduler).
 */

import { CONFIG_SETTING_NAMES } from '@wf/runtime';
import { freePort, launchEngine, type EngineEntry, type EngineProcess } from '@wf/testkit';
import { sleep } from './stats';

export type Topology = 'all-in-one' | 'split';

export interface EngineSettings {
  readonly databaseUrl: string;
  readonly redisUrl: string;
  readonly queuePrefix: string;
  /**
   * QUEUE_BACKEND, default redis (at redisUrl under queuePrefix). postgres: BullMQ's PostgreSQL
   * backend in the bench database, its schema migrated by the engine at start-up (DATABASE_URL is
   * the superuser); REDIS_URL is then not set.
   */
  readonly queueBackend?: 'redis' | 'postgres';
  readonly jwtSecret: string;
  readonly poolSize: number;
  readonly concurrency: number;
  /** HTTP_CALL_ALLOWED_HOSTS (W7's local HTTP server), default none */
  readonly httpCallAllowedHosts?: readonly string[];
  /** extra node flags for every engine process (`--profile` adds `--cpu-prof`), default none */
  readonly nodeArgs?: readonly string[];
}

/** Engine variables a caller's shell might set (all of them, from the config schema); the bench sets or clears each one itself. */
const ENGINE_ENV = CONFIG_SETTING_NAMES;

export class EngineCluster {
  constructor(
    readonly topology: Topology,
    readonly processes: readonly EngineProcess[],
    readonly apiUrl: string,
    /** worker slots over all worker processes */
    readonly totalConcurrency: number,
  ) {}

  get pids(): number[] {
    return this.processes.map((p) => p.pid);
  }

  /** A process that exited on its own is a failed run. */
  assertAlive(): void {
    const dead = this.processes.find((p) => !p.running);
    if (dead) throw new Error(`engine process ${dead.name} exited unexpectedly:\n${dead.tail()}`);
  }

  async stop(): Promise<void> {
    await Promise.all(this.processes.map((p) => p.stop()));
  }
}

async function waitReady(apiUrl: string, procs: readonly EngineProcess[], timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < until) {
    const dead = procs.find((p) => !p.running);
    if (dead) throw new Error(`engine process ${dead.name} exited during start-up:\n${dead.tail()}`);
    try {
      const res = await fetch(`${apiUrl}/readyz`);
      if (res.status === 200) return;
      last = `${res.status} ${await res.text()}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await sleep(100);
  }
  throw new Error(`engine not ready after ${timeoutMs} ms (${last}):\n${procs.map((p) => `[${p.name}] ${p.tail()}`).join('\n')}`);
}

/** Start the engine in a topology and wait for GET /readyz 200. Workers are awaited by the caller. */
export async function startEngine(topology: Topology, s: EngineSettings): Promise<EngineCluster> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ENGINE_ENV) delete env[k];
  Object.assign(env, {
    NODE_ENV: 'production',
    DATABASE_URL: s.databaseUrl,
    ...(s.queueBackend === 'postgres' ? { QUEUE_BACKEND: 'postgres' } : { QUEUE_BACKEND: 'redis', REDIS_URL: s.redisUrl }),
    QUEUE_PREFIX: s.queuePrefix,
    PORT: String(port),
    AUTH_JWT_SECRET: s.jwtSecret,
    RATE_LIMIT_PER_MINUTE: '0',
    LOG_LEVEL: 'warn',
    SEED_SAMPLE_WORKFLOW: 'false',
    DB_POOL_SIZE: String(s.poolSize),
    WORKER_CONCURRENCY: String(s.concurrency),
    ...(s.httpCallAllowedHosts?.length ? { HTTP_CALL_ALLOWED_HOSTS: s.httpCallAllowedHosts.join(',') } : {}),
  });
  const apiUrl = `http://127.0.0.1:${port}`;
  const launch = (name: string, entry: EngineEntry) => launchEngine({ name, entry, env, nodeArgs: s.nodeArgs ?? [] });
  const procs: EngineProcess[] =
    topology === 'all-in-one'
      ? [launch('all-in-one', 'all-in-one')]
      : [launch('api', 'api'), launch('worker-1', 'worker'), launch('worker-2', 'worker'), launch('scheduler', 'scheduler')];
  const cluster = new EngineCluster(topology, procs, apiUrl, s.concurrency * (topology === 'all-in-one' ? 1 : 2));
  try {
    await waitReady(apiUrl, procs, 60_000);
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return cluster;
}
