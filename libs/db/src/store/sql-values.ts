/** Small helpers for SQL the store writes. */

import { createHash } from 'node:crypto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/**
 * A UUID as an SQL literal. Only validated UUIDs are ever inlined, which lets the store send
 * BEGIN, the tenant settings and the row locks in one round trip (simple protocol, no parameters).
 */
export function uuidLiteral(value: string): string {
  if (!UUID.test(value)) throw new TypeError(`not a uuid: ${value}`);
  return `'${value.toLowerCase()}'`;
}

/** JSON with object keys sorted, so a hash computed now matches one recomputed from jsonb later. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

/** The fingerprint of a start's identifying fields, kept with an idempotency key. */
export function requestHashOf(request: Record<string, unknown>): string {
  return createHash('sha256').update(canonicalJson(request)).digest('hex');
}

export interface HashedHistoryFields {
  id: string;
  instanceId: string;
  nodeExecutionId: string | null;
  eventType: string;
  actorUserId: string | null;
  details: unknown;
  createdAt: Date;
}

/** The hash of one history row, chained to its predecessor in the same instance. */
export function historyHash(prevHash: string | null, row: HashedHistoryFields): string {
  return createHash('sha256')
    .update(
      canonicalJson([
        prevHash,
        row.id,
        row.instanceId,
        row.nodeExecutionId,
        row.eventType,
        row.actorUserId,
        row.details,
        row.createdAt.toISOString(),
      ]),
    )
    .digest('hex');
}
