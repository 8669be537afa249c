/**
 * @wf/http: the HTTP layer over the runtime's services: the Express app (routes, auth, validation,
 * errors mapped to HTTP in one place, OpenAPI), Bull Board, and the api role that serves them.
 */
export { createApp } from './create-app';
export { bullBoardRouter } from './bull-board.routes';
export { metricsRouter } from './metrics.routes';
export { idSchema } from './schemas';
export { startApiRole } from './api-role';
export { graphqlApiOf } from './graphql/graphql-api';
export { ensureWebBundle } from './web/web-bundle';
export { startWebAuth, webAuthWithoutOidc, type WebAuth } from './web-auth';
