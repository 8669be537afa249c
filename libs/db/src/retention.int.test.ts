/**
 * The retention purge: the one sanctioned exception to append-only history, run as the runtime
 * login (workflow_runtime, through the sweeper role and the owner's purge function), never as
 * the owner. A purged chain ends in a `history_purged` row and still verifies; a chain whose rows
 * vanished without it does not.
 */
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { hashHistory } from './store/history-rows';
import { historyRecordsJson } from './store/instance-write';
import { purgeExpiredHistory } from './store/system-queries';
import { verifyHistoryChain } from './store/history-chain';
import { listHistory } from './repositories/instances.repository';
import { PgStore } from './store/pg-store';
import { createTestDatabase, testPool, urlAs, type TestDatabase } from './testing';

const TENANT = '0c000000-0000-4000-8000-00000000000c';
let db: TestDatabase;
let owner: Pool;
let runtime: Pool;
let store: PgStore;

beforeAll(async () => {
  db = await createTestDatabase();
  owner = testPool(db.url, 2);
  runtime = testPool(urlAs(db.url, 'workflow_runtime'), 2);
  store = new PgStore(runtime, { urgentThresholdHours: 4 });
});
afterAll(async () => {
  await runtime.end();
  await owner.end();
  await db.drop();
});

/** An instance with a real two-row hash chain, finished `completedDaysAgo` days ago (null: running). */
async function seedInstance(status: string, completedDaysAgo: number | null): Promise<string> {
  const def = randomUUID();
  const inst = uuidv7();
  const at = new Date(Date.now() - (completedDaysAgo ?? 0) * 86_400_000);
  const { rows, lastHash } = hashHistory(inst, null, [
    { eventType: 'instance_started', nodeExecutionId: null, actorUserId: 'test', details: {} },
    { eventType: 'instance_completed', nodeExecutionId: null, actorUserId: null, details: {} },
  ], at);
  await store.inTenant(TENANT, async (tx) => {
    await tx.query(
      `INSERT INTO workflow_definitions (id, tenant_id, name, version, nodes, routes, start_node_id, created_by)
       VALUES ($1, $2, $3, 1, '[]', '[]', 'a', 'test')`,
      [def, TENANT, `wf-${def}`],
    );
    await tx.query(
      `INSERT INTO workflow_instances (id, tenant_id, definition_id, status, started_by, completed_at, last_history_hash)
       VALUES ($1, $2, $3, $4, 'test', CASE WHEN $5::boolean THEN NULL ELSE $6::timestamptz END, $7)`,
      [inst, TENANT, def, status, completedDaysAgo === null, at, lastHash],
    );
    await tx.query(
      `INSERT INTO workflow_instance_history (id, tenant_id, instance_id, node_execution_id, event_type, actor_user_id, details, created_at, prev_hash, hash)
       SELECT x.id, $1, $2, x.node_execution_id, x.event_type, x.actor_user_id, x.details, x.created_at, x.prev_hash, x.hash
       FROM jsonb_to_recordset($3::jsonb) AS x(id uuid, node_execution_id uuid, event_type text, actor_user_id text, details jsonb,
         created_at timestamptz, prev_hash text, hash text)`,
      [TENANT, inst, historyRecordsJson(rows)],
    );
  });
  return inst;
}

async function verdict(instanceId: string) {
  return store.inTenant(TENANT, async (tx) => {
    const head = (await tx.query<{ h: string | null }>(`SELECT last_history_hash AS h FROM workflow_instances WHERE id = $1`, [instanceId])).rows[0]?.h;
    const rows = await listHistory(tx, instanceId);
    return { ...verifyHistoryChain(rows, head), events: rows.map((r) => r.eventType) };
  });
}

describe('history retention purge', () => {
  it('purges only instances finished before the retention window, as the runtime login', async () => {
    const old = await seedInstance('completed', 400);
    const oldRejected = await seedInstance('rejected', 400);
    const recent = await seedInstance('completed', 10);
    const running = await seedInstance('running', null);

    const outcome = await purgeExpiredHistory(runtime, 365, new Date(), uuidv7);

    expect(outcome).toEqual({ instances: 2, rows: 4 });
    for (const id of [old, oldRejected]) {
      // the chain verifies, and says it was purged
      expect(await verdict(id)).toEqual({ valid: true, checked: 1, brokenAt: null, events: ['history_purged'] });
    }
    for (const id of [recent, running]) {
      expect(await verdict(id)).toEqual({ valid: true, checked: 2, brokenAt: null, events: ['instance_started', 'instance_completed'] });
    }
    const marks = await owner.query(`SELECT history_purged_rows AS n FROM workflow_instances WHERE id = ANY ($1) ORDER BY n`, [[old, oldRejected]]);
    expect(marks.rows).toEqual([{ n: 2 }, { n: 2 }]);
  });

  it('purges an instance once: a second sweep leaves its purged chain alone', async () => {
    const old = await seedInstance('completed', 400);
    await purgeExpiredHistory(runtime, 365, new Date(), uuidv7);
    await expect(purgeExpiredHistory(runtime, 365, new Date(), uuidv7)).resolves.toEqual({ instances: 0, rows: 0 });
    expect((await verdict(old)).events).toEqual(['history_purged']);
  });

  it('reports a chain whose rows were all deleted without the purge as broken', async () => {
    const inst = await seedInstance('completed', 1);
    const c = await owner.connect();
    try {
      // the owner, past the append-only trigger: what an attacker with owner rights could do
      await c.query(`BEGIN; SELECT set_config('workflow.history_purge', 'on', true)`);
      await c.query(`DELETE FROM workflow_instance_history WHERE instance_id = $1`, [inst]);
      await c.query('COMMIT');
    } finally {
      c.release();
    }
    expect(await verdict(inst)).toEqual({ valid: false, checked: 0, brokenAt: null, events: [] });
  });

  it('stays impossible for workflow_app even with the purge setting', async () => {
    const inst = await seedInstance('completed', 400);
    const c = await runtime.connect();
    try {
      await c.query(`BEGIN; SELECT set_config('role', 'workflow_app', true), set_config('app.current_tenant', '${TENANT}', true), set_config('workflow.history_purge', 'on', true)`);
      await expect(c.query(`DELETE FROM workflow_instance_history WHERE instance_id = $1`, [inst])).rejects.toMatchObject({ code: '42501' });
      await c.query('ROLLBACK');
    } finally {
      c.release();
    }
    expect((await verdict(inst)).checked).toBe(2);
  });

  it('lets neither workflow_app nor the query login call the purge function', async () => {
    const inst = await seedInstance('completed', 400);
    const call = `SELECT workflow_purge_instance_history($1, 1, NULL, $2, now(), '{}', 'x')`;
    const asApp = await runtime.connect();
    try {
      await asApp.query(`BEGIN; SELECT set_config('role', 'workflow_app', true)`);
      await expect(asApp.query(call, [inst, randomUUID()])).rejects.toMatchObject({ code: '42501' });
      await asApp.query('ROLLBACK');
    } finally {
      asApp.release();
    }
    const query = testPool(urlAs(db.url, 'workflow_query'), 1);
    try {
      await expect(query.query(call, [inst, randomUUID()])).rejects.toMatchObject({ code: '42501' });
    } finally {
      await query.end();
    }
    expect((await verdict(inst)).checked).toBe(2);
  });
});
