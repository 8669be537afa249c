/** Which routes leave a node once it finishes. */

import { NodeFailedError } from '../errors/engine-errors';
import { evaluateCondition, evaluateExpression } from '../expressions/cel-expression';
import type { CompiledNode, CompiledRoute } from '../definition/definition.types';
import type { JsonObject } from './model';

export type NodeOutcome = 'completed' | 'rejected' | 'timeout';

export interface Scope {
  context: JsonObject;
  instance: JsonObject;
}

/**
 * Exclusive gateway: the first route, in route order, whose condition matches
 * (`"true"`/`"false"` compare with the gateway's result, other strings are expressions), else the
 * route without a condition, else NO_ROUTE_MATCHED. Parallel gateway: every route.
 * Other nodes: every unconditioned route and every expression route that holds; on rejection,
 * the `"rejected"` routes.
 */
export function chooseRoutes(node: CompiledNode, outcome: NodeOutcome, scope: Scope): CompiledRoute[] {
  if (outcome === 'rejected') return node.outgoing.filter((r) => r.kind === 'on_rejected');
  if (outcome === 'timeout') return node.outgoing.filter((r) => r.kind === 'on_timeout');

  if (node.nodeType === 'gateway') {
    if (node.gatewayType === 'parallel') return [...node.outgoing];
    const result = evaluateExpression(node.conditionExpression, scope);
    let fallback: CompiledRoute | undefined;
    for (const route of node.outgoing) {
      if (route.kind === 'always') {
        fallback ??= route;
        continue;
      }
      if (route.kind === 'when_true' && result === true) return [route];
      if (route.kind === 'when_false' && result === false) return [route];
      if (route.kind === 'expression' && route.condition && evaluateCondition(route.condition, scope)) return [route];
    }
    if (fallback) return [fallback];
    throw new NodeFailedError(
      'NO_ROUTE_MATCHED',
      `gateway ${node.id}: no route matched (condition result ${JSON.stringify(result)}) and no default route exists`,
    );
  }

  return node.outgoing.filter(
    (r) => r.kind === 'always' || (r.kind === 'expression' && r.condition !== null && evaluateCondition(r.condition, scope)),
  );
}
