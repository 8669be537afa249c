/**
 * The HTTP application: request context and JSON parsing, public probes, then everything under
 * `/api` behind authentication and rate limiting, then one 404 and one error handler.
 * No listening, no I/O of its own: the composition root passes the services in.
 */

import express, { Router, type RequestHandler } from 'express';
import helmet from 'helmet';
import type { AppServices, Config, Logger } from '@wf/runtime';
import { analyticsRouter } from './analytics.routes';
import { authenticate } from './auth';
import { definitionsRouter } from './definitions.routes';
import { errorHandler, notFoundHandler } from './error-handler';
import { eventsRouter } from './events.routes';
import type { GraphqlMount } from './graphql/graphql-router';
import { healthRouter } from './health.routes';
import { instancesRouter } from './instances.routes';
import { openApiRouter } from './openapi';
import { jsonBody, requireJsonBodies } from './json-body';
import { rateLimit, rateLimitByAddress } from './rate-limit';
import { requestContext } from './request-context';
import { tasksRouter } from './tasks.routes';
import { deputiesRouter } from './deputies.routes';
import { callbacksRouter, messagesRouter } from './messages.routes';
import { calendarsRouter } from './calendars.routes';
import { emailActionsRouter } from './email-actions.routes';
import { viewsRouter } from './views.routes';
import { webAppRouter, type WebAppMount } from './web/web-app.routes';
import { webAuthRouter, webAuthWithoutOidc, type WebAuth } from './web-auth';

interface ExtraRouters {
  /**
   * Served without a token, mounted at the root before authentication: each handles its own
   * full paths (`/metrics`, `/admin/queues` with its own Basic auth, `/api/openapi.json`).
   */
  public?: RequestHandler[];
  /**
   * Mounted under `/api` after authentication and rate limiting, with paths relative to `/api`
   * (`/events`, `/analytics/workflows`); read the caller with `actorOf(res)`.
   */
  api?: RequestHandler[];
}

export interface CreateAppDeps {
  services: AppServices;
  config: Pick<Config, 'jwtSecret' | 'maxBodyBytes' | 'rateLimitPerMinute'>;
  logger: Logger;
  extraRouters?: ExtraRouters;
  /** GraphQL at /graphql, behind the same token check and rate limiter as /api (`graphqlApiOf`); not served without it */
  graphql?: GraphqlMount;
  /** the web app's built files at /workflows (`webAppMountOf`); not served without them */
  webApp?: WebAppMount;
  /** web sign-in (sessions, CSRF, OIDC: `startWebAuth`); default one from `config` without OIDC */
  webAuth?: WebAuth;
}

export function createApp(deps: CreateAppDeps): express.Express {
  const { services, config, logger, extraRouters = {} } = deps;
  const app = express();
  app.disable('x-powered-by');
  // Flat `key=value` pairs only: a repeated key is an array, which the schemas refuse.
  app.set('query parser', 'simple');

  app.use(requestContext(logger));
  // Security headers; Bull Board's page needs inline scripts, so it gets them without a CSP.
  const headers = helmet();
  const boardHeaders = helmet({ contentSecurityPolicy: false });
  app.use((req, res, next) => (req.path.startsWith('/admin/queues') ? boardHeaders : headers)(req, res, next));
  app.use(healthRouter(services.health, logger));
  const webAuth = deps.webAuth ?? webAuthWithoutOidc(config);
  const authenticated = authenticate(config.jwtSecret, logger, webAuth);
  const limited = rateLimit({ perMinute: config.rateLimitPerMinute });
  // GraphQL parses its own bodies, so its refusals too are GraphQL-shaped
  if (deps.graphql) app.use('/graphql', deps.graphql({ authenticate: authenticated, rateLimit: limited }));
  // Malformed (400) or oversized (413) bodies are refused before authentication.
  app.use(jsonBody(config.maxBodyBytes));
  app.use('/api', requireJsonBodies());
  app.use(openApiRouter());
  for (const router of extraRouters.public ?? []) app.use(router);
  // approval mails' links: their own token is the credential (docs/email-approvals.md)
  app.use(emailActionsRouter(services, logger));
  // callback URLs of waiting receive nodes: the token in the path is the credential
  app.use('/api/callbacks', rateLimitByAddress({ perMinute: config.rateLimitPerMinute }));
  app.use(callbacksRouter(services.messages));
  // sign-in is open to anyone: each address gets the per-minute budget
  app.use('/workflows/auth', rateLimitByAddress({ perMinute: config.rateLimitPerMinute }));
  app.use('/workflows/auth', webAuthRouter(webAuth, logger));
  // the web app's own files, with their own CSP (web-app.routes.ts)
  if (deps.webApp) app.use('/workflows', webAppRouter(deps.webApp));

  const api = Router();
  api.use(authenticated);
  api.use(limited);
  api.use('/analytics', analyticsRouter(services.analytics));
  api.use('/definitions', definitionsRouter(services.definitions));
  api.use('/events', eventsRouter(services.events));
  api.use('/instances', instancesRouter(services.instances, services.messages));
  api.use('/tasks', tasksRouter(services.tasks, logger));
  api.use('/deputies', deputiesRouter(services.deputies));
  api.use('/messages', messagesRouter(services.messages));
  api.use('/calendars', calendarsRouter(services.calendars));
  api.use('/views', viewsRouter(services.views));
  for (const router of extraRouters.api ?? []) api.use(router);
  app.use('/api', api);

  app.use(notFoundHandler());
  app.use(errorHandler(logger));
  return app;
}
