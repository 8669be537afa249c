/**
 * Saved views: each user's named filters of a page of the web app, a tenant's own rows under RLS.
 * Every statement names the user: RLS keeps tenants apart, the `user_id` predicate users.
 */

import type { PgTx } from '../store/pg-store';

/** The pages a view belongs to (the column's check lists the same). */
export const SAVED_VIEW_PAGES = ['inbox', 'tasks', 'instances', 'incidents'] as const;
export type SavedViewPage = (typeof SAVED_VIEW_PAGES)[number];

export interface SavedViewRow {
  readonly id: string;
  readonly userId: string;
  readonly page: SavedViewPage;
  readonly name: string;
  readonly filters: Record<string, unknown>;
  readonly position: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

const VIEW_COLUMNS = `id, user_id AS "userId", page, name, filters, position, created_at AS "createdAt", updated_at AS "updatedAt"`;

/**
 * Serialises writes of one user's views of one page (a transaction-scoped advisory lock), so two
 * creations at once cannot both pass the per-page limit.
 */
export async function lockSavedViews(tx: PgTx, userId: string, page: SavedViewPage): Promise<void> {
  await tx.query(
    `SELECT pg_advisory_xact_lock(hashtextextended('workflow_saved_views:' || current_setting('app.current_tenant') || ':' || $1 || ':' || $2, 0))`,
    [page, userId],
  );
}

/** The user's views, of one page or of all, by page, position and name. */
export async function listSavedViews(tx: PgTx, userId: string, page: SavedViewPage | null, limit: number): Promise<SavedViewRow[]> {
  const r = await tx.query<SavedViewRow>(
    `SELECT ${VIEW_COLUMNS} FROM workflow_saved_views
     WHERE user_id = $1 AND ($2::text IS NULL OR page = $2)
     ORDER BY page, position, name LIMIT $3`,
    [userId, page, limit],
  );
  return r.rows;
}

export async function countSavedViews(tx: PgTx, userId: string, page: SavedViewPage): Promise<number> {
  const r = await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM workflow_saved_views WHERE user_id = $1 AND page = $2`, [userId, page]);
  return r.rows[0]?.n ?? 0;
}

export async function findSavedView(tx: PgTx, userId: string, page: SavedViewPage, name: string): Promise<SavedViewRow | null> {
  const r = await tx.query<SavedViewRow>(`SELECT ${VIEW_COLUMNS} FROM workflow_saved_views WHERE user_id = $1 AND page = $2 AND name = $3`, [userId, page, name]);
  return r.rows[0] ?? null;
}

export async function insertSavedView(
  tx: PgTx,
  v: { userId: string; page: SavedViewPage; name: string; filters: object; position: number },
): Promise<SavedViewRow> {
  const r = await tx.query<SavedViewRow>(
    `INSERT INTO workflow_saved_views (tenant_id, user_id, page, name, filters, position)
     VALUES (current_setting('app.current_tenant')::uuid, $1, $2, $3, $4::jsonb, $5) RETURNING ${VIEW_COLUMNS}`,
    [v.userId, v.page, v.name, JSON.stringify(v.filters), v.position],
  );
  const row = r.rows[0];
  if (!row) throw new Error('insert into workflow_saved_views returned no row');
  return row;
}

/** Replace a view's name, filters and position (by id); the row as written. */
export async function updateSavedView(tx: PgTx, id: string, v: { name: string; filters: object; position: number }): Promise<SavedViewRow> {
  const r = await tx.query<SavedViewRow>(
    `UPDATE workflow_saved_views SET name = $2, filters = $3::jsonb, position = $4, updated_at = now() WHERE id = $1 RETURNING ${VIEW_COLUMNS}`,
    [id, v.name, JSON.stringify(v.filters), v.position],
  );
  const row = r.rows[0];
  if (!row) throw new Error(`update of workflow_saved_views ${id} returned no row`);
  return row;
}

/** Whether a view of the user was there to delete. */
export async function deleteSavedView(tx: PgTx, userId: string, page: SavedViewPage, name: string): Promise<boolean> {
  const r = await tx.query(`DELETE FROM workflow_saved_views WHERE user_id = $1 AND page = $2 AND name = $3`, [userId, page, name]);
  return (r.rowCount ?? 0) > 0;
}
