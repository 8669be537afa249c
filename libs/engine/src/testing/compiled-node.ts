/** Reading a compiled node of a known type in a test. */

import type { CompiledDefinition, CompiledNodeOf, NodeType } from '../definition/definition.types';

/** Node `nodeId` of `def` as its type's variant; undefined when it is missing or of another type. */
export function compiledNode<T extends NodeType>(def: CompiledDefinition, nodeId: string, nodeType: T): CompiledNodeOf<T> | undefined {
  const node = def.nodes.get(nodeId);
  return node?.nodeType === nodeType ? (node as CompiledNodeOf<T>) : undefined;
}
