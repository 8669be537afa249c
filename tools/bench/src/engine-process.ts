/**
 * The real engine as child processes, exactly as it is deployed: `node --import tsx` on the app
 * entry points, configured only through the environment. Two topologies: all-in-one
 * (`--roles api,worker,scheduler`) and split (`--roles api` + 2 workers + 1 scheduler).
 */

import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { CONFIG_SETTING_NAMES } from '@wf/runtime';
import { cpuMicros } from './resource-meters';
import { sleep } from './stats';

const REPO_ROOT = path.resolve(__dirname, '../../..');

export type Topology = 'all-in-one' | 'split';

export interface EngineSettings {
  readonly databaseUrl: string;
  readonly redisUrl: string;
  readonly queuePrefix: string;
  readonly jwtSecret: string;
  readonly poolSize: number;
  readonly concurrency: number;
  /** extra node flags for every engine process (`--profile` adds `--cpu-prof`), default none */
  readonly nodeArgs?: readonly string[];
}

/** Engine variables a caller's shell might set (all of them, from the config schema); the bench sets or clears each one itself. */
const ENGINE_ENV = CONFIG_SETTING_NAMES;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

const OUTPUT_TAIL = 16 * 1024;

export class EngineProcess {
  private output = '';
  private exitCode: number | null | undefined;
  readonly exited: Promise<void>;

  constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString('utf8')).slice(-OUTPUT_TAIL);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        this.exitCode = code ?? (signal ? -1 : null);
        resolve();
      });
    });
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  cpuMicros(): number | null {
    return cpuMicros(this.pid);
  }

  tail(): string {
    return this.output.trim().split('\n').slice(-15).join('\n');
  }

  /** SIGTERM (graceful: finish in-flight jobs, close pools), SIGKILL after the timeout. */
  async stop(timeoutMs = 15_000): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const done = await Promise.race([this.exited.then(() => true), sleep(timeoutMs).then(() => false)]);
    if (!done) {
      this.child.kill('SIGKILL');
      await this.exited;
    }
  }
}

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

function spawnEngine(name: string, entry: string, args: string[], env: NodeJS.ProcessEnv, nodeArgs: readonly string[]): EngineProcess {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', entry, ...args], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new EngineProcess(name, child);
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
    REDIS_URL: s.redisUrl,
    QUEUE_PREFIX: s.queuePrefix,
    PORT: String(port),
    AUTH_JWT_SECRET: s.jwtSecret,
    RATE_LIMIT_PER_MINUTE: '0',
    LOG_LEVEL: 'warn',
    SEED_SAMPLE_WORKFLOW: 'false',
    DB_POOL_SIZE: String(s.poolSize),
    WORKER_CONCURRENCY: String(s.concurrency),
  });
  const apiUrl = `http://127.0.0.1:${port}`;
  const procs: EngineProcess[] =
    topology === 'all-in-one'
      ? [spawnEngine('all-in-one', 'apps/api/src/main.ts', ['--roles', 'api,worker,scheduler'], env, s.nodeArgs ?? [])]
      : [
          spawnEngine('api', 'apps/api/src/main.ts', ['--roles', 'api'], env, s.nodeArgs ?? []),
          spawnEngine('worker-1', 'apps/worker/src/main.ts', [], env, s.nodeArgs ?? []),
          spawnEngine('worker-2', 'apps/worker/src/main.ts', [], env, s.nodeArgs ?? []),
          spawnEngine('scheduler', 'apps/scheduler/src/main.ts', [], env, s.nodeArgs ?? []),
        ];
  const cluster = new EngineCluster(topology, procs, apiUrl, s.concurrency * (topology === 'all-in-one' ? 1 : 2));
  try {
    await waitReady(apiUrl, procs, 60_000);
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return cluster;
}
