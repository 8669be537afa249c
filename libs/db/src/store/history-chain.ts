import type { HistoryView } from './history-columns';
import { historyHash } from './sql-values';

/** The retention purge's row: the first of a purged chain. */
const PURGED_EVENT = 'history_purged';

export interface ChainVerdict {
  readonly valid: boolean;
  readonly checked: number;
  /** id of the first row whose hash (or link to its predecessor) does not match, else null */
  readonly brokenAt: string | null;
}

/**
 * Recompute an instance's history hash chain, oldest first: each row's `prevHash` must be its
 * predecessor's `hash`, and its `hash` must be the hash of its own content chained to it. The
 * first row starts the chain (`prevHash` null), unless it is the retention purge's
 * `history_purged` row, which carries the chain on from the head of the rows it removed.
 * With `head` (the instance's `last_history_hash`), the last row must also be the one the
 * instance recorded as its newest, so rows removed from the end are caught (`brokenAt` is then
 * the last row left), and an instance that records a head but has no rows at all is broken.
 */
export function verifyHistoryChain(rows: readonly HistoryView[], head?: string | null): ChainVerdict {
  const first = rows[0];
  let prev: string | null = first?.eventType === PURGED_EVENT ? first.prevHash : null;
  let checked = 0;
  if (!first && head !== undefined && head !== null) return { valid: false, checked: 0, brokenAt: null };
  for (const row of rows) {
    checked += 1;
    const expected = historyHash(prev, row);
    if (row.prevHash !== prev || row.hash !== expected) return { valid: false, checked, brokenAt: row.id };
    prev = row.hash;
  }
  const last = rows.at(-1);
  if (last && head !== undefined && head !== last.hash) return { valid: false, checked, brokenAt: last.id };
  return { valid: true, checked, brokenAt: null };
}
