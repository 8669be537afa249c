/**
 * The column tables against the migrated schema: every column a table names exists, with the SQL
 * type the table declares (the type its recordset reads a JSON value as).
 */
import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '../testing';
import type { ColumnTable } from './column-table';
import { EXECUTION_TABLE } from './execution-columns';
import { HISTORY_VIEW } from './history-columns';
import { INSTANCE_TABLE } from './instance-columns';
import { DEFINITION_TABLE } from './definition-rows';

let db: TestDatabase;
let owner: Client;

beforeAll(async () => {
  db = await createTestDatabase();
  owner = new Client({ connectionString: db.url });
  await owner.connect();
});
afterAll(async () => {
  await owner.end();
  await db.drop();
});

/** Each column of `table` as the schema has it: [column, declared type, actual type]. */
async function typesOf(relation: string, table: ColumnTable<unknown>): Promise<[string, string, string | null][]> {
  const declared = Object.values<readonly [string, string]>(table);
  const r = await owner.query<{ col: string; declared: string; actual: string | null }>(
    `SELECT d.col, format_type(d.type::regtype, NULL) AS declared, format_type(a.atttypid, NULL) AS actual
     FROM unnest($2::text[], $3::text[]) AS d(col, type)
     LEFT JOIN pg_attribute a ON a.attrelid = $1::regclass AND a.attname = d.col AND NOT a.attisdropped`,
    [relation, declared.map(([c]) => c), declared.map(([, t]) => t)],
  );
  return r.rows.map((row) => [row.col, row.declared, row.actual]);
}

describe('column tables against the schema', () => {
  it.each([
    ['workflow_instance_nodes', EXECUTION_TABLE],
    ['workflow_instances', INSTANCE_TABLE],
    ['workflow_instance_history', HISTORY_VIEW.table],
    ['workflow_definitions', DEFINITION_TABLE],
  ] as const)('%s has every column of its table, of the declared type', async (relation, table) => {
    const rows = await typesOf(relation, table as ColumnTable<unknown>);
    expect(rows.length).toBe(Object.keys(table).length);
    expect(rows.filter(([, declared, actual]) => declared !== actual)).toEqual([]);
  });
});
