/**
 * Per-request DataLoaders: the nodes, history or instance of every object a response lists are
 * read in one statement per kind (ReadBatchesService), however many objects the list holds.
 * Each request gets its own loaders, bound to its caller, so nothing is cached across callers.
 *
 * Comments have no batch read: each instance's thread is the comments service's own answer,
 * read once per instance and request, a few at a time. The operation cost counts them per
 * listed instance (field-costs.ts).
 */

import DataLoader from 'dataloader';
import type { Actor } from '@wf/engine';
import type { AppServices, CommentDto, HistoryItemDto, InstanceDto, NodeExecutionDto, ReadBatchesService } from '@wf/runtime';

/** The longest list page is 500 (REST's `limit`), so one page is one batch. */
const MAX_BATCH = 500;
/** Comment threads read at once for one request: a long list must not take the whole pool. */
const COMMENT_READS_AT_ONCE = 4;

export interface Loaders {
  readonly executions: DataLoader<string, NodeExecutionDto[]>;
  readonly histories: DataLoader<string, HistoryItemDto[]>;
  readonly instances: DataLoader<string, InstanceDto | null>;
  readonly comments: DataLoader<string, CommentDto[]>;
}

/** `run` over every item, at most `width` at a time; each item's own result or error. */
async function eachAtMost<T, R>(items: readonly T[], width: number, run: (item: T) => Promise<R>): Promise<(R | Error)[]> {
  const out: (R | Error)[] = new Array<R | Error>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await run(items[i] as T).catch((err: unknown) => (err instanceof Error ? err : new Error(String(err))));
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, lane));
  return out;
}

export function createLoaders(batches: ReadBatchesService, instances: Pick<AppServices['instances'], 'comments'>, actor: Actor): Loaders {
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
    comments: new DataLoader((ids) => eachAtMost(ids, COMMENT_READS_AT_ONCE, async (id) => (await instances.comments(actor, id)).items), options),
  };
}
