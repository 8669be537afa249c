import { cancelInstance, commentOnInstance, NotFoundError, retryInstance, startInstance, type Actor, type EnginePorts } from '@wf/engine';
import { findVisibleInstance, listComments, listExecutions, listHistory, listVisibleInstances, verifyHistoryChain, type PgStore, type PgTx } from '@wf/db';
import { toHistoryItemDto, toInstanceDto, toNodeExecutionDto } from './dto-mappers';
import type {
  CommentDto,
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
    /** the callback URL of a waiting receive execution (`MessagesServiceImpl.callbackUrlOf`) */
    private readonly callbackUrlOf: (tenantId: string, executionId: string, nonce: string) => string = () => '',
  ) {}

  async start(actor: Actor, input: StartInstanceInput): Promise<{ instance: InstanceDto; created: boolean }> {
    const outcome = await startInstance(this.ports, actor.tenantId, {
      ...(input.workflowDefinitionId !== undefined ? { workflowDefinitionId: input.workflowDefinitionId } : {}),
      ...(input.workflowName !== undefined ? { workflowName: input.workflowName } : {}),
      contextEntityType: input.contextEntityType ?? null,
      contextEntityId: input.contextEntityId ?? null,
      contextData: input.contextData ?? {},
      idempotencyKey: input.idempotencyKey ?? null,
      startedBy: actor.userId,
      triggerType: 'manual',
    });
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
      const shown = nodes.map((n) => toNodeExecutionDto(n, (executionId, nonce) => this.callbackUrlOf(actor.tenantId, executionId, nonce)));
      return { ...toInstanceDto(row), atRisk: shown.some((n) => n.status === 'waiting' && n.atRiskAt !== null), nodes: shown };
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
      return verifyHistoryChain(await listHistory(tx, id), row.lastHistoryHash);
    });
  }

  async comments(actor: Actor, id: string): Promise<{ items: CommentDto[] }> {
    return this.store.inTenant(actor.tenantId, async (tx) => {
      await this.visible(tx, actor, id);
      const rows = await listComments(tx, id);
      return {
        items: rows.map((r) => ({
          id: r.id,
          instanceId: id,
          authorUserId: r.actorUserId ?? '',
          text: String((r.details as { text?: unknown }).text ?? ''),
          createdAt: r.createdAt.toISOString(),
        })),
      };
    });
  }

  async comment(actor: Actor, id: string, body: { text: string }): Promise<CommentDto> {
    const written = await commentOnInstance(this.ports, actor, id, body);
    // the thread as written: the newest comment of this author with this text is the one
    const { items } = await this.comments(actor, id);
    const added = items.findLast((c) => c.authorUserId === actor.userId && c.text === written.text);
    if (!added) throw new Error(`comment on ${id} was written but is not in its thread`);
    return added;
  }

  async cancel(actor: Actor, id: string, reason?: string): Promise<InstanceDto> {
    return toInstanceDto(await cancelInstance(this.ports, actor, id, reason));
  }

  async retry(actor: Actor, id: string): Promise<InstanceDto> {
    return toInstanceDto(await retryInstance(this.ports, actor, id));
  }
}
