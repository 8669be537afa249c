/**
 * Opaque keyset cursors. A cursor is base64url JSON `{ "l": <list>, "k": [...] }`: the name of the
 * list it pages and the sort key of the last row of its page, every column the list orders by and
 * the row's unique id last, so the next page starts exactly after that row.
 *
 * Timestamps travel as the UTC text Postgres prints for them, microseconds included: a JS `Date`
 * keeps only milliseconds, and with it rows created within one millisecond were served twice or
 * never. Every component is checked before it reaches SQL, so a cursor this API did not hand out
 * is `400 INVALID_CURSOR`, never a Postgres error.
 */

import { ValidationError } from '@wf/engine';

/** A timestamp, one that may be NULL (sorted last), a row id, or a small rank (0 to 9, as text). */
export type CursorPart = 'timestamp' | 'timestamp?' | 'uuid' | 'rank';

export interface CursorSpec<P extends readonly CursorPart[]> {
  /** which list the cursor pages: one list's cursor is refused by another */
  readonly list: string;
  readonly parts: P;
}

/** The decoded key: timestamps as exact UTC text (`2026-01-02T03:04:05.123456Z`), ids as text. */
export type CursorKey<P extends readonly CursorPart[]> = { -readonly [I in keyof P]: P[I] extends 'timestamp?' ? string | null : string };

export function cursorSpec<const P extends readonly CursorPart[]>(list: string, parts: P): CursorSpec<P> {
  return Object.freeze({ list, parts });
}

/**
 * SQL that prints a `timestamptz` column the way a cursor carries it: UTC, microseconds, `Z`
 * (whatever the session's TimeZone and DateStyle), `infinity`/`-infinity` as such, NULL as NULL.
 */
export function cursorTimestampSql(column: string): string {
  return `CASE WHEN isfinite(${column}) THEN to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') ELSE ${column}::text END`;
}

export function encodeCursor<P extends readonly CursorPart[]>(spec: CursorSpec<P>, key: CursorKey<P>): string {
  return Buffer.from(JSON.stringify({ l: spec.list, k: key })).toString('base64url');
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TIMESTAMP = /^(\d{4,6})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.\d{6}Z$/;
/** Postgres's last representable year is 294276; stopping a year short keeps every date in range. */
const MAX_YEAR = 294_275;

/** Decode and check a cursor of `spec`'s list; anything else is 400 `INVALID_CURSOR`. */
export function decodeCursor<P extends readonly CursorPart[]>(spec: CursorSpec<P>, cursor: string): CursorKey<P> {
  const decoded = BASE64URL.test(cursor) ? parseJson(Buffer.from(cursor, 'base64url').toString('utf8')) : undefined;
  if (typeof decoded !== 'object' || decoded === null || Array.isArray(decoded)) throw invalidCursor('not a cursor this API returned');
  const { l: list, k: key, ...rest } = decoded as Record<string, unknown>;
  if (Object.keys(rest).length > 0 || !Array.isArray(key)) throw invalidCursor('not a cursor this API returned');
  if (list !== spec.list) throw invalidCursor(`not a cursor of this list (${spec.list})`);
  if (key.length !== spec.parts.length) throw invalidCursor('not a cursor this API returned');
  spec.parts.forEach((part, i) => {
    if (!isPart(part, key[i])) throw invalidCursor(`component ${i + 1} is not ${part === 'uuid' ? 'a UUID' : part === 'rank' ? 'a rank' : 'a timestamp'}`);
  });
  return key as CursorKey<P>;
}

/** Rows fetched with limit + 1: the page, and the cursor of its last row when more remain. */
export function pageOf<R, P extends readonly CursorPart[]>(
  spec: CursorSpec<P>,
  rows: R[],
  limit: number,
  keyOf: (row: R) => CursorKey<P>,
): { items: R[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last !== undefined ? encodeCursor(spec, keyOf(last)) : null };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isPart(part: CursorPart, value: unknown): boolean {
  if (part === 'timestamp?' && value === null) return true;
  if (typeof value !== 'string') return false;
  if (part === 'rank') return /^[0-9]$/.test(value);
  return part === 'uuid' ? UUID.test(value) : isTimestamp(value);
}

/** What `cursorTimestampSql` prints, with a real calendar date and time of day. */
export function isTimestamp(value: string): boolean {
  if (value === 'infinity' || value === '-infinity') return true;
  const m = TIMESTAMP.exec(value);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  return (
    year >= 1 &&
    year <= MAX_YEAR &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month) &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59
  );
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function invalidCursor(reason: string): ValidationError {
  return new ValidationError('INVALID_CURSOR', `cursor is not valid: ${reason}; pass a nextCursor exactly as a page returned it`, [
    { path: 'cursor', message: reason },
  ]);
}
