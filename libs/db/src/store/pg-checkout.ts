/**
 * Checking a connection out of the pool without letting it crash the process.
 *
 * pg-pool listens for a client's asynchronous 'error' only while the client sits idle. A client
 * that is checked out when Postgres restarts, the network drops or
 * `idle_in_transaction_session_timeout` ends its session emits 'error' with no listener, and
 * Node turns that into an uncaught exception. Here a listener is attached for the whole checkout;
 * the pending query still rejects (which is how the caller learns of it) and the broken
 * connection is destroyed on release instead of going back to the pool.
 */

import type { Pool, PoolClient } from 'pg';
import { translatePgError } from './pg-errors';

export interface CheckedOutClient {
  readonly client: PoolClient;
  /** Back to the pool, or destroyed when `broken` is given or the connection failed meanwhile. */
  release(broken?: Error | boolean): void;
}

export async function checkout(pool: Pool): Promise<CheckedOutClient> {
  let client: PoolClient;
  try {
    client = await pool.connect();
  } catch (err) {
    throw translatePgError(err);
  }
  let failure: Error | undefined;
  const onError = (err: Error): void => {
    failure = err;
  };
  client.on('error', onError);
  let released = false;
  return {
    client,
    release(broken) {
      if (released) return;
      released = true;
      const destroy = broken || failure;
      // a dying connection can emit 'error' more than once (the server's FATAL, then the closed
      // socket): one that is being destroyed keeps a listener for good
      if (!destroy) client.removeListener('error', onError);
      client.release(destroy);
    },
  };
}

/**
 * One transaction on its own connection: `begin` (BEGIN plus its settings) first, then `work`,
 * then COMMIT; on any failure ROLLBACK and the connection is destroyed rather than reused.
 */
export async function inTransaction<T>(pool: Pool, begin: string, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const conn = await checkout(pool);
  try {
    await conn.client.query(begin);
    const result = await work(conn.client);
    await conn.client.query('COMMIT');
    conn.release();
    return result;
  } catch (err) {
    await conn.client.query('ROLLBACK').catch(() => undefined);
    conn.release(true);
    throw translatePgError(err);
  }
}
