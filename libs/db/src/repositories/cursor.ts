/** Opaque keyset cursors: base64url JSON of the last row's sort key. */

import { ValidationError } from '@wf/engine';

export function encodeCursor(key: readonly unknown[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string, arity: number): unknown[] {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(key) && key.length === arity && key.every((k) => typeof k === 'string')) return key;
  } catch {
    // fall through
  }
  throw new ValidationError('INVALID_CURSOR', 'cursor is not one this API returned', [{ path: 'cursor', message: 'invalid cursor' }]);
}

/** Rows fetched with limit + 1: the page, and the cursor of its last row when more remain. */
export function pageOf<R>(rows: R[], limit: number, keyOf: (row: R) => string[]): { items: R[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(keyOf(last)) : null };
}
