/**
 * Listening on a port, or failing start-up saying which port and why. Express 5's
 * `app.listen(port, callback)` passes a bind error to the callback, so a callback that only logs
 * "listening" reported a busy port as success and ran on without an HTTP server.
 */

import type { Server } from 'node:http';

export class PortUnavailableError extends Error {
  readonly code = 'PORT_UNAVAILABLE';

  constructor(
    readonly port: number,
    /** the setting that chose the port, e.g. PORT or METRICS_PORT */
    readonly setting: string,
    cause: NodeJS.ErrnoException,
  ) {
    super(`Cannot listen on port ${port} (${setting}): ${describe(cause, setting)}`);
    this.name = 'PortUnavailableError';
  }
}

function describe(err: NodeJS.ErrnoException, setting: string): string {
  if (err.code === 'EADDRINUSE') return `the port is already in use (EADDRINUSE). Stop what holds it, or set ${setting} to a free port.`;
  if (err.code === 'EACCES') return `permission denied (EACCES). Ports below 1024 need privileges; set ${setting} to a higher one.`;
  return err.message;
}

/** Resolves once `server` listens on `port`; rejects with PortUnavailableError if it cannot. */
export function listenOn(server: Server, port: number, setting: string, host?: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => reject(new PortUnavailableError(port, setting, err));
    server.once('error', onError);
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    if (host === undefined) server.listen(port, onListening);
    else server.listen(port, host, onListening);
  });
}
