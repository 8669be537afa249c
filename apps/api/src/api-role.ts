/** The api role: the HTTP server over the runtime's services. */

import type { Server } from 'node:http';
import type { EngineRuntime, RunningRole } from '@wf/runtime';
import { bullBoardRouter } from './http/bull-board.routes';
import { createApp } from './http/create-app';
import { metricsRouter } from './http/metrics.routes';

export function startApiRole(rt: EngineRuntime): Promise<RunningRole> {
  const log = rt.log.child({ role: 'api' });
  const publicRouters = [metricsRouter(rt.metrics.registry)];
  // without BULL_BOARD_USER and BULL_BOARD_PASSWORD the board is not served at all
  if (rt.config.bullBoard) publicRouters.push(bullBoardRouter([rt.bullDispatcher.queue, rt.bullDispatcher.slaQueue], rt.config.bullBoard));
  const app = createApp({ services: rt.services, config: rt.config, logger: log, extraRouters: { public: publicRouters } });
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
