/**
 * Batch reads for the GraphQL API's DataLoaders: what `InstancesService.get`/`history` and
 * `TasksService.mine` answer for one object, for a page of them in one statement each, with the
 * same visibility rules (the repositories' SQL, not a second copy of them). Nothing here is used by
 * the REST routes.
 */

import type { Actor, Clock } from '@wf/engine';
import { findQueuedTasks, findVisibleInstances, listVisibleExecutions, listVisibleHistories, type PgStore } from '@wf/db';
import { toHistoryItemDto, toInstanceDto, toNodeExecutionDto, toTaskDto } from './dto-mappers';
import type { HistoryItemDto, InstanceDto, NodeExecutionDto, TaskDto } from './service.types';

export interface ReadBatchesService {
  /**
   * The executions of each instance the actor may see, in execution order. An instance it may not
   * see is absent, as is one without rows (a caller that found the instance visible reads it as none).
   */
  executionsOf(actor: Actor, instanceIds: readonly string[]): Promise<Map<string, NodeExecutionDto[]>>;
  /** The history of each instance the actor may see, oldest first; absent as in `executionsOf`. */
  historiesOf(actor: Actor, instanceIds: readonly string[]): Promise<Map<string, HistoryItemDto[]>>;
  /** The instances the actor may see, by id. */
  instances(actor: Actor, instanceIds: readonly string[]): Promise<Map<string, InstanceDto>>;
  /** Those tasks that are in the actor's queue now, by task id, shown as `TasksService.mine` shows them. */
  queuedTasks(actor: Actor, taskIds: readonly string[]): Promise<Map<string, TaskDto>>;
}

export function createReadBatchesService(
  store: PgStore,
  clock: Clock,
  urgentThresholdHours: number,
  /** the callback URL of a waiting receive execution (`MessagesService.callbackUrlOf`) */
  callbackUrlOf?: (tenantId: string, executionId: string, nonce: string) => string,
): ReadBatchesService {
  const grouped = <T, R>(rows: readonly T[], key: (row: T) => string, map: (row: T) => R): Map<string, R[]> => {
    const out = new Map<string, R[]>();
    for (const row of rows) {
      const k = key(row);
      const list = out.get(k);
      if (list) list.push(map(row));
      else out.set(k, [map(row)]);
    }
    return out;
  };
  return {
    async executionsOf(actor, instanceIds) {
      if (instanceIds.length === 0) return new Map();
      const rows = await store.inTenant(actor.tenantId, (tx) => listVisibleExecutions(tx, actor, instanceIds));
      const urlOf = callbackUrlOf && ((executionId: string, nonce: string) => callbackUrlOf(actor.tenantId, executionId, nonce));
      return grouped(rows, (r) => r.instanceId, ({ instanceId: _instanceId, ...view }) => toNodeExecutionDto(view, urlOf));
    },
    async historiesOf(actor, instanceIds) {
      if (instanceIds.length === 0) return new Map();
      const rows = await store.inTenant(actor.tenantId, (tx) => listVisibleHistories(tx, actor, instanceIds));
      return grouped(rows, (r) => r.instanceId, toHistoryItemDto);
    },
    async instances(actor, instanceIds) {
      if (instanceIds.length === 0) return new Map();
      const rows = await store.inTenant(actor.tenantId, (tx) => findVisibleInstances(tx, actor, instanceIds));
      return new Map(rows.map((r) => [r.id, toInstanceDto(r)]));
    },
    async queuedTasks(actor, taskIds) {
      if (taskIds.length === 0) return new Map();
      const rows = await store.inTenant(actor.tenantId, (tx) => findQueuedTasks(tx, actor, taskIds));
      const now = clock.now();
      return new Map(rows.map((r) => [r.taskId, toTaskDto(r, now, urgentThresholdHours)]));
    },
  };
}
