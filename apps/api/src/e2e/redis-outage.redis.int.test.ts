/**
 * A Redis lost after the engine started (`npm start`'s one process): retried with backoff and a
 * line per retry, not a flood; noticed again once it is back; SIGTERM still ends the process
 * within 10 s. Needs the machine's `redis-server` (a private server on a spare port is stopped and
 * started); without one on the PATH the test setup says so and leaves this file out.
 */
import { freePort, startRedisServer, type RedisServer } from '@wf/testkit';
import { createHarness, eventually, type Harness } from '../testing/engine-harness';
import { exitWithin, healthy, output, startEngine as startEngineWith } from '../testing/engine-child';

let h: Harness;

beforeAll(async () => {
  // only for its database and env: the engine under test is the child process
  h = await createHarness({ worker: false });
});

afterAll(() => h.close());

const startEngine = (env: Record<string, string>) => startEngineWith(h, { QUEUE_BACKEND: 'redis', ...env });

describe('a Redis lost after start-up', () => {
  let redis: RedisServer | null = null;

  afterEach(async () => {
    await redis?.stop();
    redis = null;
  });

  it('is retried with backoff, one line per retry, and SIGTERM still ends the process within 10 s', async () => {
    const server = (redis = await startRedisServer());
    const port = await freePort();
    const engine = startEngine({ PORT: String(port), REDIS_URL: server.url });
    await eventually(() => healthy(port), 30_000, 'the engine to answer /healthz');

    const lostAt = Date.now();
    await server.stop();
    // what this measures: the retry lines of five seconds without Redis
    await new Promise((r) => setTimeout(r, 5000));
    const during = engine.lines.filter((l) => l.at >= lostAt);
    const retries = during.filter((l) => l.text.includes('Redis unreachable; reconnecting'));
    // 250, 500, 1000, 2000 ms between attempts: four or five in five seconds, not eight a second
    expect(retries.length).toBeGreaterThanOrEqual(2);
    expect(retries.length).toBeLessThanOrEqual(6);
    expect(retries[0]?.text).toContain(`127.0.0.1:${server.port}`);
    // nothing else floods the log meanwhile (workers, queues and the scheduler stay quiet)
    expect(during.length).toBeLessThanOrEqual(retries.length + 6);

    const sentAt = Date.now();
    engine.process.signal('SIGTERM');
    const exit = await exitWithin(engine, 15_000);
    expect(exit.at - sentAt).toBeLessThan(10_000);
    // the workers close without waiting on Redis, so the stop is clean, not the deadline's
    expect(exit.code).toBe(0);
    expect(output(engine)).toContain('closing the workers without waiting for jobs in hand');
  });

  it('is noticed again once Redis is back', async () => {
    const server = (redis = await startRedisServer());
    const port = await freePort();
    const engine = startEngine({ PORT: String(port), REDIS_URL: server.url });
    try {
      await eventually(() => healthy(port), 30_000, 'the engine to answer /healthz');
      await server.stop();
      await eventually(async () => (engine.lines.some((l) => l.text.includes('Redis unreachable; reconnecting')) ? true : undefined), 10_000, 'a retry line');
      // back on the same port
      await server.start();
      await eventually(async () => (engine.lines.some((l) => l.text.includes('Redis reachable again')) ? true : undefined), 15_000, 'the recovery line');
      // and the engine works again: /readyz checks Redis
      await eventually(async () => ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok ? true : undefined), 15_000, '/readyz to pass again');
    } finally {
      engine.process.signal('SIGTERM');
      await exitWithin(engine, 15_000);
    }
  });
});
