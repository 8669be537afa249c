import type { PgTx } from '../store/pg-store';

/**
 * Which of `names` some version of the tenant's definitions carries (active or not: a
 * deactivated name can be activated again).
 */
export async function existingDefinitionNames(tx: PgTx, names: readonly string[]): Promise<Set<string>> {
  if (names.length === 0) return new Set();
  const r = await tx.query<{ name: string }>(`SELECT DISTINCT name FROM workflow_definitions WHERE tenant_id = $1::uuid AND name = ANY($2::text[])`, [tx.tenantId, [...names]]);
  return new Set(r.rows.map((row) => row.name));
}

/** Which of `ids` (lower-case) are the tenant's definitions; another tenant's are not, whatever RLS does. */
export async function existingDefinitionIds(tx: PgTx, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const r = await tx.query<{ id: string }>(`SELECT id::text AS id FROM workflow_definitions WHERE tenant_id = $1::uuid AND id = ANY($2::uuid[])`, [tx.tenantId, [...ids]]);
  return new Set(r.rows.map((row) => row.id));
}
