/**
 * The contract of a service-task handler (`http_call`, `email_send`, `database_query`, plugins).
 * Handlers do I/O, so they live outside the engine; the engine runs them outside any transaction
 * under a lease and records what they return.
 */

import type { JsonObject } from './model';

export interface ServiceCallContext {
  readonly tenantId: string;
  readonly instanceId: string;
  readonly executionId: string;
  readonly nodeId: string;
  /** `serviceConfig` of the node, as written in the definition (templates not yet rendered) */
  readonly config: Readonly<JsonObject>;
  /** the instance context when the step started */
  readonly context: Readonly<JsonObject>;
  /** `{ context, instance }`, for rendering templates and evaluating expressions */
  readonly scope: { readonly context: JsonObject; readonly instance: JsonObject };
  /** 1 for the first attempt */
  readonly attempt: number;
  /** aborted when the step must stop (shutdown, lease lost) */
  readonly signal: AbortSignal;
}

export interface ServiceResult {
  /** merged at the top level of the instance context */
  readonly contextUpdates?: JsonObject;
  /** stored on the execution for the audit trail */
  readonly output?: JsonObject;
}

/** One thing wrong with a node's `serviceConfig`; `path` is relative to it (`sql`, `headers.x`). */
export interface ConfigProblem {
  readonly path: string;
  readonly message: string;
}

export interface ServiceHandler {
  /** the `serviceType` it serves */
  readonly type: string;
  /**
   * Optional: what is wrong with a node's `serviceConfig`, checked when the definition is saved
   * (each problem becomes part of the `400 INVALID_DEFINITION`). Must be cheap and do no I/O.
   */
  checkConfig?(config: Readonly<JsonObject>): readonly ConfigProblem[];
  /**
   * Run the service. Throw `NodeFailedError` (or any `EngineError` that is not retryable) for
   * what retrying cannot fix; any other error is retried with backoff.
   */
  execute(call: ServiceCallContext): Promise<ServiceResult>;
}

export interface ServiceHandlers {
  get(type: string): ServiceHandler | undefined;
  types(): ReadonlySet<string>;
}
