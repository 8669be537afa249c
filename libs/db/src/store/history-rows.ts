import { v7 as uuidv7 } from 'uuid';
import type { HistoryEvent } from '@wf/engine';
import type { HashedHistoryRow } from './instance-write';
import { historyHash } from './sql-values';

/** History rows with ids and chained hashes, in order; `lastHash` is the new head of the chain. */
export function hashHistory(
  instanceId: string,
  prevHash: string | null,
  events: readonly HistoryEvent[],
  now: Date,
): { rows: HashedHistoryRow[]; lastHash: string | null } {
  let prev = prevHash;
  const rows = events.map((event) => {
    const row = {
      id: uuidv7(),
      instanceId,
      nodeExecutionId: event.nodeExecutionId,
      eventType: event.eventType,
      actorUserId: event.actorUserId,
      details: event.details,
      createdAt: now,
    };
    const hash = historyHash(prev, row);
    const out = { ...row, prevHash: prev, hash };
    prev = hash;
    return out;
  });
  return { rows, lastHash: prev };
}
