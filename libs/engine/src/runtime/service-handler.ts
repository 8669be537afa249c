/**
 * The contract of a service-task handler (`set_context`, `http_call`, `email_send`,
 * `database_query`, plugins): one object that owns its config's schema and runs the service.
 *
 * A handler either runs inside the step transaction (`runsInTransaction: true`: pure, no I/O,
 * nothing awaited; only the engine's own, see `engine-handlers.ts`) or does I/O, so it lives
 * outside the engine and runs on a worker outside any transaction, under a lease, the engine
 * recording what it returns.
 */

import type { z } from 'zod';
import { parseServiceConfig } from '../definition/service-config';
import type { ExpressionScope } from '../expressions/cel-expression';
import type { JsonObject } from './model';

/** What a handler is called with; `C` is its config as `configSchema` parses it. */
export interface ServiceCall<C = Readonly<JsonObject>> {
  readonly tenantId: string;
  readonly instanceId: string;
  readonly executionId: string;
  readonly nodeId: string;
  /** `serviceConfig` of the node, parsed and defaulted by `configSchema` (templates not yet rendered) */
  readonly config: C;
  /** the instance context when the step started */
  readonly context: Readonly<JsonObject>;
  /** `{ context, instance }`, for rendering templates and evaluating expressions */
  readonly scope: ExpressionScope;
  /** 1 for the first attempt */
  readonly attempt: number;
  /** aborted when the step must stop (shutdown, lease lost) */
  readonly signal: AbortSignal;
}

/** The call as the engine makes it: the node's `serviceConfig` as compiled (a stored row's as written). */
export type ServiceCallContext = ServiceCall<Readonly<JsonObject>>;

export interface ServiceResult {
  /** merged at the top level of the instance context */
  readonly contextUpdates?: JsonObject;
  /** stored on the execution for the audit trail */
  readonly output?: JsonObject;
}

/**
 * An I/O service handler: `{ type, configSchema, execute }`. A plugin module exports these.
 *
 * `configSchema` (zod) is the one home of the config's rules: the definition compiler parses each
 * node's `serviceConfig` with it when the definition is saved (every issue becomes a problem of the
 * `400 INVALID_DEFINITION`, with its path, `nodes[2].serviceConfig.timeoutMs`), and `execute`
 * receives what it parsed, typed and defaulted. A stored config that no longer fits (saved before
 * a rule came in) fails the step with `INVALID_CONFIG` (or the issue's `params.errorCode`) before
 * `execute` is called. Mark CEL in the config with `celExpression()` / `withCelTemplates()` and the
 * compiler checks it too. Without a schema any object is accepted, as written.
 */
export interface ServiceHandler<C = Readonly<JsonObject>> {
  /** the `serviceType` it serves */
  readonly type: string;
  /** the config's schema, checked at save and trusted at run; default: any object, as written */
  readonly configSchema?: z.ZodType<C>;
  /** always false for a handler that `execute`s: it runs outside the step transaction */
  readonly runsInTransaction?: false;
  /**
   * Run the service. Throw `NodeFailedError` (or any `EngineError` that is not retryable) for
   * what retrying cannot fix; any other error is retried with backoff.
   */
  execute(call: ServiceCall<C>): Promise<ServiceResult>;
}

/** What a handler that runs inside the step transaction is given: no ids, no signal, nothing to await. */
export interface InTransactionCall<C> {
  readonly config: C;
  /** the instance context when the step started */
  readonly context: Readonly<JsonObject>;
  readonly scope: ExpressionScope;
}

/**
 * A handler whose whole effect is computed inside the step transaction, from its config and the
 * instance: pure, no I/O. Such a step may run inline, in the transaction that readied it. Only
 * the engine's own handlers are of this kind (a registered handler runs on a worker).
 */
export interface InTransactionServiceHandler<C> {
  readonly type: string;
  readonly configSchema: z.ZodType<C>;
  readonly runsInTransaction: true;
  /** may throw `NodeFailedError`; never does I/O */
  apply(call: InTransactionCall<C>): ServiceResult;
}

/** What the definition compiler needs of a service type. */
export interface ServiceType {
  readonly configSchema?: z.ZodType | undefined;
}

/** The service types a definition may use, besides the engine's own (`set_context`). */
export interface ServiceCatalog {
  get(type: string): ServiceType | undefined;
  types(): ReadonlySet<string>;
}

/** The I/O handlers a worker can run; `get` returns them bound (see `bindServiceHandler`). */
export interface ServiceHandlers extends ServiceCatalog {
  get(type: string): ServiceHandler | undefined;
}

const BOUND = Symbol('wf.boundServiceHandler');

/**
 * The handler as the engine calls it: with the node's config as compiled, which is parsed with
 * `configSchema` first (a no-op for what was parsed at save; the check for a stored config that no
 * longer fits). The handler's other properties stay readable through the bound one (its
 * prototype). Binding a bound handler returns it as it is.
 */
export function bindServiceHandler<C>(handler: ServiceHandler<C>): ServiceHandler {
  const schema = handler.configSchema;
  if (!schema) return handler as unknown as ServiceHandler;
  if ((handler as { [BOUND]?: true })[BOUND]) return handler as unknown as ServiceHandler;
  const bound = Object.create(handler) as ServiceHandler;
  Object.defineProperty(bound, BOUND, { value: true });
  Object.defineProperty(bound, 'execute', {
    // async, so a config that does not fit rejects like any other failure of the call
    value: async (call: ServiceCallContext) => handler.execute({ ...call, config: parseServiceConfig(handler.type, schema, call.config) }),
  });
  return bound;
}
