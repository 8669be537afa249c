/**
 * `npm run health` on the PostgreSQL queue backend: the `stores` line says what was chosen and
 * why, the queue login reaches BullMQ's migrated schema and nothing else, and no Redis is
 * checked. An unmigrated queue schema, or a queue login that can do more than its job, fails
 * naming the check.
 */

import { MIGRATION_LOCK_KEY, QUEUE_LOGIN } from '@wf/db';
import { createTestDatabase, type TestDatabase } from '@wf/db/testing';
import { migrateQueueSchema } from '@wf/queue';
import { runHealthCli } from './health-cli-run';

describe('npm run health with QUEUE_BACKEND=postgres', () => {
  let db: TestDatabase;
  let env: Record<string, string>;

  beforeAll(async () => {
    db = await createTestDatabase();
    await migrateQueueSchema(db.url, { login: QUEUE_LOGIN, lockKey: MIGRATION_LOCK_KEY });
    env = { DATABASE_URL: db.url, QUEUE_BACKEND: 'postgres', SEED_SAMPLE_WORKFLOW: 'false', NODE_ENV: 'test' };
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('reports the store and queue backend, the queue checks and login:queue, HEALTHY, exit 0, and no Redis line', async () => {
    const run = await runHealthCli(env);
    expect(run.stdout).toContain('✓ stores — PostgreSQL, queues on postgres: DATABASE_URL is set');
    expect(run.stdout).toContain('queues on PostgreSQL (QUEUE_BACKEND=postgres');
    expect(run.stdout).toMatch(/^✓ postgres-queue:reachable — 127\.0\.0\.1:\d+\/wf_t_\w+ answered in \d+ ms \(schema bullmq\)$/m);
    expect(run.stdout).toMatch(/^✓ postgres-queue:schema — BullMQ schema version \d+$/m);
    expect(run.stdout).toContain('✓ queue:node-executions — ');
    expect(run.stdout).toContain('✓ queue:sla-checks — ');
    expect(run.stdout).toMatch(/^✓ login:queue — workflow_queue: /m);
    expect(run.stdout).not.toContain('redis:');
    expect(run.failedChecks).toEqual([]);
    expect(run.code).toBe(0);
  });

  it('exits 1 naming postgres-queue:schema on a database whose queue schema was never migrated', async () => {
    const fresh = await createTestDatabase();
    try {
      const run = await runHealthCli({ ...env, DATABASE_URL: fresh.url });
      expect(run.code).toBe(1);
      expect(run.failedChecks).toEqual(['postgres-queue:schema']);
    } finally {
      await fresh.drop();
    }
  });

  it('exits 1 naming login:queue when the queue login is the superuser owner', async () => {
    const run = await runHealthCli({ ...env, DATABASE_QUEUE_URL: db.url });
    expect(run.code).toBe(1);
    expect(run.failedChecks).toEqual(['login:queue']);
    expect(run.stdout).toMatch(/✗ login:queue — postgres .*is a superuser/);
  });
});
