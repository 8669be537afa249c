/**
 * Cross-tenant reads for the scheduler's sweeps. They run as workflow_app with
 * app.system_read = 'on' (a SELECT-only policy); every write happens later in the tenant's own
 * transaction.
 */

import type { Pool } from 'pg';
import type { NodeJob } from '@wf/engine';
import { translatePgError } from './pg-errors';

export async function systemRead<T>(pool: Pool, work: (q: <R extends object>(text: string, params?: unknown[]) => Promise<R[]>) => Promise<T>): Promise<T> {
  let client;
  try {
    client = await pool.connect();
  } catch (err) {
    throw translatePgError(err);
  }
  try {
    await client.query(`BEGIN READ ONLY; SELECT set_config('role', 'workflow_app', true), set_config('app.system_read', 'on', true)`);
    const result = await work(async <R extends object>(text: string, params: unknown[] = []) => (await client.query<R>(text, params)).rows);
    await client.query('COMMIT');
    client.release();
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    client.release(true);
    throw translatePgError(err);
  }
}

/**
 * Work whose wake-up call may be lost: ready executions that waited longer than
 * `olderThanSeconds`, I/O steps whose lease ran out (their worker died), and parents still
 * waiting on a child that has ended.
 */
export async function findStaleWork(pool: Pool, olderThanSeconds: number, limit: number): Promise<NodeJob[]> {
  return systemRead(pool, async (q) => {
    const rows = await q<{ tenant_id: string; instance_id: string; id: string; generation: number; kind: 'resume' | null }>(
      `(SELECT tenant_id, instance_id, id, generation, NULL::text AS kind FROM workflow_instance_nodes
        WHERE status = 'ready' AND ready_at < now() - make_interval(secs => $1) ORDER BY ready_at LIMIT $2)
       UNION ALL
       (SELECT tenant_id, instance_id, id, generation, NULL FROM workflow_instance_nodes
        WHERE status = 'running' AND lease_expires_at < now() ORDER BY lease_expires_at LIMIT $2)
       UNION ALL
       (SELECT n.tenant_id, n.instance_id, n.id, n.generation, 'resume' FROM workflow_instance_nodes n
        JOIN workflow_instances c ON c.parent_node_execution_id = n.id
        WHERE n.status = 'waiting' AND n.waiting_for = 'child' AND c.status <> 'running'
          AND c.completed_at < now() - make_interval(secs => $1) LIMIT $2)`,
      [olderThanSeconds, limit],
    );
    return rows.map((r) => ({
      tenantId: r.tenant_id,
      instanceId: r.instance_id,
      executionId: r.id,
      generation: r.generation,
      ...(r.kind === 'resume' ? { kind: 'resume' as const } : {}),
    }));
  });
}
