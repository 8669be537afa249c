/**
 * Ready means the server accepts a connection and answers a query: its "ready to accept
 * connections" log line comes a moment earlier than that on a slow disk, and a client that
 * connects during recovery is refused with "the database system is starting up".
 */
import { Client } from 'pg';
import { sleep } from './wait';

const POLL_MS = 50;
const CONNECT_TIMEOUT_MS = 2_000;

export type Readiness = 'ready' | 'exited' | 'timeout';

export async function waitUntilReady(url: string, hasExited: () => boolean, timeoutMs: number): Promise<Readiness> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (hasExited()) return 'exited';
    if (await answers(url)) return 'ready';
    await sleep(POLL_MS);
  }
  return hasExited() ? 'exited' : 'timeout';
}

async function answers(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  // a refused or dropped connection also emits 'error' on the client
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}
