/**
 * Per-request DataLoaders: the nodes, history or instance of every object a response lists are
 * read in one statement per kind (ReadBatchesService), however many objects the list holds.
 * Each request gets its own loaders, bound to its caller, so nothing is cached across callers.
 */

import DataLoader from 'dataloader';
import type { Actor } from '@wf/engine';
import type { HistoryItemDto, InstanceDto, NodeExecutionDto, ReadBatchesService } from '@wf/runtime';

/** The longest list page is 500 (REST's `limit`), so one page is one batch. */
const MAX_BATCH = 500;

export interface Loaders {
  readonly executions: DataLoader<string, NodeExecutionDto[]>;
  readonly histories: DataLoader<string, HistoryItemDto[]>;
  readonly instances: DataLoader<string, InstanceDto | null>;
}

export function createLoaders(batches: ReadBatchesService, actor: Actor): Loaders {
  const options = { maxBatchSize: MAX_BATCH };
  return {
    executions: new DataLoader(async (ids) => {
      const found = await batches.executionsOf(actor, ids);
      return ids.map((id) => found.get(id) ?? []);
    }, options),
    histories: new DataLoader(async (ids) => {
      const found = await batches.historiesOf(actor, ids);
      return ids.map((id) => found.get(id) ?? []);
    }, options),
    instances: new DataLoader(async (ids) => {
      const found = await batches.instances(actor, ids);
      return ids.map((id) => found.get(id) ?? null);
    }, options),
  };
}
