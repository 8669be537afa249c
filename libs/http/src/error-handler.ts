/**
 * The one place errors become HTTP answers: `{ error: { code, message, details } }`.
 * Engine errors map by `kind`; body-parser and router errors by their `type`/`status`;
 * anything else is a bug, answered with a generic 500 and logged with its stack.
 */

import { STATUS_CODES } from 'node:http';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { z } from 'zod';
import { EngineError, NotFoundError } from '@wf/engine';
import type { Logger } from '@wf/runtime';
import { logOf } from './request-context';
import type { errorResponse } from './response-schemas';

/** `{ error: { code, message, details } }`, the shape the OpenAPI document gives every error. */
export type ErrorBody = z.output<typeof errorResponse>;

/** An error as the API answers it; `toHttpFailure` makes one (GraphQL answers with the same codes). */
export interface HttpFailure {
  status: number;
  code: string;
  message: string;
  details?: unknown;
  headers?: Record<string, string>;
}

/** `node_failed` and `transient` belong to the worker; reaching HTTP they are bugs (500). */
const STATUS_BY_KIND: Record<EngineError['kind'], number | null> = {
  validation: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unprocessable: 422,
  rate_limited: 429,
  unavailable: 503,
  node_failed: null,
  transient: null,
};

const INTERNAL: HttpFailure = { status: 500, code: 'INTERNAL', message: 'Internal server error' };

/** Everything no route answered. */
export function notFoundHandler(): RequestHandler {
  return (req, _res, next) => next(new NotFoundError('Route', `${req.method} ${req.path}`));
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, _req, res, next) => {
    const log = logOf(res, logger);
    const failure = toHttpFailure(err);
    if (failure.status >= 500 && failure.code === INTERNAL.code) {
      log.error({ err }, 'unhandled error');
    } else if (failure.status >= 500) {
      log.warn({ err }, failure.message);
    }
    if (res.headersSent) {
      // Too late for a JSON answer: Express's final handler closes the connection.
      next(err);
      return;
    }
    res.locals.errorCode = failure.code;
    const body: ErrorBody = {
      error: { code: failure.code, message: failure.message, details: failure.details ?? null },
    };
    res.status(failure.status).set(failure.headers ?? {}).json(body);
  };
}

export function toHttpFailure(err: unknown): HttpFailure {
  if (err instanceof EngineError) return fromEngineError(err);
  return fromHttpError(err) ?? INTERNAL;
}

function fromEngineError(err: EngineError): HttpFailure {
  const status = STATUS_BY_KIND[err.kind];
  if (status === null) return INTERNAL;
  const failure: HttpFailure = { status, code: err.code, message: err.message, details: err.details };
  if (err.kind === 'unauthenticated') failure.headers = { 'WWW-Authenticate': 'Bearer' };
  const retryAfter = retryAfterSeconds(err.details);
  if (err.kind === 'rate_limited' && retryAfter !== null) failure.headers = { 'Retry-After': String(retryAfter) };
  return failure;
}

/** body-parser (http-errors) and router errors: `status`, `type`, `expose`. */
function fromHttpError(err: unknown): HttpFailure | null {
  if (typeof err !== 'object' || err === null) return null;
  const { status, statusCode, type, expose, message, limit } = err as Record<string, unknown>;
  const code = typeof status === 'number' ? status : statusCode;
  if (typeof code !== 'number' || code < 400 || code > 499) return null;
  if (type === 'entity.parse.failed') {
    return { status: 400, code: 'INVALID_JSON', message: 'Request body is not valid JSON', details: { reason: message } };
  }
  if (type === 'entity.too.large') {
    return {
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
      message: 'Request body is too large',
      details: typeof limit === 'number' ? { limitBytes: limit } : null,
    };
  }
  const reason = STATUS_CODES[code] ?? 'Bad Request';
  return {
    status: code,
    code: reason.toUpperCase().replace(/[^A-Z0-9]+/g, '_'),
    message: expose !== false && typeof message === 'string' && message !== '' ? message : reason,
  };
}

function retryAfterSeconds(details: unknown): number | null {
  if (typeof details !== 'object' || details === null) return null;
  const value = (details as { retryAfterSeconds?: unknown }).retryAfterSeconds;
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.ceil(value) : null;
}
