/** Cursors decode only to what the lists handed out; everything else is 400 INVALID_CURSOR. */
import { ValidationError } from '@wf/engine';
import { cursorSpec, decodeCursor, encodeCursor, isTimestamp, pageOf } from './cursor';

const TASKS = cursorSpec('tasks', ['timestamp?', 'timestamp', 'uuid']);
const INSTANCES = cursorSpec('instances', ['timestamp', 'uuid']);
const ID = '7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

function refusal(cursor: string): ValidationError {
  try {
    decodeCursor(INSTANCES, cursor);
  } catch (err) {
    return err as ValidationError;
  }
  throw new Error(`accepted ${cursor}`);
}

describe('cursors', () => {
  it('carry every sort key exactly, microseconds and NULL included', () => {
    const key: [string | null, string, string] = [null, '2026-03-02T09:30:00.123457Z', ID];
    expect(decodeCursor(TASKS, encodeCursor(TASKS, key))).toEqual(key);
    const dated: [string | null, string, string] = ['2026-03-03T00:00:00.000001Z', '2026-03-02T09:30:00.123456Z', ID];
    expect(decodeCursor(TASKS, encodeCursor(TASKS, dated))).toEqual(dated);
  });

  it('come from the last row of a page, and only when more rows remain', () => {
    const rows = [{ at: '2026-03-02T09:30:00.000001Z', id: ID }, { at: '2026-03-02T09:30:00.000002Z', id: ID }];
    const page = pageOf(INSTANCES, rows, 1, (r) => [r.at, r.id]);
    expect(page.items).toEqual([rows[0]]);
    expect(decodeCursor(INSTANCES, page.nextCursor!)).toEqual([rows[0]!.at, ID]);
    expect(pageOf(INSTANCES, rows, 2, (r) => [r.at, r.id]).nextCursor).toBeNull();
  });

  it.each([
    ['garbage', 'not a cursor!'],
    ['base64 that is not JSON', b64('{nope')],
    ['JSON of the wrong shape', b64([1, 2, 3])],
    ['an object without the key', b64({ l: 'instances' })],
    ['extra fields', b64({ l: 'instances', k: ['2026-03-02T09:30:00.000000Z', ID], x: 1 })],
    ['the wrong number of components', b64({ l: 'instances', k: [ID] })],
    ['another list', b64({ l: 'tasks', k: ['2026-03-02T09:30:00.000000Z', ID] })],
    ['a millisecond timestamp', b64({ l: 'instances', k: ['2026-03-02T09:30:00.000Z', ID] })],
    ['a date that does not exist', b64({ l: 'instances', k: ['2026-02-30T09:30:00.000000Z', ID] })],
    ['a time that does not exist', b64({ l: 'instances', k: ['2026-03-02T24:00:00.000000Z', ID] })],
    ['a year Postgres cannot hold', b64({ l: 'instances', k: ['294277-01-01T00:00:00.000000Z', ID] })],
    ['a timestamp with SQL in it', b64({ l: 'instances', k: ["2026-03-02'; DROP TABLE x; --", ID] })],
    ['a NULL where none may be', b64({ l: 'instances', k: [null, ID] })],
    ['a bad uuid', b64({ l: 'instances', k: ['2026-03-02T09:30:00.000000Z', 'not-a-uuid'] })],
    ['a number for a uuid', b64({ l: 'instances', k: ['2026-03-02T09:30:00.000000Z', 42] })],
  ])('refuse %s with INVALID_CURSOR', (_what, cursor) => {
    const err = refusal(cursor);
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.code).toBe('INVALID_CURSOR');
    expect(err.message).toMatch(/^cursor is not valid: /);
    expect(err.details).toEqual([{ path: 'cursor', message: expect.any(String) }]);
  });

  it('accept the calendar as Postgres does: leap days, infinity', () => {
    expect(isTimestamp('2024-02-29T00:00:00.000000Z')).toBe(true);
    expect(isTimestamp('2000-02-29T23:59:59.999999Z')).toBe(true);
    expect(isTimestamp('1900-02-29T00:00:00.000000Z')).toBe(false);
    expect(isTimestamp('2026-04-31T00:00:00.000000Z')).toBe(false);
    expect(isTimestamp('infinity')).toBe(true);
    expect(isTimestamp('0000-01-01T00:00:00.000000Z')).toBe(false);
  });
});
