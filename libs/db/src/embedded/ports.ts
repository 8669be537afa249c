/** The loopback port the server listens on: a free one the system picks, or the one asked for if it is free. */
import { createServer } from 'node:net';
import { EmbeddedPortUnavailableError } from './embedded-errors';

const HOST = '127.0.0.1';

/** A port nothing listens on now. Another process may take it before the server binds it: the caller retries. */
export function freePort(): Promise<number> {
  return listenOnce(0);
}

/** Throws the typed error when `port` cannot be bound on 127.0.0.1 now. */
export async function checkPortFree(port: number): Promise<void> {
  try {
    await listenOnce(port);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new EmbeddedPortUnavailableError(port, 'address already in use');
    if (code === 'EACCES') throw new EmbeddedPortUnavailableError(port, 'not permitted');
    throw err;
  }
}

function listenOnce(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host: HOST, port, exclusive: true }, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : port;
      server.close(() => resolve(bound));
    });
  });
}
