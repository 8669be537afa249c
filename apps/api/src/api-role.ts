/** The api role: the HTTP server over the runtime's services. */

import type { Server } from 'node:http';
import type { EngineRuntime, RunningRole } from '@wf/runtime';
import { createApp } from './http/create-app';

export function startApiRole(rt: EngineRuntime): Promise<RunningRole> {
  const log = rt.log.child({ role: 'api' });
  const app = createApp({ services: rt.services, config: rt.config, logger: log });
  return new Promise((resolve, reject) => {
    const server: Server = app.listen(rt.config.port, () => {
      log.info({ port: rt.config.port }, 'api listening');
      resolve({
        name: 'api',
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeIdleConnections();
          }),
      });
    });
    server.on('error', reject);
  });
}
