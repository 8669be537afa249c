/**
 * `npm run health` as an operator runs it, on the Redis backend (the PostgreSQL one:
 * health-cli-postgres-queue.int.test.ts): a child process with only the environment, against
 * this file's own migrated database and the shared Redis under a queue prefix no one else uses.
 * Healthy exits 0; disabling RLS on one table, or pointing at a closed port, exits 1 and names the
 * failing check. The shared Redis's eviction policy is not ours to change, so it is read first
 * and the expected outcome follows from it.
 */

import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { TEST_REDIS_URL, createTestDatabase, type TestDatabase } from '@wf/db/testing';
import { UNREACHABLE_DATABASE_URL, onDatabase, runHealthCli, runHealthCliArgs } from './health-cli-run';

describe('npm run health (health-cli)', () => {
  const queuePrefix = `health-test-${randomBytes(4).toString('hex')}`;
  let db: TestDatabase;
  let redis: Redis;
  /** the shared Redis's actual policy: anything but noeviction is a real failure of the check */
  let evictionPolicy: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    db = await createTestDatabase();
    redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
    const reply = (await redis.config('GET', 'maxmemory-policy')) as string[];
    evictionPolicy = reply[1] ?? '';
    env = {
      DATABASE_URL: db.url,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: queuePrefix,
      SEED_SAMPLE_WORKFLOW: 'false',
      NODE_ENV: 'test',
    };
  });

  afterAll(async () => {
    redis?.disconnect();
    await db?.drop();
  });

  it('on a healthy setup prints every check and HEALTHY, exit 0 (or only the eviction policy fails)', async () => {
    const run = await runHealthCli(env);

    expect(run.stdout).toContain('✓ postgres:reachable — ');
    expect(run.stdout).toContain('✓ rls:workflow_definitions — workflow_definitions: enabled and forced, 2 policies');
    expect(run.stdout).toContain('✓ queue:node-executions — ');
    expect(run.stdout).toContain('✓ queue:sla-checks — ');
    expect(run.stdout).not.toContain('sample-workflow');
    if (evictionPolicy === 'noeviction') {
      expect(run.failedChecks).toEqual([]);
      expect(run.stdout).toMatch(/^HEALTHY \(\d+ checks\)$/m);
      expect(run.code).toBe(0);
    } else {
      expect(run.failedChecks).toEqual(['redis:maxmemory-policy']);
      expect(run.stdout).toContain(`✗ redis:maxmemory-policy — ${evictionPolicy} (BullMQ needs noeviction`);
      expect(run.code).toBe(1);
    }
  });

  it('exits 1 naming rls:workflow_definitions after RLS is disabled on that table', async () => {
    await onDatabase(db.url, 'ALTER TABLE workflow_definitions DISABLE ROW LEVEL SECURITY');
    try {
      const run = await runHealthCli(env);

      expect(run.code).toBe(1);
      expect(run.stdout).toContain('✗ rls:workflow_definitions — workflow_definitions: row-level security not enabled');
      const expectedFailures = ['rls:workflow_definitions', ...(evictionPolicy === 'noeviction' ? [] : ['redis:maxmemory-policy'])];
      expect(run.failedChecks).toEqual(expectedFailures);
      expect(run.stdout).toMatch(new RegExp(`^UNHEALTHY: ${expectedFailures.length} of \\d+ checks failed$`, 'm'));
    } finally {
      await onDatabase(db.url, 'ALTER TABLE workflow_definitions ENABLE ROW LEVEL SECURITY');
    }
  });

  it('exits 1 naming postgres:reachable when the database port is closed, and skips the schema checks', async () => {
    const run = await runHealthCli({ ...env, DATABASE_URL: UNREACHABLE_DATABASE_URL });

    expect(run.code).toBe(1);
    expect(run.stdout).toContain('✗ postgres:reachable — cannot reach 127.0.0.1:1/x: ');
    expect(run.stdout).toContain('ECONNREFUSED');
    expect(run.stdout).not.toContain('rls:');
    // Redis is still checked
    expect(run.stdout).toContain('✓ redis:reachable — ');
  });

  it('reports login:runtime and login:query healthy on the derived logins', async () => {
    const run = await runHealthCli(env);
    expect(run.stdout).toMatch(/^✓ login:runtime — workflow_runtime: /m);
    expect(run.stdout).toMatch(/^✓ login:query — workflow_query: /m);
  });

  it('exits 1 naming login:runtime when the runtime logs in as the superuser owner', async () => {
    const run = await runHealthCli({ ...env, DATABASE_RUNTIME_URL: db.url });
    expect(run.code).toBe(1);
    expect(run.failedChecks).toContain('login:runtime');
    expect(run.stdout).toMatch(/✗ login:runtime — postgres .*is a superuser/);
    expect(run.stdout).toMatch(/✗ login:runtime — .*owns table/);
  });

  it('exits 1 naming login:query when database_query would log in as the runtime login', async () => {
    const runtime = new URL(db.url);
    runtime.username = 'workflow_runtime';
    const run = await runHealthCli({ ...env, DATABASE_QUERY_URL: runtime.toString() });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/✗ login:query — workflow_runtime is a member of workflow_app, workflow_sweeper/);
  });

  it('prints help for --help and exits 0 without checking anything', async () => {
    const run = await runHealthCliArgs(['--help'], { ...env, DATABASE_URL: UNREACHABLE_DATABASE_URL });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('usage: npm run health');
    expect(run.stdout).toContain('login:runtime');
    expect(run.stdout).not.toContain('✗');
  });

  it('left no keys under its queue prefix (the check is read-only)', async () => {
    await expect(redis.keys(`${queuePrefix}:*`)).resolves.toEqual([]);
  });
});
