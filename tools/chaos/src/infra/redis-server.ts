/**
 * A private redis-server on a spare port, without persistence: a restart comes back empty, just
 * as a crashed Redis without AOF does. Restarting and flushing it disturbs nothing else.
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { Redis } from 'ioredis';
import { freePort } from './free-port';
import { sleep } from './run-command';

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

export async function startRedisServer(logFile: string): Promise<RedisServer> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;

  const start = async () => {
    if (child) return;
    const fd = openSync(logFile, 'a');
    // its own process group, so it is killed with everything it might spawn
    const c = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'],
      { stdio: ['ignore', fd, fd], detached: true },
    );
    closeSync(fd);
    child = c;
    c.once('exit', () => {
      if (child === c) child = null;
    });
    const deadline = Date.now() + 15_000;
    while (!(await ping(url))) {
      if (child !== c) throw new Error(`redis-server on port ${port} exited at start-up (see ${logFile})`);
      if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not answer within 15 s`);
      await sleep(50);
    }
  };

  const stop = async () => {
    const c = child;
    if (!c || c.pid === undefined) return;
    const exited = new Promise((r) => c.once('exit', r));
    try {
      process.kill(-c.pid, 'SIGKILL');
    } catch {
      // already gone
    }
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
      const c = child;
      if (c?.pid === undefined) return;
      try {
        process.kill(-c.pid, 'SIGKILL');
      } catch {
        // gone
      }
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
