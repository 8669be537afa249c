/**
 * The service handlers the engine runs itself, inside the step transaction (`runsInTransaction`):
 * pure, so a step of theirs may run inline. No other handler may claim their types.
 */

import { parseServiceConfig } from '../definition/service-config';
import type { ExpressionScope } from '../expressions/cel-expression';
import type { JsonObject } from './model';
import type { InTransactionServiceHandler, ServiceCatalog, ServiceResult, ServiceType } from './service-handler';
import { setContextHandler } from './set-context.handler';

const ENGINE_HANDLERS: ReadonlyMap<string, InTransactionServiceHandler<unknown>> = new Map(
  [setContextHandler as InTransactionServiceHandler<unknown>].map((handler) => [handler.type, handler]),
);

/** The engine's handler for `type` when it runs inside the step transaction. */
export function inTransactionHandlerOf(type: string | null | undefined): InTransactionServiceHandler<unknown> | undefined {
  const handler = type ? ENGINE_HANDLERS.get(type) : undefined;
  return handler?.runsInTransaction ? handler : undefined;
}

/** Whether `type` is one the engine runs itself (and a registered handler may not take). */
export function isEngineServiceType(type: string): boolean {
  return ENGINE_HANDLERS.has(type);
}

/** `type` as the compiler sees it: the engine's own, else the catalog's. */
export function serviceTypeOf(type: string, catalog: ServiceCatalog | null): ServiceType | undefined {
  return ENGINE_HANDLERS.get(type) ?? catalog?.get(type);
}

/** Every service type a definition may use with `catalog`: the engine's own and the catalog's. */
export function knownServiceTypes(catalog: ServiceCatalog | null): ReadonlySet<string> {
  return new Set([...ENGINE_HANDLERS.keys(), ...(catalog?.types() ?? [])]);
}

/**
 * Runs an in-transaction handler on a node's config as compiled: parsed with its schema first (a
 * config that no longer fits throws `NodeFailedError('INVALID_CONFIG')`), then applied.
 */
export function applyInTransaction(
  handler: InTransactionServiceHandler<unknown>,
  config: Readonly<JsonObject>,
  context: Readonly<JsonObject>,
  scope: ExpressionScope,
): ServiceResult {
  return handler.apply({ config: parseServiceConfig(handler.type, handler.configSchema, config), context, scope });
}
