/** docs/schema.graphql is the printed schema: CI fails when the SDL changed and it was not printed again. */

import { readFileSync } from 'node:fs';
import { printedSchema, SCHEMA_FILE } from './graphql-schema';

it('docs/schema.graphql is what `npm run graphql:schema` prints', () => {
  expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(printedSchema());
});
