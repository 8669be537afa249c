/**
 * Turns zod results into the API's 400s. Every problem is reported at once, each as
 * `{ path, message }`, so a client can fix a request in one round trip.
 */

import type { z } from 'zod';
import { ValidationError } from '@wf/engine';
import { idSchema } from './schemas';

/** One thing wrong with a request; `path` is relative to its location (`comments`, `limit`). */
export interface FieldProblem {
  path: string;
  message: string;
}

/** Where the validated value came from; also the path of problems with the value as a whole. */
/** `name`: a name in the path (`/api/calendars/:name`). */
export type InputLocation = 'body' | 'query' | 'headers' | 'name';

export type Checked<T> = { success: true; data: T } | { success: false; problems: FieldProblem[] };

/** Validate without throwing: lets a route report 404/403/409 before a body's 400. */
export function checkInput<S extends z.ZodType>(schema: S, value: unknown, where: InputLocation): Checked<z.output<S>> {
  const result = schema.safeParse(value);
  if (result.success) return { success: true, data: result.data };
  return { success: false, problems: problemsOf(result.error, where) };
}

/** Validate or throw 400 `VALIDATION_FAILED`. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, where: InputLocation): z.output<S> {
  const checked = checkInput(schema, value, where);
  if (!checked.success) throw invalidInput(checked.problems);
  return checked.data;
}

export function invalidInput(problems: FieldProblem[]): ValidationError {
  const [first] = problems;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
  const summary = first ? `${first.path}: ${first.message}${more}` : 'invalid input';
  return new ValidationError('VALIDATION_FAILED', `Invalid request: ${summary}`, problems);
}

/** A path parameter that must be a UUID; anything else is 400 `INVALID_ID`. Returns it lowercased. */
export function parseId(value: unknown, name = 'id'): string {
  const result = idSchema.safeParse(value);
  if (result.success) return result.data.toLowerCase();
  return invalidId(name);
}

function invalidId(name: string): never {
  throw new ValidationError('INVALID_ID', `${name} must be a UUID`, [{ path: name, message: 'must be a UUID' }]);
}

function problemsOf(error: z.ZodError, where: InputLocation): FieldProblem[] {
  return error.issues.flatMap((issue): FieldProblem[] => {
    // One problem per unknown key, at the key's own path, rather than one at the parent.
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: formatPath([...issue.path, key], where), message: 'unknown field' }));
    }
    return [{ path: formatPath(issue.path, where), message: issue.message }];
  });
}

/** `["nodes", 2, "name"]` -> `nodes[2].name`; the empty path is the location itself. */
function formatPath(path: readonly PropertyKey[], where: InputLocation): string {
  if (path.length === 0) return where;
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${String(key)}`))
    .join('');
}
