/** Deputy windows: a tenant's own rows under RLS, read whole when a decision or a queue needs them. */

import type { DeputyWindow } from '@wf/engine';
import type { PgTx } from '../store/pg-store';
import { columns } from '../store/column-table';

export interface DeputyRecord extends DeputyWindow {
  readonly createdBy: string;
  readonly createdAt: Date;
}

const DEPUTY = columns<DeputyRecord>({
  id: ['id', 'uuid'],
  userId: ['user_id', 'text'],
  deputyUserId: ['deputy_user_id', 'text'],
  startsAt: ['starts_at', 'timestamptz'],
  endsAt: ['ends_at', 'timestamptz'],
  workflows: ['workflows', 'text[]'],
  roles: ['roles', 'text[]'],
  createdBy: ['created_by', 'text'],
  createdAt: ['created_at', 'timestamptz'],
});

/** Windows read per decision or queue page: a tenant with more active at once is refused at insert. */
export const MAX_ACTIVE_DEPUTY_WINDOWS = 1000;

/** The tenant's windows active at `at`. */
export async function activeDeputyWindows(tx: PgTx, at: Date): Promise<DeputyRecord[]> {
  const r = await tx.query<DeputyRecord>(
    `SELECT ${DEPUTY.select} FROM workflow_deputies WHERE starts_at <= $1 AND ends_at > $1 ORDER BY starts_at, id LIMIT ${MAX_ACTIVE_DEPUTY_WINDOWS}`,
    [at],
  );
  return r.rows;
}

/**
 * Windows of `userId` that overlap [startsAt, endsAt), read under a transaction-scoped advisory
 * lock on the user, so two declarations at once cannot both pass the overlap check.
 */
export async function overlappingDeputyWindows(tx: PgTx, userId: string, startsAt: Date, endsAt: Date): Promise<DeputyRecord[]> {
  await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended('workflow_deputies:' || current_setting('app.current_tenant') || ':' || $1, 0))`, [userId]);
  const r = await tx.query<DeputyRecord>(
    `SELECT ${DEPUTY.select} FROM workflow_deputies WHERE user_id = $1 AND starts_at < $3 AND ends_at > $2 ORDER BY starts_at`,
    [userId, startsAt, endsAt],
  );
  return r.rows;
}

export async function insertDeputyWindow(tx: PgTx, w: Omit<DeputyRecord, 'id' | 'createdAt'>): Promise<DeputyRecord> {
  const r = await tx.query<DeputyRecord>(
    `INSERT INTO workflow_deputies (tenant_id, user_id, deputy_user_id, starts_at, ends_at, workflows, roles, created_by)
     VALUES (current_setting('app.current_tenant')::uuid, $1, $2, $3, $4, $5, $6, $7) RETURNING ${DEPUTY.select}`,
    [w.userId, w.deputyUserId, w.startsAt, w.endsAt, w.workflows, w.roles, w.createdBy],
  );
  const row = r.rows[0];
  if (!row) throw new Error('insert into workflow_deputies returned no row');
  return row;
}

/** Windows a user declared for themselves or is deputy in, newest first; every window for an admin (`userId` null). */
export async function listDeputyWindows(tx: PgTx, userId: string | null, limit: number): Promise<DeputyRecord[]> {
  const r = userId === null
    ? await tx.query<DeputyRecord>(`SELECT ${DEPUTY.select} FROM workflow_deputies ORDER BY starts_at DESC, id LIMIT $1`, [limit])
    : await tx.query<DeputyRecord>(
      `SELECT ${DEPUTY.select} FROM workflow_deputies WHERE user_id = $1 OR deputy_user_id = $1 ORDER BY starts_at DESC, id LIMIT $2`,
      [userId, limit],
    );
  return r.rows;
}

export async function findDeputyWindow(tx: PgTx, id: string): Promise<DeputyRecord | null> {
  const r = await tx.query<DeputyRecord>(`SELECT ${DEPUTY.select} FROM workflow_deputies WHERE id = $1`, [id]);
  return r.rows[0] ?? null;
}

export async function deleteDeputyWindow(tx: PgTx, id: string): Promise<void> {
  await tx.query(`DELETE FROM workflow_deputies WHERE id = $1`, [id]);
}
