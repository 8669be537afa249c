/** `npm run graphql:schema`: print the GraphQL schema to docs/schema.graphql. */

import { writeFileSync } from 'node:fs';
import { printedSchema, SCHEMA_FILE } from '../graphql-schema';

writeFileSync(SCHEMA_FILE, printedSchema());
console.log(`wrote ${SCHEMA_FILE}`);
