/** The retention purge: the one sanctioned exception to append-only history. */
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { purgeFinishedHistory } from './store/system-queries';
import { createTestDatabase, testPool, type TestDatabase } from './testing';

const TENANT = '0c000000-0000-4000-8000-00000000000c';
let db: TestDatabase;
let pool: Pool;

beforeAll(async () => {
  db = await createTestDatabase();
  pool = testPool(db.url, 2);
});
afterAll(async () => {
  await pool.end();
  await db.drop();
});

async function seedInstance(status: string, completedDaysAgo: number | null): Promise<string> {
  const c = await pool.connect();
  try {
    await c.query(`BEGIN; SELECT set_config('role', 'workflow_app', true), set_config('app.current_tenant', '${TENANT}', true)`);
    const def = randomUUID();
    const inst = randomUUID();
    await c.query(
      `INSERT INTO workflow_definitions (id, tenant_id, name, version, nodes, routes, start_node_id, created_by)
       VALUES ($1, $2, $3, 1, '[]', '[]', 'a', 'test')`,
      [def, TENANT, `wf-${def}`],
    );
    await c.query(
      `INSERT INTO workflow_instances (id, tenant_id, definition_id, status, started_by, completed_at)
       VALUES ($1, $2, $3, $4, 'test', CASE WHEN $5::int IS NULL THEN NULL ELSE now() - make_interval(days => $5::int) END)`,
      [inst, TENANT, def, status, completedDaysAgo],
    );
    await c.query(`INSERT INTO workflow_instance_history (tenant_id, instance_id, event_type) VALUES ($1, $2, 'instance_started'), ($1, $2, 'instance_completed')`, [TENANT, inst]);
    await c.query('COMMIT');
    return inst;
  } finally {
    c.release();
  }
}

async function historyCount(instanceId: string): Promise<number> {
  const r = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM workflow_instance_history WHERE instance_id = $1`, [instanceId]);
  return r.rows[0]!.n;
}

describe('history retention purge', () => {
  it('deletes the history of instances finished before the retention window, and nothing else', async () => {
    const old = await seedInstance('completed', 400);
    const oldRejected = await seedInstance('rejected', 400);
    const recent = await seedInstance('completed', 10);
    const running = await seedInstance('running', null);
    const deleted = await purgeFinishedHistory(pool, 365);
    expect(deleted).toBe(4);
    expect(await historyCount(old)).toBe(0);
    expect(await historyCount(oldRejected)).toBe(0);
    expect(await historyCount(recent)).toBe(2);
    expect(await historyCount(running)).toBe(2);
  });

  it('stays impossible for workflow_app even with the purge setting', async () => {
    const inst = await seedInstance('completed', 400);
    const c = await pool.connect();
    try {
      await c.query(`BEGIN; SELECT set_config('role', 'workflow_app', true), set_config('app.current_tenant', '${TENANT}', true), set_config('workflow.history_purge', 'on', true)`);
      await expect(c.query(`DELETE FROM workflow_instance_history WHERE instance_id = $1`, [inst])).rejects.toMatchObject({ code: '42501' });
      await c.query('ROLLBACK');
    } finally {
      c.release();
    }
    expect(await historyCount(inst)).toBe(2);
  });
});
