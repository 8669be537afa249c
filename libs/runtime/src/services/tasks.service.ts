import {
  checkTask,
  decideTask,
  NotFoundError,
  type Actor,
  type EnginePorts,
  type JsonObject,
  type TaskCommand,
} from '@wf/engine';
import { findTaskView, listMyTasks, type PgStore } from '@wf/db';
import { toTaskDto } from './dto-mappers';
import type { ListOptions, Page, TaskAction, TaskDecisionDto, TaskDto, TasksService, UrgencyLevel } from './service.types';

export class TasksServiceImpl implements TasksService {
  constructor(
    private readonly store: PgStore,
    private readonly ports: EnginePorts,
    private readonly urgentThresholdHours: number,
  ) {}

  async mine(actor: Actor, filter: { urgencyLevel?: UrgencyLevel }, page: ListOptions): Promise<Page<TaskDto>> {
    const now = this.ports.clock.now();
    const result = await this.store.inTenant(actor.tenantId, (tx) =>
      listMyTasks(tx, actor, { ...filter, ...page, now, urgentThresholdHours: this.urgentThresholdHours }),
    );
    return { items: result.items.map((r) => toTaskDto(r, now, this.urgentThresholdHours)), nextCursor: result.nextCursor };
  }

  check(actor: Actor, taskId: string, action: TaskAction): Promise<void> {
    return checkTask(this.ports, actor, taskId, action);
  }

  private async decide(actor: Actor, taskId: string, command: TaskCommand) {
    // the merged context is held to the context limit by the engine's planner (CONTEXT_TOO_LARGE, 413)
    return decideTask(this.ports, actor, taskId, command);
  }

  async approve(actor: Actor, taskId: string, body: { comments?: string }): Promise<TaskDecisionDto> {
    const r = await this.decide(actor, taskId, { action: 'approve', ...(body.comments !== undefined ? { comments: body.comments } : {}) });
    return { taskId, instanceId: r.instanceId, status: 'completed', decision: 'approved' };
  }

  async reject(actor: Actor, taskId: string, body: { comments?: string }): Promise<TaskDecisionDto> {
    const r = await this.decide(actor, taskId, { action: 'reject', ...(body.comments !== undefined ? { comments: body.comments } : {}) });
    return { taskId, instanceId: r.instanceId, status: 'completed', decision: 'rejected' };
  }

  async delegate(actor: Actor, taskId: string, body: { toUserId: string; comments?: string }): Promise<TaskDto> {
    await this.decide(actor, taskId, {
      action: 'delegate',
      toUserId: body.toUserId,
      ...(body.comments !== undefined ? { comments: body.comments } : {}),
    });
    const view = await this.store.inTenant(actor.tenantId, (tx) => findTaskView(tx, taskId));
    if (!view) throw new NotFoundError('Task', taskId);
    return toTaskDto(view, this.ports.clock.now(), this.urgentThresholdHours);
  }

  async complete(actor: Actor, taskId: string, body: { data: JsonObject }): Promise<TaskDecisionDto> {
    const r = await this.decide(actor, taskId, { action: 'complete', data: body.data });
    return { taskId, instanceId: r.instanceId, status: 'completed' };
  }
}
