/**
 * A child process for the integration tests (run with tsx): starts an embedded server on the data
 * directory given as the first argument, prints one JSON line (the server's url and pid, or the
 * error's name and message), then holds the server until its stdin closes or it gets SIGTERM, and
 * stops it. The tests kill it with -9 to see the watchdog stop the server, and run it as an
 * ordinary user to cover the non-root path.
 */
import { startEmbeddedPostgres } from '../embedded-postgres';

async function main(): Promise<void> {
  const dataDir = process.argv[2];
  if (!dataDir) throw new Error('usage: hold-embedded.ts <dataDir> [fast]');
  try {
    const pg = await startEmbeddedPostgres({ dataDir, durable: process.argv[3] !== 'fast' });
    const { url, pid, port, initialised, recoveredStaleLock } = pg;
    process.stdout.write(`${JSON.stringify({ ok: true, url, pid, port, initialised, recoveredStaleLock, node: process.pid, uid: process.getuid?.() })}\n`);
    const stop = (): void => void pg.stop().then(() => process.exit(0));
    process.once('SIGTERM', stop);
    process.stdin.once('end', stop).resume();
  } catch (err) {
    const e = err as Error;
    process.stdout.write(`${JSON.stringify({ ok: false, name: e.name, message: e.message })}\n`);
    process.exit(1);
  }
}

void main();
