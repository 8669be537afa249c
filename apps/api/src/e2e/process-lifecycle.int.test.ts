/**
 * The whole engine as `npm start` runs it (one process, roles api+worker+scheduler), started and
 * stopped for real: a port that is taken and a Redis that is not there stop it at start-up with
 * a line naming them; a Redis lost later is retried with backoff and a line per retry, not a
 * flood; SIGTERM ends the process within 10 s whether Redis is there or not.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { createHarness, eventually, type Harness } from '../testing/engine-harness';

const ROOT = join(__dirname, '../../../..');
let h: Harness;

beforeAll(async () => {
  // only for its database and env: the engine under test is the child process
  h = await createHarness({ worker: false });
});

afterAll(() => h.close());

interface Engine {
  readonly child: ChildProcess;
  /** every line the process wrote, stdout and stderr, with when it arrived */
  readonly lines: { at: number; text: string }[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

function startEngine(env: Record<string, string>): Engine {
  // node --import tsx (not the tsx CLI, which forks a grandchild the signals would not reach)
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'apps/api/src/main.ts'), '--roles', 'api,worker,scheduler'], {
    cwd: ROOT,
    env: { ...process.env, ...h.env, SEED_SAMPLE_WORKFLOW: 'false', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: { at: number; text: string }[] = [];
  const collect = (chunk: Buffer) => {
    for (const text of chunk.toString('utf8').split('\n')) if (text.trim() !== '') lines.push({ at: Date.now(), text });
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  return { child, lines, exited };
}

/** Exit within `ms`, or kill it and fail. */
async function exitWithin(engine: Engine, ms: number) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_r, reject) => {
    timer = setTimeout(() => {
      engine.child.kill('SIGKILL');
      reject(new Error(`the process did not exit within ${ms} ms; its output:\n${engine.lines.map((l) => l.text).join('\n')}`));
    }, ms);
  });
  try {
    return await Promise.race([engine.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A port nothing listens on: bound once by the OS, then released. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
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
  engine.child.kill('SIGTERM');
  const exit = await exitWithin(engine, 15_000);
  expect(exit.code).toBe(0);
  expect(exit.at - sentAt).toBeLessThan(10_000);
  expect(output(engine)).toContain('stopped');
});

describe('a Redis lost after start-up', () => {
  let redis: ChildProcess | null = null;
  let redisPort: number;

  function startRedis(): Promise<void> {
    redis = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    return eventually(
      () =>
        new Promise<true | undefined>((resolve) => {
          const probe = createServer();
          // the port is taken once redis-server listens on it
          probe.once('error', () => resolve(true));
          probe.listen(redisPort, '127.0.0.1', () => probe.close(() => resolve(undefined)));
        }),
      10_000,
      'redis-server to listen',
    ).then(() => undefined);
  }

  afterEach(() => {
    redis?.kill('SIGKILL');
    redis = null;
  });

  it('is retried with backoff, one line per retry, and SIGTERM still ends the process within 10 s', async () => {
    redisPort = await freePort();
    await startRedis();
    const port = await freePort();
    const engine = startEngine({ PORT: String(port), REDIS_URL: `redis://127.0.0.1:${redisPort}` });
    await eventually(() => healthy(port), 30_000, 'the engine to answer /healthz');

    const lostAt = Date.now();
    redis?.kill('SIGKILL');
    redis = null;
    await new Promise((r) => setTimeout(r, 5000));
    const during = engine.lines.filter((l) => l.at >= lostAt);
    const retries = during.filter((l) => l.text.includes('Redis unreachable; reconnecting'));
    // 250, 500, 1000, 2000 ms between attempts: four or five in five seconds, not eight a second
    expect(retries.length).toBeGreaterThanOrEqual(2);
    expect(retries.length).toBeLessThanOrEqual(6);
    expect(retries[0]?.text).toContain(`127.0.0.1:${redisPort}`);
    // nothing else floods the log meanwhile (workers, queues and the scheduler stay quiet)
    expect(during.length).toBeLessThanOrEqual(retries.length + 6);

    const sentAt = Date.now();
    engine.child.kill('SIGTERM');
    const exit = await exitWithin(engine, 15_000);
    expect(exit.at - sentAt).toBeLessThan(10_000);
    // the workers close without waiting on Redis, so the stop is clean, not the deadline's
    expect(exit.code).toBe(0);
    expect(output(engine)).toContain('closing the workers without waiting for jobs in hand');
  });

  it('is noticed again once Redis is back', async () => {
    redisPort = await freePort();
    await startRedis();
    const port = await freePort();
    const engine = startEngine({ PORT: String(port), REDIS_URL: `redis://127.0.0.1:${redisPort}` });
    try {
      await eventually(() => healthy(port), 30_000, 'the engine to answer /healthz');
      redis?.kill('SIGKILL');
      redis = null;
      await eventually(async () => (engine.lines.some((l) => l.text.includes('Redis unreachable; reconnecting')) ? true : undefined), 10_000, 'a retry line');
      await startRedis();
      await eventually(async () => (engine.lines.some((l) => l.text.includes('Redis reachable again')) ? true : undefined), 15_000, 'the recovery line');
      // and the engine works again: /readyz checks Redis
      await eventually(async () => ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok ? true : undefined), 15_000, '/readyz to pass again');
    } finally {
      engine.child.kill('SIGTERM');
      await exitWithin(engine, 15_000);
    }
  });
});
