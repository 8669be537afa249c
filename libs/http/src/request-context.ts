/**
 * Per-request context: a request id (the caller's `x-request-id` when it is sane, else a new
 * UUID) echoed back, a child logger carrying it, and one access-log line when the response ends.
 * Headers are never logged, so neither is `Authorization`.
 */

import { randomUUID } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import type { Logger } from '@wf/runtime';

const REQUEST_ID_HEADER = 'x-request-id';

/** Printable, no spaces or quotes: safe to put in logs and headers as-is. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/** Probe paths are logged at debug level: orchestrators call them every few seconds. */
const PROBE_PATHS = new Set(['/healthz', '/readyz']);

export function requestContext(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    const offered = req.get(REQUEST_ID_HEADER);
    const requestId = offered !== undefined && SANE_REQUEST_ID.test(offered) ? offered : randomUUID();
    res.setHeader(REQUEST_ID_HEADER, requestId);
    res.locals.requestId = requestId;
    const requestLog = logger.child({ requestId });
    res.locals.log = requestLog;

    // 'close' follows a finished response and also an aborted one.
    res.once('close', () => {
      const path = req.originalUrl.split('?', 1)[0] ?? req.originalUrl;
      const actor: unknown = res.locals.actor;
      const who = isIdentity(actor) ? { tenantId: actor.tenantId, userId: actor.userId } : {};
      const line = {
        method: req.method,
        path,
        status: res.statusCode,
        ms: Math.round(Number(process.hrtime.bigint() - started) / 1e5) / 10,
        ...who,
        ...(typeof res.locals.errorCode === 'string' ? { errorCode: res.locals.errorCode } : {}),
        ...(res.writableFinished ? {} : { aborted: true }),
      };
      // The request logger, not auth's child: its tenant/user bindings would repeat the fields.
      if (res.statusCode >= 500) requestLog.error(line, 'request completed');
      else if (PROBE_PATHS.has(path)) requestLog.debug(line, 'request completed');
      else requestLog.info(line, 'request completed');
    });
    next();
  };
}

/** The request's child logger (after `requestContext`, enriched with tenant and user by auth). */
export function logOf(res: Response, fallback: Logger): Logger {
  const log: unknown = res.locals.log;
  return isLogger(log) ? log : fallback;
}

function isLogger(value: unknown): value is Logger {
  return typeof value === 'object' && value !== null && typeof (value as { child?: unknown }).child === 'function';
}

function isIdentity(value: unknown): value is { tenantId: string; userId: string } {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { tenantId?: unknown }).tenantId === 'string' &&
    typeof (value as { userId?: unknown }).userId === 'string'
  );
}
