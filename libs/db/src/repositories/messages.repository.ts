/** Messages for receive nodes: a tenant's own rows under RLS, read and written under the correlation lock. */

import type { NewMessage, ReceivedMessage, StoredMessage } from '@wf/engine';
import type { PgTx } from '../store/pg-store';

const MESSAGE_COLUMNS = `id, name, correlation_key AS "correlationKey", data, message_id AS "messageId", status,
  delivered_to AS "deliveredTo", expires_at AS "expiresAt", via, created_at AS "createdAt"`;

function received(row: StoredMessage): ReceivedMessage {
  return { id: row.id, name: row.name, correlationKey: row.correlationKey, data: row.data, messageId: row.messageId, via: row.via };
}

export async function lockCorrelation(tx: PgTx, messageName: string, correlationKey: string): Promise<void> {
  await tx.query(
    `SELECT pg_advisory_xact_lock(hashtextextended('workflow_messages:' || current_setting('app.current_tenant') || ':' || $1 || ':' || $2, 0))`,
    [messageName, correlationKey],
  );
}

export async function takeBufferedMessage(tx: PgTx, messageName: string, correlationKey: string, executionId: string, now: Date): Promise<ReceivedMessage | null> {
  const r = await tx.query<StoredMessage>(
    `UPDATE workflow_messages SET status = 'consumed', consumed_by = $3
     WHERE id = (SELECT id FROM workflow_messages
                 WHERE status = 'buffered' AND name = $1 AND correlation_key = $2 AND (expires_at IS NULL OR expires_at > $4)
                 ORDER BY created_at, id LIMIT 1 FOR UPDATE)
     RETURNING ${MESSAGE_COLUMNS}`,
    [messageName, correlationKey, executionId, now],
  );
  const row = r.rows[0];
  return row ? received(row) : null;
}

export async function deliveredMessage(tx: PgTx, executionId: string): Promise<ReceivedMessage | null> {
  const r = await tx.query<StoredMessage>(
    `SELECT ${MESSAGE_COLUMNS} FROM workflow_messages WHERE status = 'delivered' AND delivered_to @> ARRAY[$1::uuid] ORDER BY created_at, id LIMIT 1`,
    [executionId],
  );
  const row = r.rows[0];
  return row ? received(row) : null;
}

export async function waitingReceivers(tx: PgTx, messageName: string, correlationKey: string, limit: number): Promise<{ instanceId: string; executionId: string }[]> {
  const r = await tx.query<{ instanceId: string; executionId: string }>(
    `SELECT n.instance_id AS "instanceId", n.id AS "executionId" FROM workflow_instance_nodes n
     JOIN workflow_instances i ON i.id = n.instance_id AND i.status = 'running'
     WHERE n.status = 'waiting' AND n.waiting_for = 'message' AND n.message_name = $1 AND n.correlation_key = $2
       AND NOT EXISTS (SELECT 1 FROM workflow_messages m WHERE m.status = 'delivered' AND m.delivered_to @> ARRAY[n.id])
     ORDER BY n.started_at, n.id LIMIT $3`,
    [messageName, correlationKey, limit],
  );
  return r.rows;
}

export async function storeMessage(tx: PgTx, m: NewMessage): Promise<string | null> {
  const r = await tx.query<{ id: string }>(
    `INSERT INTO workflow_messages (tenant_id, name, correlation_key, message_id, data, status, delivered_to, expires_at, via)
     VALUES (current_setting('app.current_tenant')::uuid, $1, $2, $3, $4::jsonb, $5, $6::uuid[], $7, $8)
     ON CONFLICT (tenant_id, message_id) WHERE message_id IS NOT NULL DO NOTHING
     RETURNING id`,
    [m.name, m.correlationKey, m.messageId, JSON.stringify(m.data), m.status, m.deliveredTo, m.expiresAt, m.via],
  );
  return r.rows[0]?.id ?? null;
}

export async function messageById(tx: PgTx, messageId: string): Promise<StoredMessage | null> {
  const r = await tx.query<StoredMessage>(`SELECT ${MESSAGE_COLUMNS} FROM workflow_messages WHERE message_id = $1`, [messageId]);
  return r.rows[0] ?? null;
}

/** Buffered messages whose time to live ran out, and old settled ones: deleted in batches. */
export async function purgeExpiredMessages(tx: PgTx, now: Date, keepSettledDays: number, limit: number): Promise<number> {
  const r = await tx.query(
    `DELETE FROM workflow_messages WHERE id IN (
       SELECT id FROM workflow_messages
       WHERE (status = 'buffered' AND expires_at <= $1)
          OR (status IN ('consumed', 'unmatched') AND created_at < $1 - make_interval(days => $2))
       LIMIT $3)`,
    [now, keepSettledDays, limit],
  );
  return r.rowCount ?? 0;
}
