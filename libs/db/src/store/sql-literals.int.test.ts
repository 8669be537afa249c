/**
 * The literals PgTx sends with COMMIT (`EXECUTE name(<literals>)`) must reach Postgres as exactly
 * the values the extended protocol would bind: same text, same jsonb, same arrays and times.
 */
import { Client } from 'pg';
import { sqlLiteralList } from './sql-literals';
import { createTestDatabase, type TestDatabase } from '../testing';

let db: TestDatabase;
let client: Client;

beforeAll(async () => {
  db = await createTestDatabase();
  client = new Client({ connectionString: db.url });
  await client.connect();
  await client.query(
    `PREPARE echo(text, jsonb, uuid[], timestamptz, integer) AS SELECT $1 AS t, $2 AS j, $3::text AS a, $4 AS ts, $5 AS n`,
  );
});
afterAll(async () => {
  await client.end();
  await db.drop();
});

const TRICKY = [
  "it's",
  'back\\slash',
  "\\'; SELECT 1; --",
  "'); DROP TABLE workflow_instances; --",
  'naïve ☃ 𝄞 ünïcödé',
  '$1 $$ $tag$',
  'line\nbreak\ttab',
  '',
];

it.each(TRICKY)('round-trips %j exactly as a bound parameter would', async (text) => {
  const json = JSON.stringify({ text, nested: [text, { k: text }], quote: '"', bs: '\\' });
  const params = [text, json, ['0a000000-0000-4000-8000-00000000000a', '0b000000-0000-4000-8000-00000000000b'], new Date('2026-11-25T10:00:00.123Z'), -42];
  const literals = sqlLiteralList(params);
  expect(literals).not.toBeNull();
  const viaLiterals = await client.query(`EXECUTE echo(${literals})`);
  const viaBind = await client.query(
    `SELECT $1::text AS t, $2::jsonb AS j, $3::uuid[]::text AS a, $4::timestamptz AS ts, $5::integer AS n`,
    params,
  );
  expect(viaLiterals.rows).toEqual(viaBind.rows);
  expect(viaLiterals.rows[0].t).toBe(text);
});

it('holds with standard_conforming_strings off, where a plain literal would read backslashes as escapes', async () => {
  await client.query('SET standard_conforming_strings = off');
  try {
    const text = "\\'; SELECT 1; --";
    const r = await client.query(`EXECUTE echo(${sqlLiteralList([text, '{}', [], new Date(0), 0])})`);
    expect(r.rows[0].t).toBe(text);
  } finally {
    await client.query('SET standard_conforming_strings = on');
  }
});
