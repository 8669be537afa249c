import type { CompiledDefinition } from '@wf/engine';
import type { PgTx } from '../store/pg-store';
import { DEFINITION_COLUMNS, policiesOf, type DefinitionRow } from '../store/definition-rows';
import { cursorSpec, cursorTimestampSql, decodeCursor, pageOf } from './cursor';

/** Save a compiled definition as the next version of its name (1 for a new name). */
export async function insertDefinition(tx: PgTx, def: CompiledDefinition, createdBy: string): Promise<DefinitionRow> {
  const input = def.input;
  // serialise versioning of one name: concurrent saves get consecutive versions
  await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 7))`, [`${tx.tenantId}/${def.name}`]);
  const r = await tx.query<DefinitionRow>(
    `INSERT INTO workflow_definitions (tenant_id, name, version, is_active, category, description, nodes, routes,
       triggers, sla_hours, escalation_enabled, escalation_role, start_node_id, created_by, context_schema, policies)
     SELECT $1, $2, COALESCE(max(version), 0) + 1, true, $3, $4, $5::jsonb, $6::jsonb, $7::jsonb, $8, $9, $10, $11, $12, $13::jsonb, $14::jsonb
     FROM workflow_definitions WHERE tenant_id = $1 AND name = $2
     RETURNING ${DEFINITION_COLUMNS}`,
    [
      tx.tenantId,
      def.name,
      def.category,
      def.description,
      JSON.stringify(input.nodes),
      JSON.stringify(input.routes),
      JSON.stringify(def.triggers),
      def.slaHours,
      def.escalationEnabled,
      def.escalationRole,
      def.startNodeId,
      createdBy,
      def.contextSchema ? JSON.stringify(def.contextSchema) : null,
      JSON.stringify(policiesOf(input)),
    ],
  );
  return r.rows[0] as DefinitionRow;
}

export async function findDefinition(tx: PgTx, id: string): Promise<DefinitionRow | null> {
  const r = await tx.hot<DefinitionRow>(`SELECT ${DEFINITION_COLUMNS} FROM workflow_definitions WHERE id = $1::uuid`, [id]);
  return r.rows[0] ?? null;
}

export async function latestActiveDefinition(tx: PgTx, name: string): Promise<DefinitionRow | null> {
  const r = await tx.hot<DefinitionRow>(
    `SELECT ${DEFINITION_COLUMNS} FROM workflow_definitions WHERE name = $1::text AND is_active ORDER BY version DESC LIMIT 1`,
    [name],
  );
  return r.rows[0] ?? null;
}

export async function setDefinitionActive(tx: PgTx, id: string, active: boolean): Promise<DefinitionRow | null> {
  const r = await tx.query<DefinitionRow>(
    `UPDATE workflow_definitions SET is_active = $2 WHERE id = $1 RETURNING ${DEFINITION_COLUMNS}`,
    [id, active],
  );
  return r.rows[0] ?? null;
}

export interface DefinitionQuery {
  isActive?: boolean;
  name?: string;
  category?: string;
  limit: number;
  cursor: string | null;
}

/** Newest first: `created_at DESC, id DESC`, the cursor carrying both. */
const DEFINITION_PAGE = cursorSpec('definitions', ['timestamp', 'uuid']);

export async function listDefinitions(tx: PgTx, q: DefinitionQuery) {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (q.isActive !== undefined) add('is_active = ?', q.isActive);
  if (q.name !== undefined) add('name = ?', q.name);
  if (q.category !== undefined) add('category = ?', q.category);
  if (q.cursor) {
    const [createdAt, id] = decodeCursor(DEFINITION_PAGE, q.cursor);
    params.push(createdAt, id);
    where.push(`(created_at, id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
  }
  params.push(q.limit + 1);
  const r = await tx.query<DefinitionRow & { page_created_at: string }>(
    `SELECT ${DEFINITION_COLUMNS}, ${cursorTimestampSql('created_at')} AS page_created_at
     FROM workflow_definitions ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY created_at DESC, id DESC LIMIT $${params.length}`,
    params,
  );
  return pageOf(DEFINITION_PAGE, r.rows, q.limit, (row) => [row.page_created_at, row.id]);
}

/** Ids of the latest active version of every workflow name that listens for `eventType`. */
export async function definitionsListeningFor(tx: PgTx, eventType: string): Promise<string[]> {
  const r = await tx.query<{ id: string }>(
    `SELECT id FROM (
       SELECT DISTINCT ON (name) id, name, triggers FROM workflow_definitions WHERE is_active ORDER BY name, version DESC) latest
     WHERE triggers @> $1::jsonb ORDER BY name`,
    [JSON.stringify([{ type: 'event', eventType }])],
  );
  return r.rows.map((row) => row.id);
}
