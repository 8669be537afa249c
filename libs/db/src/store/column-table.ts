/**
 * Column tables: an entity's columns written once, as `{ field: [column, sqlType] }` and typed
 * against the domain type (`satisfies ColumnTable<ExecutionFields>`), so a missing or misspelled
 * field is a type error. Everything the SQL needs is derived from a table, once, at load: the
 * SELECT list that returns the domain's camelCase shape (`waiting_for AS "waitingFor"`), the
 * column names and record type of a `jsonb_to_recordset`, and the JSON record of one row.
 */

type Column = readonly [column: string, sqlType: string];

/** One column for every field of `T`: none missing, none extra. */
export type ColumnTable<T> = { readonly [K in keyof T]-?: Column };

/** A table compiled into the SQL fragments it stands for. */
export interface Columns<T> {
  readonly table: ColumnTable<T>;
  /** the fields, in table order */
  readonly keys: readonly (keyof T & string)[];
  /** the column names, in table order */
  readonly names: readonly string[];
  /** `status, waiting_for AS "waitingFor", …`: pg returns rows of `T` */
  readonly select: string;
  /** `status text, waiting_for text, …`: the record type of a `jsonb_to_recordset` over `record` */
  readonly recordType: string;
  /** one row as the JSON record a `jsonb_to_recordset` reads: keyed by column name, in table order */
  readonly record: (row: T) => Record<string, unknown>;
}

/** `from` qualifies the SELECT list's columns (`i.` for `i.definition_id AS "definitionId"`). */
export function columns<T>(table: ColumnTable<T>, from = ''): Columns<T> {
  const keys = Object.keys(table) as (keyof T & string)[];
  const pairs = keys.map((k) => [k, table[k][0]] as const);
  return Object.freeze({
    table,
    keys,
    names: pairs.map(([, column]) => column),
    // a column named as its field needs no alias: pg names the result column after it
    select: pairs.map(([k, column]) => (column === k ? `${from}${column}` : `${from}${column} AS "${k}"`)).join(', '),
    recordType: keys.map((k) => `${table[k][0]} ${table[k][1]}`).join(', '),
    record: (row: T) => {
      const out: Record<string, unknown> = {};
      for (const [k, column] of pairs) out[column] = row[k];
      return out;
    },
  });
}

/** Some of a table's fields, for a read model that selects only those. */
export function pick<T, K extends keyof T & string>(table: ColumnTable<T>, keys: readonly K[]): ColumnTable<Pick<T, K>> {
  return Object.fromEntries(keys.map((k) => [k, table[k]])) as unknown as ColumnTable<Pick<T, K>>;
}

/** The row type a table's SELECT list returns. */
export type RowOf<C> = C extends Columns<infer T> ? T : never;
