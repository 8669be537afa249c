/**
 * GraphQL arguments through the REST API's own zod schemas (schemas.ts), so a value REST refuses
 * is refused here with the same code and messages (`VALIDATION_FAILED` with every problem,
 * `INVALID_ID`, `INVALID_CURSOR`). Problem paths name the GraphQL argument: `input.contextData`,
 * `limit`, `comments`.
 */

import type { z } from 'zod';
import type { ValidationError } from '@wf/engine';
import { checkInput, invalidInput, type FieldProblem } from '../validation';

type Args = Readonly<Record<string, unknown>>;

/** A GraphQL `null` means "not given", as an absent argument or field does. */
export function withoutNulls(value: Args): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null && v !== undefined));
}

/**
 * List arguments as the query string of the REST list would carry them (every value a string),
 * checked by that list's query schema: `limit: 900` is refused exactly as `?limit=900` is.
 */
export function listArgs<S extends z.ZodType>(schema: S, args: Args): z.output<S> {
  const query = Object.fromEntries(Object.entries(withoutNulls(args)).map(([k, v]) => [k, String(v)]));
  const checked = checkInput(schema, query, 'query');
  if (!checked.success) throw invalidInput(checked.problems.map((p) => ({ ...p, path: p.path === 'query' ? 'arguments' : p.path })));
  return checked.data;
}

export type CheckedArgs<T> = { success: true; data: T } | { success: false; problems: FieldProblem[] };

/** An input object (or a field's other arguments) as a REST body, with problem paths under `name`. */
export function bodyArgs<S extends z.ZodType>(schema: S, value: Args, name: string): CheckedArgs<z.output<S>> {
  const checked = checkInput(schema, withoutNulls(value), 'body');
  if (checked.success) return checked;
  return { success: false, problems: checked.problems.map((p) => ({ ...p, path: p.path === 'body' ? name || 'arguments' : name === '' ? p.path : `${name}.${p.path}` })) };
}

/** The problems of several checks (one at least failed) as one `VALIDATION_FAILED`. */
export function argumentsError(...checks: CheckedArgs<unknown>[]): ValidationError {
  return invalidInput(checks.flatMap((c) => (c.success ? [] : c.problems)));
}
