/**
 * @wf/testkit: what the integration tests, the bench and the chaos suite all need to drive a real
 * engine from outside: a JSON HTTP client, the engine launched as a child process, a free port, a
 * private redis-server, and waiting on a condition with a deadline. It depends on no lib of this
 * workspace, so any project may use it; never imported by production code.
 *
 * The definition builder is `@wf/testkit/definitions`.
 */
export * from './engine-process';
export * from './eventually';
export * from './free-port';
export * from './json-http-client';
export * from './redis-server';
