/**
 * GraphQL's errors with the REST API's codes. An error a resolver throws goes through the same
 * mapping as a REST answer (`toHttpFailure`), so `extensions.code` is the REST `error.code`
 * (`TASK_NOT_WAITING`, `INVALID_DEFINITION`, `NOT_FOUND`, ...) and `extensions.details` its
 * `details`. What the document itself gets wrong has GraphQL's own codes. Anything else is a bug:
 * `INTERNAL` with a generic message, logged with its stack, never its text.
 */

import { GraphQLError } from 'graphql';
import type { Logger } from '@wf/runtime';
import { toHttpFailure, type HttpFailure } from '../error-handler';

/** Codes of what the request or the document gets wrong, before any resolver runs. */
export const GRAPHQL_CODES = {
  /** not a GraphQL request: no query, a body that is not an object, variables that are not an object */
  badRequest: 'BAD_REQUEST',
  /** the document does not parse */
  parseFailed: 'GRAPHQL_PARSE_FAILED',
  /** the document does not validate against the schema (unknown fields, wrong argument types) */
  validationFailed: 'GRAPHQL_VALIDATION_FAILED',
  /** a variable's value does not fit its type */
  badUserInput: 'BAD_USER_INPUT',
  documentTooLarge: 'DOCUMENT_TOO_LARGE',
  tooManyTokens: 'TOO_MANY_TOKENS',
  tooDeep: 'QUERY_TOO_DEEP',
  tooCostly: 'QUERY_TOO_COSTLY',
  tooManyAliases: 'TOO_MANY_ALIASES',
  batchingNotSupported: 'BATCHING_NOT_SUPPORTED',
  /** a subscription sent to /graphql, or a query or mutation sent to /graphql/stream */
  wrongEndpoint: 'WRONG_ENDPOINT',
} as const;

const INTERNAL_MESSAGE = 'Internal server error';

/** A GraphQL error that says what the request got wrong, with a code. */
export function requestError(message: string, code: string, details?: unknown): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...(details === undefined ? {} : { details }) } });
}

/**
 * One error of a response, as the client sees it. Errors raised by resolvers carry the thrown
 * error as `originalError`; errors of the document and of variable coercion do not.
 */
export function formatGraphqlError(err: GraphQLError | Error, log: Logger): GraphQLError {
  if (!(err instanceof GraphQLError)) {
    // graphql-http's own request checks ("Missing query", "JSON body must be an object")
    return requestError(err.message, GRAPHQL_CODES.badRequest);
  }
  const original = err.originalError;
  if (original === undefined || original === null) {
    if (typeof err.extensions['code'] === 'string') return err;
    return withExtensions(err, err.message, { code: GRAPHQL_CODES.badUserInput });
  }
  // a scalar refusing a variable's value, or an error already shaped here
  if (original instanceof GraphQLError) {
    const code = original.extensions['code'];
    return withExtensions(err, err.message, { code: typeof code === 'string' ? code : GRAPHQL_CODES.badUserInput, ...detailsOf(original.extensions) });
  }
  const failure = toHttpFailure(original);
  if (failure.status >= 500) {
    if (failure.code === 'INTERNAL') log.error({ err: original, path: err.path }, 'graphql resolver failed');
    else log.warn({ err: original, path: err.path }, failure.message);
  }
  return withExtensions(err, failure.status >= 500 && failure.code === 'INTERNAL' ? INTERNAL_MESSAGE : failure.message, extensionsOf(failure));
}

/** `{ code, details }` of a REST failure (details left out when there are none). */
function extensionsOf(failure: HttpFailure): Record<string, unknown> {
  return { code: failure.code, ...(failure.details === undefined || failure.details === null ? {} : { details: failure.details }) };
}

/** The body of an answer refused before GraphQL ran (401, 413, 415, 429, ...), shaped as GraphQL's. */
export function httpFailureBody(failure: HttpFailure): { errors: { message: string; extensions: Record<string, unknown> }[] } {
  return { errors: [{ message: failure.status >= 500 && failure.code === 'INTERNAL' ? INTERNAL_MESSAGE : failure.message, extensions: extensionsOf(failure) }] };
}

function detailsOf(extensions: Record<string, unknown>): Record<string, unknown> {
  return extensions['details'] === undefined ? {} : { details: extensions['details'] };
}

/** The same error (message, locations, path) with other extensions and no trace of the original. */
function withExtensions(err: GraphQLError, message: string, extensions: Record<string, unknown>): GraphQLError {
  return new GraphQLError(message, {
    ...(err.nodes ? { nodes: err.nodes } : {}),
    ...(err.source ? { source: err.source } : {}),
    ...(err.positions ? { positions: err.positions } : {}),
    ...(err.path ? { path: err.path } : {}),
    extensions,
  });
}
