/**
 * What every context update is held to, whoever makes it (a handler's result, a form, a child's
 * result, set_context): the size limit of a start, and no key that could reach an object's
 * prototype. One query once made a 56 MB context; a JSON `__proto__` key, merged by code that
 * assigns, sets the prototype.
 */

import { EngineError, NodeFailedError, TooLargeError, ValidationError } from '../errors/engine-errors';
import type { JsonObject } from './model';

/** The largest context an instance may hold, as JSON (the same limit as `contextData` at start). */
export const MAX_CONTEXT_BYTES = 256 * 1024;

/** Keys refused anywhere in a context update, as in request bodies. */
export const UNSAFE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** The first unsafe key inside `value`, with its path, or null. */
export function findUnsafeKey(value: unknown, path = ''): string | null {
  if (value === null || typeof value !== 'object') return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) {
      const found = findUnsafeKey(value[i], `${path}[${i}]`);
      if (found) return found;
    }
    return null;
  }
  for (const key of Object.keys(value)) {
    const at = path ? `${path}.${key}` : key;
    if (UNSAFE_KEYS.has(key)) return at;
    const found = findUnsafeKey((value as Record<string, unknown>)[key], at);
    if (found) return found;
  }
  return null;
}

/** Who the update came from decides how a refusal surfaces: a failed node, or a 4xx answer. */
export type UpdateSource = 'step' | 'request';

/**
 * `current` with `values` merged at the top level, or the refusal: a step's update fails the node
 * (`CONTEXT_TOO_LARGE`, `UNSAFE_CONTEXT_KEY`), a request's is a 413 or a 400.
 */
export function mergedContext(current: JsonObject, values: JsonObject, source: UpdateSource): JsonObject {
  const unsafe = findUnsafeKey(values);
  if (unsafe) {
    const message = `the key "${unsafe}" is not allowed in a context (it could reach an object's prototype)`;
    throw refusal(source, 'UNSAFE_CONTEXT_KEY', message, () => new ValidationError('UNSAFE_CONTEXT_KEY', message, [{ path: unsafe, message: 'not allowed as an object key' }]));
  }
  const merged = { ...current, ...values };
  const bytes = Buffer.byteLength(JSON.stringify(merged));
  if (bytes > MAX_CONTEXT_BYTES) {
    const message = `the context would be ${bytes} bytes; the limit is ${MAX_CONTEXT_BYTES}`;
    throw refusal(source, 'CONTEXT_TOO_LARGE', message, () => new TooLargeError('CONTEXT_TOO_LARGE', message, { limitBytes: MAX_CONTEXT_BYTES }));
  }
  return merged;
}

function refusal(source: UpdateSource, code: string, message: string, forRequest: () => EngineError): EngineError {
  return source === 'step' ? new NodeFailedError(code, message) : forRequest();
}
