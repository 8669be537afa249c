import {
  ForbiddenError,
  isAdmin,
  NotFoundError,
  planCancel,
  planRetry,
  type Actor,
  type EnginePorts,
  type NodeJob,
} from '@wf/engine';
import { findVisibleInstance, listExecutions, recordCancelReason, listHistory, listVisibleInstances, verifyHistoryChain, type PgStore, type PgTx } from '@wf/db';
import { toHistoryItemDto, toInstanceDto, toNodeExecutionDto } from './dto-mappers';
import { startWorkflow } from './start-workflow';
import type {
  HistoryItemDto,
  InstanceDetailDto,
  InstanceDto,
  InstanceFilter,
  InstancesService,
  ListOptions,
  Page,
  StartInstanceInput,
} from './service.types';

export class InstancesServiceImpl implements InstancesService {
  constructor(
    private readonly store: PgStore,
    private readonly ports: EnginePorts,
  ) {}

  async start(actor: Actor, input: StartInstanceInput): Promise<{ instance: InstanceDto; created: boolean }> {
    const outcome = await this.store.inTenant(actor.tenantId, (tx) =>
      startWorkflow(
        tx,
        {
          ...(input.workflowDefinitionId !== undefined ? { workflowDefinitionId: input.workflowDefinitionId } : {}),
          ...(input.workflowName !== undefined ? { workflowName: input.workflowName } : {}),
          contextEntityType: input.contextEntityType ?? null,
          contextEntityId: input.contextEntityId ?? null,
          contextData: input.contextData ?? {},
          idempotencyKey: input.idempotencyKey ?? null,
          startedBy: actor.userId,
          triggerType: 'manual',
        },
        this.ports.clock.now(),
        this.ports.newId,
      ),
    );
    await this.ports.dispatcher.dispatch(outcome.enqueue);
    return { instance: toInstanceDto(outcome.instance), created: outcome.created };
  }

  async list(actor: Actor, filter: InstanceFilter, page: ListOptions): Promise<Page<InstanceDto>> {
    const result = await this.store.inTenant(actor.tenantId, (tx) => listVisibleInstances(tx, actor, { ...filter, ...page }));
    return { items: result.items.map(toInstanceDto), nextCursor: result.nextCursor };
  }

  private async visible(tx: PgTx, actor: Actor, id: string) {
    const row = await findVisibleInstance(tx, actor, id);
    if (!row) throw new NotFoundError('Workflow instance', id);
    return row;
  }

  async get(actor: Actor, id: string): Promise<InstanceDetailDto> {
    return this.store.inTenant(actor.tenantId, async (tx) => {
      const row = await this.visible(tx, actor, id);
      const nodes = await listExecutions(tx, id);
      return { ...toInstanceDto(row), nodes: nodes.map(toNodeExecutionDto) };
    });
  }

  async history(actor: Actor, id: string): Promise<{ items: HistoryItemDto[] }> {
    return this.store.inTenant(actor.tenantId, async (tx) => {
      await this.visible(tx, actor, id);
      const rows = await listHistory(tx, id);
      return { items: rows.map(toHistoryItemDto) };
    });
  }

  async verifyHistory(actor: Actor, id: string): Promise<{ valid: boolean; checked: number; brokenAt: string | null }> {
    return this.store.inTenant(actor.tenantId, async (tx) => {
      const row = await this.visible(tx, actor, id);
      return verifyHistoryChain(await listHistory(tx, id), row.last_history_hash);
    });
  }

  async cancel(actor: Actor, id: string, reason?: string): Promise<InstanceDto> {
    const jobs: NodeJob[] = [];
    const dto = await this.store.inTenant(actor.tenantId, async (tx) => {
      const row = await this.visible(tx, actor, id);
      if (!isAdmin(actor) && row.started_by !== actor.userId) {
        throw new ForbiddenError('only an admin or the starter may cancel an instance', 'NOT_ALLOWED');
      }
      const now = this.ports.clock.now();
      await this.cancelTree(tx, id, actor, now, reason ?? null, true, jobs);
      return toInstanceDto({ ...row, status: 'cancelled', completed_at: now, cancel_reason: reason ?? null });
    });
    // a cancelled child wakes its parent's sub_workflow node (which then fails)
    await this.ports.dispatcher.dispatch(jobs);
    return dto;
  }

  /**
   * Cancel an instance and, in the same transaction, its running children (parent before child,
   * the only order in which two instances are ever locked together).
   */
  private async cancelTree(tx: PgTx, id: string, actor: Actor, now: Date, reason: string | null, top: boolean, jobs: NodeJob[]): Promise<void> {
    const locked = await tx.lockInstance(id);
    if (!locked) throw new NotFoundError('Workflow instance', id);
    const plan = planCancel(locked, actor, now, this.ports.newId, reason ?? undefined);
    await tx.apply(plan, locked);
    if (reason !== null) await recordCancelReason(tx, id, reason);
    // a child's report to its parent is moot: the parent is cancelled in this same transaction
    if (top) jobs.push(...plan.enqueue);
    for (const child of await tx.runningChildren(id)) {
      await this.cancelTree(tx, child, actor, now, `parent instance ${id} was cancelled`, false, jobs);
    }
  }

  async retry(actor: Actor, id: string): Promise<InstanceDto> {
    const { dto, jobs } = await this.store.inTenant(actor.tenantId, async (tx) => {
      const row = await this.visible(tx, actor, id);
      if (!isAdmin(actor)) throw new ForbiddenError('only an admin may retry an instance', 'ADMIN_REQUIRED');
      const locked = await tx.lockInstance(id);
      if (!locked) throw new NotFoundError('Workflow instance', id);
      const failed = await tx.executionsWithStatus(id, 'failed');
      const closed = await tx.executionsWithStatus(id, 'cancelled');
      const plan = planRetry(locked, failed, closed, actor, this.ports.clock.now(), this.ports.newId);
      await tx.apply(plan, locked);
      return { dto: toInstanceDto({ ...row, status: 'running', completed_at: null }), jobs: plan.enqueue };
    });
    await this.ports.dispatcher.dispatch(jobs);
    return dto;
  }
}
