/** Business calendars: a tenant's named calendars, each row the definition as posted and its version. */

import type { PgTx } from '../store/pg-store';

export interface CalendarRow {
  readonly id: string;
  readonly name: string;
  readonly definition: Record<string, unknown>;
  readonly version: number;
  readonly createdBy: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

const CALENDAR_COLUMNS = `id, name, definition, version, created_by AS "createdBy", created_at AS "createdAt", updated_at AS "updatedAt"`;

export async function findCalendars(tx: PgTx, names: readonly string[]): Promise<CalendarRow[]> {
  const r = await tx.query<CalendarRow>(`SELECT ${CALENDAR_COLUMNS} FROM workflow_calendars WHERE name = ANY ($1::text[])`, [names]);
  return r.rows;
}

export async function listCalendars(tx: PgTx): Promise<CalendarRow[]> {
  const r = await tx.query<CalendarRow>(`SELECT ${CALENDAR_COLUMNS} FROM workflow_calendars ORDER BY name LIMIT 1000`);
  return r.rows;
}

/** Create the calendar, or replace it (the version goes up); the row as written and whether it was new. */
export async function upsertCalendar(tx: PgTx, name: string, definition: object, by: string): Promise<{ row: CalendarRow; created: boolean }> {
  const r = await tx.query<CalendarRow & { created: boolean }>(
    `INSERT INTO workflow_calendars (tenant_id, name, definition, created_by)
     VALUES (current_setting('app.current_tenant')::uuid, $1, $2::jsonb, $3)
     ON CONFLICT (tenant_id, name) DO UPDATE SET definition = EXCLUDED.definition, version = workflow_calendars.version + 1, updated_at = now()
     RETURNING ${CALENDAR_COLUMNS}, (xmax = 0) AS created`,
    [name, JSON.stringify(definition), by],
  );
  const row = r.rows[0];
  if (!row) throw new Error('upsert into workflow_calendars returned no row');
  const { created, ...rest } = row;
  return { row: rest, created };
}

/** Open waits (tasks, timers, receive nodes) that count in calendar `name`: the node's own, or the definition's. */
export async function calendarWaits(tx: PgTx, name: string, limit: number): Promise<{ instanceId: string; executionId: string }[]> {
  const r = await tx.query<{ instanceId: string; executionId: string }>(
    `SELECT n.instance_id AS "instanceId", n.id AS "executionId"
     FROM workflow_instance_nodes n
     JOIN workflow_instances i ON i.id = n.instance_id AND i.status = 'running'
     JOIN workflow_definitions d ON d.id = i.definition_id
     WHERE n.status = 'waiting' AND n.waiting_for IN ('task', 'timer', 'message')
       AND EXISTS (SELECT 1 FROM jsonb_array_elements(d.nodes) x WHERE x->>'id' = n.node_id
                   AND (x->>'calendar' = $1 OR (x->>'calendar' IS NULL AND d.policies->>'calendar' = $1)))
     ORDER BY n.id LIMIT $2`,
    [name, limit],
  );
  return r.rows;
}
