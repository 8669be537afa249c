import {
  checkTask,
  decideTask,
  FORECAST_MODEL,
  MIN_FORECAST_SAMPLES,
  moveTaskDeadline,
  eligibleVoters,
  heldInPerson,
  hoursRemaining,
  isAdmin,
  ForbiddenError,
  NotFoundError,
  principalsOf,
  readTask,
  tallyQuorum,
  urgencyOf,
  type Actor,
  type EnginePorts,
  type JsonObject,
  type Principal,
  type TaskCommand,
} from '@wf/engine';
import { activeDeputyWindows, findTaskView, listMyTasks, listOpenTasks, type PgStore, type PgTx, type TaskView } from '@wf/db';
import { iso, toTaskDto } from './dto-mappers';
import type {
  BulkTaskAction,
  BulkTaskOutcome,
  ListOptions,
  MyTaskFilterDto,
  OpenTaskFilterDto,
  Page,
  TaskAction,
  TaskDecisionDto,
  TaskDetailDto,
  TaskDto,
  TasksService,
} from './service.types';

export class TasksServiceImpl implements TasksService {
  constructor(
    private readonly store: PgStore,
    private readonly ports: EnginePorts,
    private readonly urgentThresholdHours: number,
  ) {}

  private async principals(tx: PgTx, actor: Actor, now: Date): Promise<Principal[]> {
    return principalsOf(actor.userId, await activeDeputyWindows(tx, now), now);
  }

  /** The absent user a task is in the actor's queue for, when it is not the actor's own. */
  private onBehalfOf(actor: Actor, view: TaskView, principals: readonly Principal[]): string | null {
    const task = { assignedUserId: view.assignedUserId, candidateUsers: view.candidateUsers };
    if (heldInPerson(actor.userId, task) || (view.assignedUserId === null && view.assignedRole !== null && actor.roles.includes(view.assignedRole))) return null;
    return principals.find((p) => heldInPerson(p.userId, task))?.userId ?? null;
  }

  async mine(actor: Actor, filter: MyTaskFilterDto, page: ListOptions): Promise<Page<TaskDto>> {
    const now = this.ports.clock.now();
    const { urgencyLevel, ...byInstance } = filter;
    return this.store.inTenant(actor.tenantId, async (tx) => {
      const principals = await this.principals(tx, actor, now);
      const query = { ...(urgencyLevel ? { urgencyLevel } : {}), ...page, now, urgentThresholdHours: this.urgentThresholdHours, principals };
      const result = await listMyTasks(tx, actor, query, byInstance);
      return { items: result.items.map((r) => toTaskDto(r, now, this.urgentThresholdHours, this.onBehalfOf(actor, r, principals))), nextCursor: result.nextCursor };
    });
  }

  async open(actor: Actor, filter: OpenTaskFilterDto, page: ListOptions): Promise<Page<TaskDto>> {
    if (!isAdmin(actor)) throw new ForbiddenError('the tenant\'s open tasks are for admins (operators)', 'ADMIN_REQUIRED');
    const now = this.ports.clock.now();
    const { role, assignee, ...rest } = filter;
    const result = await this.store.inTenant(actor.tenantId, (tx) =>
      listOpenTasks(
        tx,
        { ...rest, ...(role !== undefined ? { assignedRole: role } : {}), ...(assignee !== undefined ? { assignedUserId: assignee } : {}) },
        { ...(filter.urgencyLevel ? { urgencyLevel: filter.urgencyLevel } : {}), ...page, now, urgentThresholdHours: this.urgentThresholdHours },
      ),
    );
    return { items: result.items.map((r) => toTaskDto(r, now, this.urgentThresholdHours)), nextCursor: result.nextCursor };
  }

  async get(actor: Actor, taskId: string): Promise<TaskDetailDto> {
    const now = this.ports.clock.now();
    const r = await readTask(this.ports, actor, taskId);
    const { instance, execution: task } = r.snap;
    const node = r.node;
    const quorum = node.nodeType === 'approval' ? node.quorum : null;
    const electorate = quorum && quorum.voters.kind !== 'role' ? eligibleVoters(task.candidateUsers, task.excludedUsers).length : null;
    const tally = quorum ? tallyQuorum(quorum, task.votes, electorate) : null;
    const waiting = task.status === 'waiting';
    const revision = task.output?.revision as TaskDetailDto['revision'] | undefined;
    const rounds = r.decisions.filter((d) => d.nodeId === node.id && d.decision === 'returned').length;
    const details = await this.store.inTenant(actor.tenantId, (tx) =>
      tx.query<{ contextEntityType: string | null; contextEntityId: string | null; nodeName: string; createdAt: Date }>(
        `SELECT i.context_entity_type AS "contextEntityType", i.context_entity_id AS "contextEntityId", n.node_name AS "nodeName", n.created_at AS "createdAt"
         FROM workflow_instance_nodes n JOIN workflow_instances i ON i.id = n.instance_id WHERE n.id = $1`,
        [taskId],
      ),
    );
    const row = details.rows[0];
    if (!row) throw new NotFoundError('Task', taskId);
    return {
      taskId,
      instanceId: instance.id,
      workflowName: r.workflowName,
      workflowVersion: r.workflowVersion,
      taskName: row.nodeName,
      nodeId: node.id,
      nodeType: node.nodeType,
      status: task.status,
      instanceStatus: instance.status,
      startedBy: instance.startedBy,
      assignedUserId: task.assignedUserId,
      assignedRole: task.assignedRole,
      candidateUsers: [...task.candidateUsers],
      escalationRole: task.escalationRole,
      escalatedAt: iso(task.escalatedAt),
      claimedAt: iso(task.claimedAt),
      slaDeadline: iso(task.slaDeadline),
      urgencyLevel: waiting && task.slaDeadline ? urgencyOf(task.slaDeadline, now, this.urgentThresholdHours, task.atRiskAt !== null) : waiting ? 'NORMAL' : null,
      hoursRemaining: waiting && task.slaDeadline ? hoursRemaining(task.slaDeadline, now) : null,
      isOverdue: waiting && task.slaDeadline !== null && task.slaDeadline.getTime() <= now.getTime(),
      decision: task.decision,
      decidedBy: task.decidedBy,
      onBehalfOf: task.onBehalfOf,
      comments: task.comments,
      revision: revision ?? null,
      quorum: quorum && tally
        ? {
          required: tally.required,
          approvals: tally.approvals,
          rejections: tally.rejections,
          electorate: tally.electorate,
          rejectPolicy: quorum.rejectPolicy,
          votes: task.votes.map((v) => ({ ...v })),
        }
        : null,
      separationOfDuties: { ...node.separation, notDeciderOf: [...node.separation.notDeciderOf] },
      returnTo: node.returnTo,
      rounds: node.returnTo !== null ? { used: rounds, max: node.maxRounds } : null,
      forecast: task.forecastFinishAt
        ? { available: true, finishAt: task.forecastFinishAt.toISOString(), atRisk: task.atRiskAt !== null, atRiskAt: iso(task.atRiskAt), model: FORECAST_MODEL }
        : { available: false, reason: `no forecast: fewer than ${MIN_FORECAST_SAMPLES} finished executions of "${node.id}" in this workflow when the task was created` },
      allowedActions: [...r.allowedActions],
      actingFor: r.standing.onBehalfOf,
      contextEntityType: row.contextEntityType,
      contextEntityId: row.contextEntityId,
      contextData: instance.contextData,
      formSchema: node.nodeType === 'user_task' ? node.formSchema : null,
      createdAt: row.createdAt.toISOString(),
      completedAt: iso(task.completedAt),
    };
  }

  check(actor: Actor, taskId: string, action: TaskAction): Promise<void> {
    return checkTask(this.ports, actor, taskId, action);
  }

  private decide(actor: Actor, taskId: string, command: TaskCommand) {
    // the merged context is held to the context limit by the engine's planner (CONTEXT_TOO_LARGE, 413)
    return decideTask(this.ports, actor, taskId, command);
  }

  /** The task as the actor's queue shows it after a hand-over (it may have left their queue). */
  private async taskAfter(actor: Actor, taskId: string): Promise<TaskDto> {
    const view = await this.store.inTenant(actor.tenantId, (tx) => findTaskView(tx, taskId));
    if (!view) throw new NotFoundError('Task', taskId);
    return toTaskDto(view, this.ports.clock.now(), this.urgentThresholdHours);
  }

  private async vote(actor: Actor, taskId: string, action: 'approve' | 'reject', comments?: string): Promise<TaskDecisionDto> {
    const r = await this.decide(actor, taskId, { action, ...(comments !== undefined ? { comments } : {}) });
    const patch = r.plan.executionPatches.find((p) => p.id === taskId);
    const voted = r.plan.history.find((h) => h.eventType === 'task_voted');
    if (patch?.status === 'waiting' && voted) {
      const d = voted.details as { approvals: number; rejections: number; required: number; decision: 'approved' | 'rejected' };
      return { taskId, instanceId: r.instanceId, status: 'waiting', vote: { decision: d.decision, approvals: d.approvals, rejections: d.rejections, required: d.required, outcome: null } };
    }
    const decision = patch?.decision === 'rejected' ? 'rejected' : 'approved';
    const out: TaskDecisionDto = { taskId, instanceId: r.instanceId, status: 'completed', decision };
    if (voted) {
      const d = voted.details as { approvals: number; rejections: number; required: number; decision: 'approved' | 'rejected' };
      out.vote = { decision: d.decision, approvals: d.approvals, rejections: d.rejections, required: d.required, outcome: decision };
    }
    return out;
  }

  approve(actor: Actor, taskId: string, body: { comments?: string }): Promise<TaskDecisionDto> {
    return this.vote(actor, taskId, 'approve', body.comments);
  }

  reject(actor: Actor, taskId: string, body: { comments?: string }): Promise<TaskDecisionDto> {
    return this.vote(actor, taskId, 'reject', body.comments);
  }

  async delegate(actor: Actor, taskId: string, body: { toUserId: string; comments?: string }): Promise<TaskDto> {
    await this.decide(actor, taskId, { action: 'delegate', toUserId: body.toUserId, ...(body.comments !== undefined ? { comments: body.comments } : {}) });
    return this.taskAfter(actor, taskId);
  }

  async complete(actor: Actor, taskId: string, body: { data: JsonObject }): Promise<TaskDecisionDto> {
    const r = await this.decide(actor, taskId, { action: 'complete', data: body.data });
    return { taskId, instanceId: r.instanceId, status: 'completed' };
  }

  async return(actor: Actor, taskId: string, body: { comments: string }): Promise<TaskDecisionDto> {
    const r = await this.decide(actor, taskId, { action: 'return', comments: body.comments });
    return { taskId, instanceId: r.instanceId, status: 'completed', decision: 'returned' };
  }

  async claim(actor: Actor, taskId: string, body: { comments?: string }): Promise<TaskDto> {
    await this.decide(actor, taskId, { action: 'claim', ...(body.comments !== undefined ? { comments: body.comments } : {}) });
    return this.taskAfter(actor, taskId);
  }

  async release(actor: Actor, taskId: string, body: { comments?: string }): Promise<TaskDto> {
    await this.decide(actor, taskId, { action: 'release', ...(body.comments !== undefined ? { comments: body.comments } : {}) });
    return this.taskAfter(actor, taskId);
  }

  async reassign(actor: Actor, taskId: string, body: { toUserId?: string; toRole?: string; comments?: string }): Promise<TaskDto> {
    await this.decide(actor, taskId, { action: 'reassign', ...body });
    return this.taskAfter(actor, taskId);
  }

  async moveDeadline(actor: Actor, taskId: string, body: { slaDeadline: Date; reason: string }): Promise<TaskDetailDto> {
    await moveTaskDeadline(this.ports, actor, taskId, body);
    return this.get(actor, taskId);
  }

  /**
   * Each task decided on its own, one after another: its own transaction and checks, so one
   * refusal (a task already decided, one's own request) never takes the others with it.
   */
  async bulk(actor: Actor, body: { action: BulkTaskAction; taskIds: string[]; comments?: string }): Promise<{ results: BulkTaskOutcome[] }> {
    const results: BulkTaskOutcome[] = [];
    const comments = body.comments !== undefined ? { comments: body.comments } : {};
    for (const taskId of [...new Set(body.taskIds)]) {
      try {
        const result = body.action === 'approve' ? await this.approve(actor, taskId, comments)
          : body.action === 'reject' ? await this.reject(actor, taskId, comments)
            : body.action === 'claim' ? await this.claim(actor, taskId, comments)
              : await this.release(actor, taskId, comments);
        results.push({ taskId, ok: true, result });
      } catch (error) {
        results.push({ taskId, ok: false, error });
      }
    }
    return { results };
  }
}

