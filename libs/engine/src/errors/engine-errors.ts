/**
 * The error taxonomy. Each error has a stable `code`; the API maps `kind` to an HTTP status in one
 * place, and the worker maps `retryable` to BullMQ's retry-or-give-up in one place.
 */

export type ErrorKind =
  | 'validation' // 400: the caller sent something invalid
  | 'unauthenticated' // 401
  | 'forbidden' // 403
  | 'not_found' // 404
  | 'conflict' // 409: the object's state forbids it
  | 'too_large' // 413
  | 'unprocessable' // 422: well-formed but impossible
  | 'rate_limited' // 429
  | 'unavailable' // 503: a dependency is down; try again later
  | 'node_failed' // a step failed for good
  | 'transient'; // a step failed but may succeed on retry

export interface SerializedError {
  name: string;
  code: string;
  message: string;
  details?: unknown;
}

export class EngineError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }

  /** Whether retrying the same work could succeed. */
  get retryable(): boolean {
    return this.kind === 'transient' || this.kind === 'unavailable';
  }

  toJSON(): SerializedError {
    return { name: this.name, code: this.code, message: this.message, details: this.details };
  }
}

export class ValidationError extends EngineError {
  constructor(code: string, message: string, details?: unknown) {
    super('validation', code, message, details);
  }
}

export class UnauthenticatedError extends EngineError {
  constructor(message = 'Authentication required', code = 'UNAUTHENTICATED') {
    super('unauthenticated', code, message);
  }
}

export class ForbiddenError extends EngineError {
  constructor(message: string, code = 'FORBIDDEN', details?: unknown) {
    super('forbidden', code, message, details);
  }
}

export class NotFoundError extends EngineError {
  constructor(what: string, id?: string) {
    super('not_found', 'NOT_FOUND', id ? `${what} ${id} not found` : `${what} not found`);
  }
}

export class ConflictError extends EngineError {
  constructor(code: string, message: string, details?: unknown) {
    super('conflict', code, message, details);
  }
}

export class UnprocessableError extends EngineError {
  constructor(code: string, message: string, details?: unknown) {
    super('unprocessable', code, message, details);
  }
}

export class TooLargeError extends EngineError {
  constructor(code: string, message: string, details?: unknown) {
    super('too_large', code, message, details);
  }
}

export class UnavailableError extends EngineError {
  constructor(code: string, message: string, details?: unknown) {
    super('unavailable', code, message, details);
  }
}

/** A step failed in a way retrying cannot fix (bad expression result, refused destination...). */
export class NodeFailedError extends EngineError {
  constructor(code: string, message: string, details?: unknown) {
    super('node_failed', code, message, details);
  }
}

/** A step failed in a way a later attempt may not (timeouts, 5xx, connection resets). */
export class TransientError extends EngineError {
  constructor(code: string, message: string, details?: unknown) {
    super('transient', code, message, details);
  }
}

/** Serialise any thrown value for a history row or a queue boundary. */
export function serializeError(err: unknown): SerializedError {
  if (err instanceof EngineError) return err.toJSON();
  if (err instanceof Error) return { name: err.name, code: 'INTERNAL', message: err.message };
  return { name: 'Error', code: 'INTERNAL', message: String(err) };
}
