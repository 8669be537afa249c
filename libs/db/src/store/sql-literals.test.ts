import { sqlLiteralList, sqlString } from './sql-literals';

describe('sqlString', () => {
  it('doubles quotes, and switches to E-strings with doubled backslashes when there are any', () => {
    expect(sqlString("it's")).toBe("'it''s'");
    expect(sqlString('a\\b')).toBe(" E'a\\\\b'");
    expect(sqlString("\\'; DROP TABLE x; --")).toBe(" E'\\\\''; DROP TABLE x; --'");
  });
});

describe('sqlLiteralList', () => {
  it('writes nulls, strings, numbers, booleans, dates and arrays', () => {
    const at = new Date('2026-11-25T10:00:00.123Z');
    expect(sqlLiteralList([null, undefined, 'x', 3, -1.5, true, at, ['a', 'b"c', null]])).toBe(
      `NULL, NULL, 'x', '3', '-1.5', 'true', '2026-11-25T10:00:00.123Z',  E'{"a","b\\\\"c",NULL}'`,
    );
  });

  it('gives up (null) on what the simple protocol cannot carry or it does not know', () => {
    expect(sqlLiteralList(['a\0b'])).toBeNull();
    expect(sqlLiteralList([['a\0']])).toBeNull();
    expect(sqlLiteralList([Number.NaN])).toBeNull();
    expect(sqlLiteralList([new Date('nope')])).toBeNull();
    expect(sqlLiteralList([{ a: 1 }])).toBeNull();
  });
});
