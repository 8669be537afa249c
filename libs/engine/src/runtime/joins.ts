/** Join reachability: which nodes can still reach a join without passing through it. */

import type { CompiledDefinition } from '../definition/definition.types';

const cache = new WeakMap<CompiledDefinition, Map<string, ReadonlySet<string>>>();

/** Nodes from which `joinId` is reachable along routes, not counting paths through the join itself. */
export function joinPredecessors(def: CompiledDefinition, joinId: string): ReadonlySet<string> {
  let perDef = cache.get(def);
  if (!perDef) {
    perDef = new Map();
    cache.set(def, perDef);
  }
  const known = perDef.get(joinId);
  if (known) return known;
  // walk the routes backwards from the join
  const seen = new Set<string>();
  const stack = [...(def.nodes.get(joinId)?.incomingFrom ?? [])];
  while (stack.length > 0) {
    const id = stack.pop() as string;
    if (id === joinId || seen.has(id)) continue;
    seen.add(id);
    for (const from of def.nodes.get(id)?.incomingFrom ?? []) stack.push(from);
  }
  perDef.set(joinId, seen);
  return seen;
}

export function hasJoins(def: CompiledDefinition): boolean {
  for (const node of def.nodes.values()) if (node.join) return true;
  return false;
}
