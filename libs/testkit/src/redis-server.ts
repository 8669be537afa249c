/**
 * A private redis-server on a spare port, without persistence: a restart comes back empty, just
 * as a crashed Redis without AOF does. Flushing, stopping or restarting it disturbs nothing else
 * (never the shared Redis on 6379). Uses the machine's `redis-server` binary.
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { Redis } from 'ioredis';
import { freePort } from './free-port';

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** is the server process running (as far as we started it) */
  readonly running: boolean;
  /** start on the same port (after `stop`) */
  start(): Promise<void>;
  /** SIGKILL: no goodbye, no persistence */
  stop(): Promise<void>;
  /** FLUSHALL: every job, lock and schedule is gone */
  flushAll(): Promise<void>;
  /** SIGKILL without waiting (for a process exit handler) */
  stopNow(): void;
}

export interface RedisServerOptions {
  /** where the server's output goes (appended), default nowhere */
  readonly logFile?: string;
}

/** How long a start may take before it fails. */
const START_TIMEOUT_MS = 15_000;

async function ping(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 500 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

function killGroup(c: ChildProcess): void {
  if (c.pid === undefined) return;
  try {
    process.kill(-c.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Start a redis-server on a free port and wait until it answers PING. */
export async function startRedisServer(opts: RedisServerOptions = {}): Promise<RedisServer> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;

  const start = async () => {
    if (child) return;
    const fd = opts.logFile === undefined ? null : openSync(opts.logFile, 'a');
    // its own process group, so it is killed with everything it might spawn
    const c = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'],
      { stdio: fd === null ? 'ignore' : ['ignore', fd, fd], detached: true },
    );
    if (fd !== null) closeSync(fd);
    child = c;
    const gone = () => {
      if (child === c) child = null;
    };
    c.once('exit', gone);
    // no binary (ENOENT): reported as an exit at start-up below
    c.once('error', gone);
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!(await ping(url))) {
      if (child !== c) throw new Error(`redis-server on port ${port} exited at start-up${opts.logFile ? ` (see ${opts.logFile})` : ''}`);
      if (Date.now() > deadline) {
        killGroup(c);
        throw new Error(`redis-server on port ${port} did not answer within ${START_TIMEOUT_MS / 1000} s`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  const stop = async () => {
    const c = child;
    if (!c || c.pid === undefined) return;
    const exited = new Promise((r) => c.once('exit', r));
    killGroup(c);
    await exited;
    child = null;
  };

  await start();
  return {
    port,
    url,
    get running() {
      return child !== null;
    },
    start,
    stop,
    stopNow() {
      if (child) killGroup(child);
    },
    async flushAll() {
      const client = new Redis(url, { maxRetriesPerRequest: 1 });
      try {
        await client.flushall();
      } finally {
        client.disconnect();
      }
    },
  };
}
