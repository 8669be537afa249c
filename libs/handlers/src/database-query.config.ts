/**
 * `database_query`'s `serviceConfig`: `{ sql, params?, resultVariable? }`. The statement is judged
 * by the PostgreSQL parser (`checkStatement`, which needs `loadSqlParser()` done) when the
 * definition is saved and again before each run; `params` are CEL expressions.
 */

import { z } from 'zod';
import { celExpression } from '@wf/engine';
import { checkStatement } from './sql-statement-check';

const NEEDS_SQL = 'database_query needs serviceConfig.sql, a string';
const RESULT_VARIABLE = 'serviceConfig.resultVariable must be a non-empty string';

const sql = z.string({ error: NEEDS_SQL }).superRefine((value, ctx) => {
  if (value.trim() === '') {
    ctx.addIssue({ code: 'custom', message: NEEDS_SQL });
    return;
  }
  const checked = checkStatement(value);
  if (!checked.ok) ctx.addIssue({ code: 'custom', message: checked.message, params: { errorCode: 'QUERY_INVALID' } });
});

export const databaseQueryConfig = z.looseObject({
  /** one SELECT, INSERT, UPDATE, DELETE or MERGE (WITH, VALUES and TABLE parse as those) */
  sql,
  /** CEL expressions whose values are bound as `$1..$n`; default none */
  params: z.array(celExpression('a parameter is an expression, written as a string'), { error: 'serviceConfig.params must be a list of expressions' }).default([]),
  /** the context key the rows go to; without it the rows are not kept */
  resultVariable: z.string({ error: RESULT_VARIABLE }).refine((value) => value.trim() !== '', { error: RESULT_VARIABLE }).optional(),
});

export type DatabaseQueryConfig = z.output<typeof databaseQueryConfig>;
