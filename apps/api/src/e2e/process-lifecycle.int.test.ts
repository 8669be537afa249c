/**
 * The whole engine as `npm start` runs it (one process, roles api+worker+scheduler), started and
 * stopped for real: a port that is taken and a Redis that is not there stop it at start-up with
 * a line naming them; SIGTERM ends the process within 10 s. (A Redis lost later:
 * redis-outage.redis.int.test.ts.)
 */
import { createServer, type Server } from 'node:net';
import { freePort } from '@wf/testkit';
import { createHarness, eventually, type Harness } from '../testing/engine-harness';
import { exitWithin, healthy, output, startEngine as startEngineWith } from '../testing/engine-child';

let h: Harness;

beforeAll(async () => {
  // only for its database and env: the engine under test is the child process
  h = await createHarness({ worker: false });
});

afterAll(() => h.close());

const startEngine = (env: Record<string, string>) => startEngineWith(h, env);

it('refuses to start on a port that is taken, naming the port, and exits non-zero', async () => {
  const holder: Server = createServer();
  await new Promise<void>((r) => holder.listen(0, r));
  const { port } = holder.address() as { port: number };
  try {
    const engine = startEngine({ PORT: String(port) });
    const exit = await exitWithin(engine, 30_000);
    expect(exit.code).toBe(1);
    expect(output(engine)).toContain(`Cannot listen on port ${port} (PORT): the port is already in use (EADDRINUSE)`);
    expect(output(engine)).not.toContain('api listening');
  } finally {
    await new Promise<void>((r) => holder.close(() => r()));
  }
});

it('refuses to start when Redis cannot be reached, naming host and port', async () => {
  const redisPort = await freePort();
  const engine = startEngine({ PORT: String(await freePort()), QUEUE_BACKEND: 'redis', REDIS_URL: `redis://127.0.0.1:${redisPort}` });
  const exit = await exitWithin(engine, 30_000);
  expect(exit.code).toBe(1);
  expect(output(engine)).toContain(`Cannot reach Redis at 127.0.0.1:${redisPort}`);
  expect(output(engine)).not.toContain('api listening');
});

it('stops within 10 s of SIGTERM, with exit code 0, when all is well', async () => {
  const port = await freePort();
  const engine = startEngine({ PORT: String(port) });
  await eventually(() => healthy(port), 30_000, 'the engine to answer /healthz');
  const sentAt = Date.now();
  engine.process.signal('SIGTERM');
  const exit = await exitWithin(engine, 15_000);
  expect(exit.code).toBe(0);
  expect(exit.at - sentAt).toBeLessThan(10_000);
  expect(output(engine)).toContain('stopped');
});
