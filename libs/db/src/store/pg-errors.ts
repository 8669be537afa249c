/** Postgres failures as engine errors: an unreachable database is a 503, never a 500. */

import { ConflictError, UnavailableError, ValidationError } from '@wf/engine';

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', 'EPIPE']);

export function isUnavailable(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  if (e?.code && CONNECTION_CODES.has(e.code)) return true;
  // admin shutdown, crash shutdown, cannot connect now, too many connections, statement/lock timeouts
  if (e?.code && ['57P01', '57P02', '57P03', '53300', '57014', '55P03', '08000', '08003', '08006', '08001', '08004'].includes(e.code)) {
    return true;
  }
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
    e?.message ?? '',
  );
}

/** Rethrow driver errors the caller can act on as typed errors; leave the rest alone. */
export function translatePgError(err: unknown): unknown {
  if (isUnavailable(err)) return new UnavailableError('DATABASE_UNAVAILABLE', 'The database is unavailable; try again shortly');
  const code = (err as { code?: string })?.code;
  // data exceptions (an unrepresentable character, a malformed value that slipped past
  // validation) are the caller's mistake, not a server fault
  if (code === '22021' || code === '22P05' || code === '22P02' || code === '22007' || code === '22008' || code === '22003') {
    return new ValidationError('INVALID_VALUE', `a value could not be stored: ${(err as Error).message}`);
  }
  if (code === '40001' || code === '40P01') {
    return new ConflictError('CONCURRENT_UPDATE', 'A concurrent change interfered; try again');
  }
  return err;
}
