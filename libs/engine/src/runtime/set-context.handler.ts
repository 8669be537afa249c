/** `set_context`: `{ values }` merged into the context at the top level, inside the step transaction. */

import { z } from 'zod';
import type { InTransactionServiceHandler } from './service-handler';
import type { JsonObject } from './model';

const values = z.custom<JsonObject>((value) => typeof value === 'object' && value !== null && !Array.isArray(value), {
  error: 'set_context needs serviceConfig.values, an object of context keys to set',
});

const setContextConfig = z.looseObject({ values });

export type SetContextConfig = z.output<typeof setContextConfig>;

export const setContextHandler: InTransactionServiceHandler<SetContextConfig> = {
  type: 'set_context',
  configSchema: setContextConfig,
  runsInTransaction: true,
  apply: ({ config }) => ({ contextUpdates: config.values, output: config.values }),
};
