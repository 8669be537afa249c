/**
 * A private Redis for tests that flush or restart it: never the shared one on 6379. Uses the
 * machine's redis-server binary (the same one the CI machine runs).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

export interface PrivateRedis {
  readonly url: string;
  readonly port: number;
  flushAll(): Promise<void>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  const url = `redis://127.0.0.1:${port}`;
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => 100 });
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      if (client.status !== 'ready') await client.connect().catch(() => undefined);
      if ((await client.ping()) === 'PONG') break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not start`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    port,
    flushAll: async () => {
      await client.flushall();
    },
    stop: async () => {
      client.disconnect();
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    },
  };
}
