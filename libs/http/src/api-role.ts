/** The api role: the HTTP server over the runtime's services. */

import { createServer, type Server } from 'node:http';
import { listenOn, type EngineRuntime, type RunningRole } from '@wf/runtime';
import { bullBoardRouter } from './bull-board.routes';
import { createApp } from './create-app';
import { graphqlApiOf } from './graphql/graphql-api';
import { metricsRouter } from './metrics.routes';
import { startWebAuth } from './web-auth';
import { ensureWebBundle } from './web/web-bundle';

export async function startApiRole(rt: EngineRuntime): Promise<RunningRole> {
  const log = rt.log.child({ role: 'api' });
  // built here when missing or stale, so `npm start` needs no build command (web-bundle.ts)
  const webDir = await ensureWebBundle(log);
  if (!webDir) log.warn('the web app is not served: no bundle at apps/web/dist and nothing to build it from');
  const publicRouters = [metricsRouter(rt.metrics.registry)];
  // without BULL_BOARD_USER and BULL_BOARD_PASSWORD the board is not served at all
  if (rt.config.bullBoard) publicRouters.push(bullBoardRouter([rt.bullDispatcher.queue, rt.bullDispatcher.slaQueue], rt.config.bullBoard));
  // the OpenID provider's discovery document is read once, here: a provider that does not answer fails start-up
  const webAuth = await startWebAuth(rt.config);
  if (webAuth.oidc) log.info({ issuer: webAuth.oidc.settings.issuer }, 'OIDC sign-in enabled');
  const graphql = graphqlApiOf(rt, log);
  const app = createApp({ services: rt.services, config: rt.config, logger: log, extraRouters: { public: publicRouters }, graphql: graphql.mount, webAuth, ...(webDir ? { webApp: { dir: webDir } } : {}) });
  // not app.listen: Express 5 hands a bind error to the listen callback, which reads as success
  const server: Server = createServer(app);
  return listenOn(server, rt.config.port, 'PORT').then(() => {
    log.info({ port: rt.config.port }, 'api listening');
    if (webDir) log.info({ url: `${rt.config.publicUrl}/workflows` }, 'web app served');
    server.on('error', (err) => log.error({ err: err.message }, 'http server error'));
    return {
      name: 'api',
      close: async () => {
        // open subscription streams would keep the server from closing
        await graphql.close();
        await new Promise<void>((done) => {
          server.close(() => done());
          server.closeIdleConnections();
        });
      },
    };
  });
}
