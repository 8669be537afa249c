/**
 * The whole engine as `npm start` runs it (one process, roles api+worker+scheduler), started and
 * stopped for real: a port that is taken and a Redis that is not there stop it at start-up with
 * a line naming them; a Redis lost later is retried with backoff and a line per retry, not a
 * flood; SIGTERM ends the process within 10 s whether Redis is there or not.
 */
import { createServer, type Server } from 'node:net';
import { freePort, launchEngine, startRedisServer, type EngineExit, type EngineProcess, type OutputLine, type RedisServer } from '@wf/testkit';
import { createHarness, eventually, type Harness } from '../testing/engine-harness';

let h: Harness;

beforeAll(async () => {
  // only for its database and env: the engine under test is the child process
  h = await createHarness({ worker: false });
});

afterAll(() => h.close());

interface Engine {
  readonly process: EngineProcess;
  /** every line the process wrote, stdout and stderr, with when it arrived */
  readonly lines: OutputLine[];
}

function startEngine(env: Record<string, string>): Engine {
  const lines: OutputLine[] = [];
  const proc = launchEngine({
    name: 'engine',
    entry: 'all-in-one',
    env: { ...process.env, ...h.env, SEED_SAMPLE_WORKFLOW: 'false', LOG_LEVEL: 'info', ...env },
    onLine: (line) => lines.push(line),
  });
  return { process: proc, lines };
}

/** Exit within `ms`, or kill it and fail. */
async function exitWithin(engine: Engine, ms: number): Promise<EngineExit> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_r, reject) => {
    timer = setTimeout(() => {
      engine.process.signal('SIGKILL');
      reject(new Error(`the process did not exit within ${ms} ms; its output:\n${engine.lines.map((l) => l.text).join('\n')}`));
    }, ms);
  });
  try {
    return await Promise.race([engine.process.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function healthy(port: number): Promise<true | undefined> {
  const res = await fetch(`http://127.0.0.1:${port}/healthz`);
  return res.ok ? true : undefined;
}

const output = (engine: Engine) => engine.lines.map((l) => l.text).join('\n');

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
  const engine = startEngine({ PORT: String(await freePort()), REDIS_URL: `redis://127.0.0.1:${redisPort}` });
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
