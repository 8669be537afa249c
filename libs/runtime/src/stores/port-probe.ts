/** Whether something accepts a TCP connection: how start-up (and the test setup) find a default server. */
import { connect } from 'node:net';

/** How long a port has to accept a TCP connection before it counts as silent. */
const PROBE_TIMEOUT_MS = 500;

export function answers(host: string, port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ host, port });
    const finish = (ok: boolean) => {
      socket.destroy();
      done(ok);
    };
    socket.setTimeout(PROBE_TIMEOUT_MS, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}
