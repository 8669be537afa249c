/**
 * GraphQL at /graphql, in the API process, behind the REST API's token check and rate limit:
 *
 * - `POST /graphql` (and `GET` for queries): queries and mutations, over graphql-http;
 * - `GET|POST /graphql/stream` with `Accept: text/event-stream`: subscriptions over Server-Sent
 *   Events, over graphql-sse (its "distinct connections" mode);
 * - `GET /graphql` from a browser: the GraphiQL playground (playground.routes.ts).
 *
 * The router parses its own bodies, so that every refusal, an oversized body or a missing token
 * included, is answered in GraphQL's shape (`{ errors: [{ message, extensions: { code } }] }`)
 * with the REST API's status and code. A POST must be `Content-Type: application/json`: a type a
 * cross-site HTML form can send (form-urlencoded, multipart, text/plain) is refused (415) before
 * anything runs, and JSON needs a CORS preflight this API never grants.
 */

import { once } from 'node:events';
import { Router, type ErrorRequestHandler, type Request, type RequestHandler, type Response } from 'express';
import { getOperationAST, type ExecutionResult } from 'graphql';
import { createHandler as createHttpHandler } from 'graphql-http';
import { createHandler as createSseHandler } from 'graphql-sse';
import { EngineError, NotFoundError, ValidationError } from '@wf/engine';
import type { AppServices, Logger, ReadBatchesService } from '@wf/runtime';
import { actorOf } from '../auth';
import { toHttpFailure } from '../error-handler';
import { jsonBody } from '../json-body';
import { logOf } from '../request-context';
import type { GraphqlContext } from './graphql-context';
import { formatGraphqlError, GRAPHQL_CODES, httpFailureBody, requestError } from './graphql-errors';
import { graphqlSchema } from './graphql-schema';
import { createLoaders } from './loaders';
import { documentChecker, type Checked, type DocumentChecker, type OperationLimits } from './operation-limits';
import { playgroundRouter } from './playground/playground.routes';
import type { TaskQueueFeed } from './task-queue-feed';

export interface GraphqlOptions {
  readonly services: AppServices;
  /** the DataLoaders' batch reads */
  readonly batches: ReadBatchesService;
  /** the live task queue; without it `taskQueueChanged` answers SUBSCRIPTIONS_UNAVAILABLE */
  readonly feed: TaskQueueFeed | null;
  readonly logger: Logger;
  /** MAX_BODY_BYTES: larger bodies are 413 PAYLOAD_TOO_LARGE */
  readonly maxBodyBytes: number;
  /** schema introspection and the playground (GRAPHQL_INTROSPECTION) */
  readonly introspection: boolean;
  /** default DEFAULT_OPERATION_LIMITS */
  readonly limits?: OperationLimits;
  /** subscriptions one caller (tenant and user) may hold open in this process, default 10 */
  readonly maxStreamsPerCaller?: number;
}

/** The REST API's own token check and rate limiter (one limiter: REST and GraphQL share its budget). */
interface GraphqlGuards {
  readonly authenticate: RequestHandler;
  readonly rateLimit: RequestHandler;
}

/** What `createApp` mounts at /graphql. */
export type GraphqlMount = (guards: GraphqlGuards) => Router;

export interface GraphqlApi {
  readonly mount: GraphqlMount;
  /** End open subscription streams (a server cannot close while they stay open) and stop the feed. */
  close(): Promise<void>;
}

const DEFAULT_MAX_STREAMS_PER_CALLER = 10;

interface HttpContext {
  readonly res: Response;
  /** the operation ran (an answer without it is a request error: 400) */
  executed: boolean;
  /** it ran into a request error (a variable that does not fit its type): no `data` */
  noData: boolean;
}

interface StreamContext {
  readonly res: Response;
}

interface OpenStream {
  readonly body: AsyncGenerator<string, void, undefined>;
  readonly res: Response;
}

type Endpoint = 'http' | 'stream';

export function graphqlApi(opts: GraphqlOptions): GraphqlApi {
  const schema = graphqlSchema();
  const checker = documentChecker(schema, { introspection: opts.introspection, ...(opts.limits ? { limits: opts.limits } : {}) });
  const maxStreams = opts.maxStreamsPerCaller ?? DEFAULT_MAX_STREAMS_PER_CALLER;
  const streams = new Set<OpenStream>();
  const streamsPerCaller = new Map<string, number>();

  const contextFor = (res: Response): GraphqlContext => {
    const actor = actorOf(res);
    return { actor, services: opts.services, loaders: createLoaders(opts.batches, opts.services.instances, actor), feed: opts.feed };
  };
  const formatted = (result: ExecutionResult, res: Response) => {
    if (!result.errors) return undefined;
    const log = logOf(res, opts.logger);
    return { ...result, errors: result.errors.map((e) => formatGraphqlError(e, log)) };
  };

  const http = createHttpHandler<Request, HttpContext, GraphqlContext>({
    schema,
    onSubscribe: (req, params) => {
      const checked = operationOf(checker, params.query, params.operationName ?? undefined, 'http');
      if (!checked.ok) return checked.errors;
      return { schema, document: checked.document, operationName: params.operationName ?? null, variableValues: params.variables ?? null, contextValue: contextFor(req.context.res) };
    },
    onOperation: (req, _args, result) => {
      req.context.executed = true;
      req.context.noData = !('data' in result);
      return formatted(result, req.context.res);
    },
    // what was refused before anything ran: nothing to log
    formatError: (err) => formatGraphqlError(err, opts.logger),
  });

  const sse = createSseHandler<Request, StreamContext, GraphqlContext>({
    schema,
    // only distinct connections (one stream per subscription), each behind the bearer token
    authenticate: () => undefined,
    onSubscribe: (req, params) => {
      const checked = operationOf(checker, params.query, params.operationName, 'stream');
      if (!checked.ok) return [JSON.stringify({ errors: checked.errors }), { status: 400, statusText: 'Bad Request', headers: { 'content-type': 'application/json; charset=utf-8' } }];
      return { schema, document: checked.document, operationName: params.operationName ?? null, variableValues: params.variables ?? null, contextValue: contextFor(req.context.res) };
    },
    onNext: (_ctx, req, result) => formatted(result as ExecutionResult, req.context.res),
  });

  const operations: RequestHandler = async (req, res) => {
    const context: HttpContext = { res, executed: false, noData: false };
    const [body, init] = await http({ url: req.url, method: req.method, headers: req.headers, body: bodyOf(req), raw: req, context });
    // graphql-http answers refused documents 200 under `Accept: application/json`; a document that
    // never ran is the client's mistake, said so by the status too
    const status = init.status === 200 && (!context.executed || context.noData) ? 400 : init.status;
    if (status >= 400 && body !== null) res.locals.errorCode = firstCode(body);
    res.status(status).set(init.headers ?? {});
    if (body === null) res.end();
    else res.send(body);
  };

  const subscriptions: RequestHandler = async (req, res) => {
    if (!acceptsEventStream(req)) throw httpError(406, 'Subscriptions are served as Server-Sent Events: send Accept: text/event-stream');
    const actor = actorOf(res);
    const caller = `${actor.tenantId}:${actor.userId}`;
    const open = streamsPerCaller.get(caller) ?? 0;
    if (open >= maxStreams) {
      throw new EngineError('rate_limited', 'TOO_MANY_SUBSCRIPTIONS', `At most ${maxStreams} subscriptions may be open at once per user`);
    }
    const [body, init] = await sse({
      method: req.method,
      url: req.url,
      headers: { get: (key: string) => (key.toLowerCase() === 'accept' ? 'text/event-stream' : (req.get(key) ?? null)) },
      body: bodyOf(req),
      raw: req,
      context: { res },
    });
    if (body === null || typeof body === 'string') {
      if (init.status >= 400 && body !== null) res.locals.errorCode = firstCode(body);
      res.status(init.status).set(init.headers ?? {});
      if (body === null) res.end();
      else res.send(body);
      return;
    }
    const stream: OpenStream = { body, res };
    streams.add(stream);
    streamsPerCaller.set(caller, open + 1);
    // a client that goes away ends its subscription at once; so does the token's expiry
    res.once('close', () => void body.return(undefined));
    const expiry = whenExpired(req, res, () => void body.return(undefined));
    try {
      res.writeHead(init.status, init.headers);
      for await (const chunk of body) {
        if (res.writableEnded || res.destroyed) break;
        if (!res.write(chunk)) await drained(res);
      }
    } finally {
      expiry.cancel();
      streams.delete(stream);
      const left = (streamsPerCaller.get(caller) ?? 1) - 1;
      if (left > 0) streamsPerCaller.set(caller, left);
      else streamsPerCaller.delete(caller);
      if (!res.writableEnded) res.end();
    }
  };

  const mount: GraphqlMount = (guards) => {
    const router = Router();
    router.use(playgroundRouter(opts.introspection));
    router.use(requireJsonPosts());
    router.use(jsonBody(opts.maxBodyBytes));
    router.use(refuseBatches());
    router.use(guards.authenticate, guards.rateLimit);
    router.get('/stream', subscriptions);
    router.post('/stream', subscriptions);
    router.all('/', operations);
    router.use((req) => {
      throw new NotFoundError('Route', `${req.method} ${req.baseUrl}${req.path}`);
    });
    router.use(graphqlErrorHandler(opts.logger));
    return router;
  };

  return {
    mount,
    async close() {
      for (const s of [...streams]) {
        await s.body.return(undefined);
        if (!s.res.writableEnded) s.res.end();
      }
      await opts.feed?.close();
    },
  };
}

/** The checked document and its operation, which must suit the endpoint it was sent to. */
function operationOf(checker: DocumentChecker, query: string, operationName: string | undefined, endpoint: Endpoint): Checked {
  const checked = checker.check(query);
  if (!checked.ok) return checked;
  const operation = getOperationAST(checked.document, operationName);
  if (!operation) {
    const message = operationName ? `The document has no operation named "${operationName}"` : 'The document has several operations: say which to run with operationName';
    return { ok: false, errors: [requestError(message, GRAPHQL_CODES.badRequest)] };
  }
  if (endpoint === 'http' && operation.operation === 'subscription') {
    return { ok: false, errors: [requestError('Subscriptions are served as Server-Sent Events at /graphql/stream', GRAPHQL_CODES.wrongEndpoint)] };
  }
  if (endpoint === 'stream' && operation.operation !== 'subscription') {
    return { ok: false, errors: [requestError(`A ${operation.operation} goes to /graphql; /graphql/stream serves subscriptions`, GRAPHQL_CODES.wrongEndpoint)] };
  }
  return checked;
}

/** The parsed JSON body as graphql-http and graphql-sse take it. */
function bodyOf(req: Request): Record<string, unknown> | string | null {
  const body: unknown = req.body;
  if (body === undefined || body === null) return null;
  // a JSON value that is not an object is refused by the handlers ("JSON body must be an object")
  return typeof body === 'object' ? (body as Record<string, unknown>) : JSON.stringify(body);
}

/** Until a slow client took what was written, or went away. */
async function drained(res: Response): Promise<void> {
  const done = new AbortController();
  try {
    await Promise.race([once(res, 'drain', { signal: done.signal }), once(res, 'close', { signal: done.signal })]);
  } finally {
    // the other listener goes too: a long stream must not gather them
    done.abort();
  }
}

/** setTimeout's longest delay; a later expiry is waited for in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Calls `expired` when the request's credential expires: the bearer token's `exp` (read from the
 * token that `authenticate` verified), or the web session's end, so a stream does not outlive the
 * sign-in that opened it.
 */
function whenExpired(req: Request, res: Response, expired: () => void): { cancel(): void } {
  const token = /^Bearer +(\S+)/i.exec(req.get('authorization') ?? '')?.[1];
  const session: unknown = res.locals.sessionExpiresAt;
  let exp: unknown;
  if (session instanceof Date) exp = session.getTime() / 1000;
  else {
    try {
      exp = (JSON.parse(Buffer.from(token?.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp?: unknown }).exp;
    } catch {
      exp = undefined;
    }
  }
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    const left = (exp as number) * 1000 - Date.now();
    if (left <= 0) expired();
    else timer = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
  };
  if (typeof exp === 'number' && Number.isFinite(exp)) arm();
  return { cancel: () => clearTimeout(timer) };
}

function acceptsEventStream(req: Request): boolean {
  return (req.get('accept') ?? '').split(',').some((part) => part.split(';', 1)[0]?.trim().toLowerCase() === 'text/event-stream');
}

/** An error the REST error mapping reads by its status (406, 415), with our message. */
function httpError(status: number, message: string): Error {
  return Object.assign(new Error(message), { status, expose: true });
}

/** CSRF: a POST must be JSON, which a cross-site form cannot send without a CORS preflight. */
function requireJsonPosts(): RequestHandler {
  return (req, _res, next) => {
    if (req.method === 'GET' || req.method === 'HEAD') {
      next();
      return;
    }
    const type = (req.get('content-type') ?? '').split(';', 1)[0]?.trim().toLowerCase();
    if (type !== 'application/json') {
      throw httpError(415, 'GraphQL requests must be sent as Content-Type: application/json (form, multipart and text bodies are refused)');
    }
    next();
  };
}

/** One operation per request: a JSON array (a batch) is refused. */
function refuseBatches(): RequestHandler {
  return (req, _res, next) => {
    if (Array.isArray(req.body)) throw new ValidationError(GRAPHQL_CODES.batchingNotSupported, 'Batched operations are not supported: send one operation per request');
    next();
  };
}

/** Errors before or around GraphQL (401, 413, 415, 429, a bug), in GraphQL's shape with the REST status and code. */
function graphqlErrorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, _req, res, next) => {
    const failure = toHttpFailure(err);
    const log = logOf(res, logger);
    if (failure.status >= 500 && failure.code === 'INTERNAL') log.error({ err }, 'unhandled error');
    else if (failure.status >= 500) log.warn({ err }, failure.message);
    if (res.headersSent) {
      next(err);
      return;
    }
    res.locals.errorCode = failure.code;
    res.status(failure.status).set(failure.headers ?? {}).json(httpFailureBody(failure));
  };
}

function firstCode(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { errors?: { extensions?: { code?: unknown } }[] };
    const code = parsed.errors?.[0]?.extensions?.code;
    return typeof code === 'string' ? code : undefined;
  } catch {
    return undefined;
  }
}
