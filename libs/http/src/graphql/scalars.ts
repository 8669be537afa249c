/**
 * The JSON scalars of graphql-scalars, held to the JSON body rules of the REST API (json-body.ts):
 * no `__proto__`, `constructor` or `prototype` key at any depth, no NUL character, and plain
 * objects out (graphql-scalars builds literals on null-prototype objects, which code elsewhere may
 * not expect). Variables arrive through the same JSON parser as REST bodies and are refused there;
 * literals written in the document are checked here.
 */

import { GraphQLError, GraphQLScalarType, type ValueNode } from 'graphql';
import { GraphQLDateTime, GraphQLJSON, GraphQLJSONObject } from 'graphql-scalars';
import { UNSAFE_KEYS } from '@wf/engine';

/** A copy on plain objects; throws on what a REST body may not carry. */
function storable(value: unknown, path: string): unknown {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) throw new GraphQLError(`${path}: strings may not contain the NUL character (\\u0000)`);
    return value;
  }
  if (Array.isArray(value)) return value.map((v, i) => storable(v, `${path}[${i}]`));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      if (UNSAFE_KEYS.has(key)) throw new GraphQLError(`${path}: "${key}" is not allowed as an object key`);
      if (key.includes('\u0000')) throw new GraphQLError(`${path}: keys may not contain the NUL character (\\u0000)`);
      out[key] = storable(v, `${path}.${key}`);
    }
    return out;
  }
  return value;
}

function guarded(base: GraphQLScalarType): GraphQLScalarType {
  const config = base.toConfig();
  return new GraphQLScalarType({
    ...config,
    parseValue: (value: unknown) => storable(config.parseValue ? config.parseValue(value) : value, base.name),
    parseLiteral: (ast: ValueNode, variables?: { readonly [key: string]: unknown } | null) =>
      storable(config.parseLiteral ? config.parseLiteral(ast, variables) : undefined, base.name),
  });
}

export const scalarResolvers = {
  JSON: guarded(GraphQLJSON),
  JSONObject: guarded(GraphQLJSONObject),
  DateTime: new GraphQLScalarType({
    ...GraphQLDateTime.toConfig(),
    description: 'A UTC timestamp in ISO 8601 (RFC 3339), written as the REST API writes them: 2026-01-02T03:04:05.678Z.',
    // the services' DTOs already hold `toISOString()` text: passed on as is, not parsed again
    serialize: (value: unknown) => (typeof value === 'string' ? value : value instanceof Date ? value.toISOString() : GraphQLDateTime.serialize(value)),
  }),
};
