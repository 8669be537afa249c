/** Structured JSON logs (pino), object first: `log.info({ instanceId }, 'message')`. */

import pino from 'pino';

export type Logger = pino.Logger;

export function createLogger(level: string, base: Record<string, unknown> = {}): Logger {
  return pino({
    level,
    base: { service: 'workflow-engine', ...base },
    // Never log credentials that may ride along in objects we log.
    redact: {
      paths: ['req.headers.authorization', 'headers.authorization', '*.password', '*.jwtSecret', 'jwtSecret', 'token'],
      censor: '[redacted]',
    },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
