/**
 * Which Postgres and Redis the integration tests use, decided once per run by the global setup
 * and handed to the test workers through the environment they inherit:
 *
 * - Postgres: TEST_DATABASE_ADMIN_URL, else the server on 127.0.0.1:5432, else an embedded
 *   PostgreSQL started here in a temporary directory (fsync off) and stopped by the teardown.
 * - Queue backend (TEST_QUEUE_BACKEND): redis where a Redis answers (TEST_REDIS_URL or
 *   127.0.0.1:6379), else postgres. Without a Redis, one is still started from the machine's
 *   `redis-server` on a spare port for the suites about Redis itself (`*.redis.int.test.ts`); with
 *   no binary either, jest.config.js leaves those out and says so.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { answers } from '../libs/runtime/src/stores/port-probe';
import { redisServerOnPath } from './redis-binary';

/** What the teardown stops. */
export interface TestServers {
  stop(): Promise<void>;
}

const say = (line: string) => process.stderr.write(`${line}\n`);

export async function chooseTestServers(): Promise<TestServers> {
  const stops: (() => Promise<void>)[] = [];
  if (!process.env['TEST_DATABASE_ADMIN_URL'] && !(await answers('127.0.0.1', 5432))) {
    const { startEmbeddedPostgres } = await import('../libs/db/src/embedded');
    const dataDir = await mkdtemp(join(tmpdir(), 'wf-test-pg-'));
    // mkdtemp makes it 0700; run as root, the server runs as the postgres user, who must get in
    await chmod(dataDir, 0o755);
    // a directory of its own inside the temporary one: the server creates and initialises it
    const server = await startEmbeddedPostgres({ dataDir: join(dataDir, 'data'), durable: false, settings: { max_connections: '400' } });
    process.env['TEST_DATABASE_ADMIN_URL'] = server.url;
    say(`nothing on 127.0.0.1:5432: integration tests run on an embedded PostgreSQL ${server.majorVersion} (127.0.0.1:${server.port})`);
    stops.push(async () => {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    });
  }
  const redisUrl = process.env['TEST_REDIS_URL'];
  const redisAnswers = redisUrl ? true : await answers('127.0.0.1', 6379);
  process.env['TEST_QUEUE_BACKEND'] ??= redisAnswers ? 'redis' : 'postgres';
  if (!redisAnswers && redisServerOnPath()) {
    const { startRedisServer } = await import('../libs/testkit/src/redis-server');
    const redis = await startRedisServer();
    process.env['TEST_REDIS_URL'] = redis.url;
    say(`nothing on 127.0.0.1:6379: queues run on the postgres backend; a private redis-server (${redis.url}) serves the suites about Redis`);
    stops.push(() => redis.stop());
  } else if (!redisAnswers) {
    say('nothing on 127.0.0.1:6379 and no redis-server on the PATH: queues run on the postgres backend');
  }
  return { stop: async () => void (await Promise.all(stops.map((s) => s()))) };
}
