/**
 * The columns of `workflow_instance_history`, each written once: the recordset both inserts read
 * (a plan's and a start's), the JSON they send per row, and the history read model derive from it.
 */

import { columns, type ColumnTable } from './column-table';

/** A history row as written: the instance comes from the statement. */
export interface HashedHistoryRow {
  id: string;
  nodeExecutionId: string | null;
  eventType: string;
  actorUserId: string | null;
  details: unknown;
  createdAt: Date;
  prevHash: string | null;
  hash: string;
}

/** A history row as read (rows written before the hash chain have no hash). */
export interface HistoryView extends Omit<HashedHistoryRow, 'hash'> {
  instanceId: string;
  hash: string | null;
}

const WRITTEN = {
  id: ['id', 'uuid'],
  nodeExecutionId: ['node_execution_id', 'uuid'],
  eventType: ['event_type', 'text'],
  actorUserId: ['actor_user_id', 'text'],
  details: ['details', 'jsonb'],
  createdAt: ['created_at', 'timestamptz'],
  prevHash: ['prev_hash', 'text'],
  hash: ['hash', 'text'],
} as const satisfies ColumnTable<HashedHistoryRow>;

export const HISTORY_RECORD = columns<HashedHistoryRow>(WRITTEN);

export const HISTORY_VIEW = columns<HistoryView>({ ...WRITTEN, instanceId: ['instance_id', 'uuid'] });

/**
 * The insert of the history rows in `rows` (a `jsonb` parameter of `HISTORY_RECORD` records);
 * `from` joins what `tenant` and `instance` refer to.
 */
export function insertHistorySql(tenant: string, instance: string, rows: string, from = ''): string {
  const x = HISTORY_RECORD.names.map((c) => `x.${c}`).join(', ');
  return `INSERT INTO workflow_instance_history (tenant_id, instance_id, ${HISTORY_RECORD.names.join(', ')})
      SELECT ${tenant}, ${instance}, ${x}
      FROM ${from}jsonb_to_recordset(${rows}::jsonb) AS x(${HISTORY_RECORD.recordType})`;
}
