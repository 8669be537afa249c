/** The executable schema: the SDL of type-defs.ts with its resolvers, built once per process. */

import { join } from 'node:path';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { printSchema, type GraphQLSchema } from 'graphql';
import { resolvers } from './resolvers';
import { typeDefs } from './type-defs';

let built: GraphQLSchema | undefined;

export function graphqlSchema(): GraphQLSchema {
  built ??= makeExecutableSchema({ typeDefs, resolvers });
  return built;
}

/** Where `npm run graphql:schema` writes the printed schema; a unit test fails when it is stale. */
export const SCHEMA_FILE = join(__dirname, '..', '..', '..', '..', 'docs', 'schema.graphql');

/** The schema as docs/schema.graphql holds it. */
export function printedSchema(): string {
  return `# The engine's GraphQL schema, printed from libs/http/src/graphql/type-defs.ts by \`npm run graphql:schema\`.\n# Do not edit: change the SDL and print again (a unit test fails while this file is stale). See docs/graphql.md.\n\n${printSchema(graphqlSchema())}\n`;
}
