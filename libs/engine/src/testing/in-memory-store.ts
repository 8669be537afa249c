/**
 * The Store port in memory, for fast unit tests of the use cases. It keeps the semantics the
 * Postgres store has (the Store contract suite runs against both): tenant scoping, one
 * transaction at a time with rollback on error, plan writes as apply-plan's statement makes them
 * (patches, new executions, closing the other open executions), idempotency keys, visibility.
 * It does not hash history: `lastHistoryHash` is an opaque counter.
 */

import type { BusinessCalendar } from '../calendar/business-calendar';
import type { ReceivedMessage } from '../waits/plan-wait';
import type { DurationSample } from '../waits/forecast';
import { isActive, type DeputyWindow } from '../approvals/deputies';
import type { PastDecision } from '../approvals/separation-of-duties';
import type { CompiledDefinition } from '../definition/definition.types';
import type { DefinitionRecord, NewMessage, StepSnapshot, Store, StoredMessage, StoreTx, SweepSource } from '../runtime/ports';
import type { OpenExecution } from '../runtime/plan-builder';
import type { StartPlan } from '../runtime/plan-start';
import { isAdmin } from '../runtime/task-access';
import {
  READY_EXECUTION_FIELDS,
  isOpenStatus,
  type Actor,
  type ExecutionState,
  type ExecutionStatus,
  type HistoryEvent,
  type InstanceState,
  type InstanceView,
  type JsonObject,
  type NodeJob,
  type Plan,
  type SlaCheck,
} from '../runtime/model';

interface InstanceRow extends InstanceState {
  readonly contextEntityType: string | null;
  readonly contextEntityId: string | null;
  readonly completedAt: Date | null;
  readonly cancelReason: string | null;
  readonly idempotencyKey: string | null;
  readonly request: string | null;
  readonly rootInstanceId: string | null;
  readonly treeInstanceCount: number;
  readonly slaPausedMs?: number;
}

interface ExecutionRow extends ExecutionState {
  readonly readyAt: Date;
}

export interface HistoryRow extends HistoryEvent {
  readonly instanceId: string;
  readonly createdAt: Date;
}

interface MessageRow extends StoredMessage {
  consumedBy: string | null;
}

interface TenantData {
  instances: Map<string, InstanceRow>;
  executions: Map<string, ExecutionRow>;
  history: HistoryRow[];
  messages: MessageRow[];
}

/** JSON with sorted keys: two requests with the same fields compare equal. */
function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj).filter((k) => obj[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonical(obj[k])}`).join(',')}}`;
}

function copy(data: TenantData): TenantData {
  return { instances: new Map(data.instances), executions: new Map(data.executions), history: [...data.history], messages: data.messages.map((m) => ({ ...m })) };
}

export class InMemoryStore implements Store {
  private readonly tenants = new Map<string, TenantData>();
  /** definitions are immutable apart from `isActive`, and live outside the transactions */
  private readonly definitions = new Map<string, DefinitionRecord>();
  /** deputy windows by tenant; they live outside the transactions, as definitions do */
  private readonly deputies = new Map<string, DeputyWindow[]>();
  /** business calendars by tenant and name, likewise */
  private readonly calendarsOf = new Map<string, Map<string, BusinessCalendar>>();
  private queue: Promise<unknown> = Promise.resolve();
  private heads = 0;

  /** Store a compiled definition as the next version of its name in the tenant. */
  addDefinition(tenantId: string, compiled: CompiledDefinition, opts: { id: string; isActive?: boolean }): DefinitionRecord {
    const versions = [...this.definitions.values()].filter((d) => d.tenantId === tenantId && d.compiled.name === compiled.name);
    const record: DefinitionRecord = { id: opts.id, tenantId, version: versions.length + 1, isActive: opts.isActive ?? true, compiled };
    this.definitions.set(record.id, record);
    return record;
  }

  /** Store a business calendar in the tenant (what POST /api/calendars stores). */
  addCalendar(tenantId: string, name: string, calendar: BusinessCalendar): void {
    const of = this.calendarsOf.get(tenantId) ?? new Map<string, BusinessCalendar>();
    of.set(name, calendar);
    this.calendarsOf.set(tenantId, of);
  }

  /** Declare a deputy window in the tenant (what POST /api/deputies stores). */
  addDeputyWindow(tenantId: string, window: DeputyWindow): void {
    this.deputies.set(tenantId, [...(this.deputies.get(tenantId) ?? []), window]);
  }

  setActive(definitionId: string, isActive: boolean): void {
    const d = this.definitions.get(definitionId);
    if (d) this.definitions.set(definitionId, { ...d, isActive });
  }

  /** The tenant's history of an instance, oldest first (what GET …/history reads). */
  history(tenantId: string, instanceId: string): HistoryRow[] {
    return (this.tenants.get(tenantId)?.history ?? []).filter((h) => h.instanceId === instanceId);
  }

  /** The scheduler's cross-tenant reads, over committed data. */
  readonly sweeps: SweepSource = {
    staleWork: async (now, olderThanSeconds, limit) => {
      const jobs: NodeJob[] = [];
      for (const [tenantId, data] of this.tenants) {
        for (const e of data.executions.values()) {
          const job = { tenantId, instanceId: e.instanceId, executionId: e.id, generation: e.generation };
          if (e.status === 'ready' && e.readyAt.getTime() < now.getTime() - olderThanSeconds * 1000) jobs.push({ ...job, kind: 'run' });
          else if (e.status === 'running' && e.leaseExpiresAt && e.leaseExpiresAt < now) jobs.push({ ...job, kind: 'run' });
          else if (e.status === 'waiting' && e.waitingFor === 'child') {
            const child = [...data.instances.values()].find((i) => i.parentNodeExecutionId === e.id);
            if (child && child.status !== 'running' && child.completedAt && child.completedAt.getTime() < now.getTime() - olderThanSeconds * 1000) {
              jobs.push({ ...job, kind: 'resume' });
            }
          } else if (e.status === 'waiting' && e.waitingFor === 'message' && data.messages.some((m) => m.status === 'delivered' && m.deliveredTo.includes(e.id))) {
            // a delivered message its receiver did not take: the resume job was lost
            jobs.push({ ...job, kind: 'resume' });
          }
        }
      }
      return jobs.slice(0, limit);
    },
    dueTasks: async (now, limit) => this.wakingWaits((due) => due <= now).slice(0, limit),
    upcomingDeadlines: async (now, withinSeconds, limit) =>
      this.wakingWaits((due) => due > now && due.getTime() <= now.getTime() + withinSeconds * 1000).slice(0, limit),
  };

  /** Waits whose next timer (`wakeAt`) meets `dueWhen`. */
  private wakingWaits(dueWhen: (due: Date) => boolean): SlaCheck[] {
    const out: SlaCheck[] = [];
    for (const [tenantId, data] of this.tenants) {
      for (const e of data.executions.values()) {
        if (e.status !== 'waiting' || !e.wakeAt || data.instances.get(e.instanceId)?.status !== 'running' || !dueWhen(e.wakeAt)) continue;
        out.push({ tenantId, instanceId: e.instanceId, executionId: e.id, dueAt: e.wakeAt });
      }
    }
    return out.sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
  }

  /** Transactions run one at a time; a failed one leaves nothing behind. */
  inTenant<T>(tenantId: string, work: (tx: StoreTx) => Promise<T>): Promise<T> {
    const run = this.queue.then(async () => {
      const committed = this.tenants.get(tenantId) ?? { instances: new Map(), executions: new Map(), history: [], messages: [] };
      const tx = new InMemoryTx(tenantId, copy(committed), this.definitions, () => `head-${++this.heads}`, this.deputies.get(tenantId) ?? [], this.calendarsOf.get(tenantId) ?? new Map());
      const result = await work(tx);
      this.tenants.set(tenantId, tx.data);
      return result;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }
}

class InMemoryTx implements StoreTx {
  constructor(
    private readonly tenantId: string,
    readonly data: TenantData,
    private readonly definitions: ReadonlyMap<string, DefinitionRecord>,
    private readonly nextHead: () => string,
    private readonly deputies: readonly DeputyWindow[],
    private readonly calendarMap: ReadonlyMap<string, BusinessCalendar>,
  ) {}

  async calendars(names: readonly string[]): Promise<ReadonlyMap<string, BusinessCalendar>> {
    return new Map(names.flatMap((n) => {
      const c = this.calendarMap.get(n);
      return c ? [[n, c] as const] : [];
    }));
  }

  /** Transactions run one at a time here: holding the lock is holding the store. */
  async lockCorrelation(): Promise<void> {}

  async takeBufferedMessage(messageName: string, correlationKey: string, executionId: string, now: Date): Promise<ReceivedMessage | null> {
    const m = this.data.messages.find((x) => x.status === 'buffered' && x.name === messageName && x.correlationKey === correlationKey && (x.expiresAt === null || x.expiresAt > now));
    if (!m) return null;
    Object.assign(m, { status: 'consumed', consumedBy: executionId });
    return { id: m.id, name: m.name, correlationKey: m.correlationKey, data: m.data, messageId: m.messageId, via: m.via };
  }

  async deliveredMessage(executionId: string): Promise<ReceivedMessage | null> {
    const m = this.data.messages.find((x) => x.status === 'delivered' && x.deliveredTo.includes(executionId));
    return m ? { id: m.id, name: m.name, correlationKey: m.correlationKey, data: m.data, messageId: m.messageId, via: m.via } : null;
  }

  async waitingReceivers(messageName: string, correlationKey: string, limit: number): Promise<{ instanceId: string; executionId: string }[]> {
    return [...this.data.executions.values()]
      .filter((e) => e.status === 'waiting' && e.waitingFor === 'message' && e.messageName === messageName && e.correlationKey === correlationKey)
      .filter((e) => this.instance(e.instanceId)?.status === 'running')
      .filter((e) => !this.data.messages.some((m) => m.status === 'delivered' && m.deliveredTo.includes(e.id)))
      .slice(0, limit)
      .map((e) => ({ instanceId: e.instanceId, executionId: e.id }));
  }

  async storeMessage(message: NewMessage): Promise<string | null> {
    if (message.messageId !== null && this.data.messages.some((m) => m.messageId === message.messageId)) return null;
    const id = `message-${this.data.messages.length + 1}-${this.tenantId}`;
    // no clock here: messages keep their order by position, which is all they are read by
    this.data.messages.push({ ...message, deliveredTo: [...message.deliveredTo], id, createdAt: new Date(this.data.messages.length), consumedBy: null });
    return id;
  }

  async durationSamples(workflowName: string, nodeId: string, limit: number): Promise<DurationSample[]> {
    return [...this.data.executions.values()]
      .filter((e) => e.nodeId === nodeId && e.status === 'completed' && e.decision !== 'returned' && e.startedAt && e.completedAt)
      .filter((e) => {
        const i = this.instance(e.instanceId);
        return i !== undefined && this.definitions.get(i.definitionId)?.compiled.name === workflowName;
      })
      .sort((a, b) => (b.completedAt?.getTime() ?? 0) - (a.completedAt?.getTime() ?? 0))
      .slice(0, limit)
      .map((e) => ({ startedAt: e.startedAt as Date, completedAt: e.completedAt as Date }));
  }

  async messageById(messageId: string): Promise<StoredMessage | null> {
    return this.data.messages.find((m) => m.messageId === messageId) ?? null;
  }

  async decisions(instanceId: string): Promise<PastDecision[]> {
    return this.executionsOf(instanceId)
      .filter((e) => e.decidedBy !== null || e.votes.length > 0)
      .map((e) => ({ executionId: e.id, nodeId: e.nodeId, decision: e.decision, decidedBy: e.decidedBy, onBehalfOf: e.onBehalfOf, votes: e.votes }));
  }

  async deputyWindows(at: Date): Promise<DeputyWindow[]> {
    return this.deputies.filter((w) => isActive(w, at));
  }

  private instance(id: string): InstanceRow | undefined {
    return this.data.instances.get(id);
  }

  private executionsOf(instanceId: string): ExecutionRow[] {
    return [...this.data.executions.values()].filter((e) => e.instanceId === instanceId);
  }

  private snapshot(instanceId: string | undefined, executionId: string): StepSnapshot | null {
    const instance = instanceId === undefined ? undefined : this.instance(instanceId);
    const execution = this.data.executions.get(executionId);
    if (!instance || !execution || execution.instanceId !== instance.id) return null;
    return { instance: stateOf(instance), execution: executionStateOf(execution) };
  }

  async lockStep(instanceId: string, executionId: string): Promise<StepSnapshot | null> {
    return this.snapshot(instanceId, executionId);
  }

  async lockTask(taskId: string): Promise<StepSnapshot | null> {
    return this.snapshot(this.data.executions.get(taskId)?.instanceId, taskId);
  }

  readTask(taskId: string): Promise<StepSnapshot | null> {
    return this.lockTask(taskId);
  }

  async participates(instanceId: string, actor: Actor): Promise<boolean> {
    const i = this.instance(instanceId);
    if (!i) return false;
    if (i.startedBy === actor.userId) return true;
    return this.executionsOf(instanceId).some(
      (e) =>
        e.assignedUserId === actor.userId ||
        e.decidedBy === actor.userId ||
        e.previousAssignees.includes(actor.userId) ||
        e.candidateUsers.includes(actor.userId) ||
        e.votes.some((v) => v.userId === actor.userId) ||
        (e.assignedUserId === null && e.assignedRole !== null && actor.roles.includes(e.assignedRole)) ||
        (e.escalatedAt !== null && e.escalationRole !== null && actor.roles.includes(e.escalationRole)),
    );
  }

  async definition(definitionId: string): Promise<DefinitionRecord | null> {
    const d = this.definitions.get(definitionId);
    return d && d.tenantId === this.tenantId ? d : null;
  }

  async openExecutions(instanceId: string): Promise<OpenExecution[]> {
    return this.executionsOf(instanceId)
      .filter((e) => isOpenStatus(e.status))
      .map((e) => ({ id: e.id, nodeId: e.nodeId, status: e.status, waitingFor: e.waitingFor }));
  }

  async childOf(executionId: string): Promise<{ id: string; status: InstanceState['status']; contextData: JsonObject } | null> {
    const children = [...this.data.instances.values()].filter((i) => i.parentNodeExecutionId === executionId);
    const child = children.sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime())[0];
    return child ? { id: child.id, status: child.status, contextData: child.contextData } : null;
  }

  async apply(plan: Plan, instance: InstanceState): Promise<{ lastHistoryHash: string | null }> {
    const row = this.instance(instance.id);
    if (!row) throw new Error(`instance ${instance.id} is missing`);
    const head = plan.history.length > 0 ? this.nextHead() : row.lastHistoryHash;
    // as one statement: the bulk close sees the rows as they were before it
    const before = this.executionsOf(instance.id);
    const patched = new Set(plan.executionPatches.map((p) => p.id));
    for (const p of plan.executionPatches) {
      const e = this.data.executions.get(p.id);
      if (!e || e.instanceId !== instance.id) continue;
      this.data.executions.set(p.id, { ...e, ...p, readyAt: p.status === 'ready' ? plan.now : e.readyAt });
    }
    for (const n of plan.newExecutions) {
      this.data.executions.set(n.id, {
        ...READY_EXECUTION_FIELDS,
        id: n.id,
        instanceId: instance.id,
        nodeId: n.nodeId,
        nodeType: n.nodeType,
        status: n.status,
        waitingFor: n.waitingFor,
        readyAt: n.readyAt,
        comments: n.comments ?? null,
        output: n.output ?? null,
      });
    }
    if (plan.cancelOtherOpenExecutions) {
      for (const e of before) {
        if (patched.has(e.id) || !isOpenStatus(e.status)) continue;
        this.data.executions.set(e.id, {
          ...e,
          status: 'cancelled',
          completedAt: plan.now,
          leaseToken: null,
          leaseExpiresAt: null,
          closedByFailureFrom: plan.instance.status === 'failed' ? (e.status as 'ready' | 'running' | 'waiting') : null,
        });
      }
    }
    for (const h of plan.history) this.data.history.push({ ...h, instanceId: instance.id, createdAt: plan.now });
    this.data.instances.set(instance.id, {
      ...row,
      status: plan.instance.status,
      contextData: plan.instance.contextData,
      completedAt: plan.instance.completedAt,
      openExecutions: row.openExecutions + plan.instance.openDelta,
      stepCount: row.stepCount + plan.instance.stepDelta,
      lastHistoryHash: head,
      slaPausedMs: (row.slaPausedMs ?? 0) + plan.instance.slaPausedMsDelta,
      slaDeadline: row.slaDeadline && plan.instance.slaPausedMsDelta > 0 ? new Date(row.slaDeadline.getTime() + plan.instance.slaPausedMsDelta) : row.slaDeadline,
    });
    return { lastHistoryHash: head };
  }

  async lockInstance(instanceId: string): Promise<InstanceState | null> {
    const i = this.instance(instanceId);
    return i ? stateOf(i) : null;
  }

  async visibleInstance(actor: Actor, instanceId: string): Promise<InstanceView | null> {
    const i = this.instance(instanceId);
    if (!i || !(isAdmin(actor) || (await this.participates(instanceId, actor)))) return null;
    const def = this.definitions.get(i.definitionId);
    return {
      id: i.id,
      status: i.status,
      definitionId: i.definitionId,
      workflowName: def?.compiled.name ?? '',
      workflowVersion: def?.version ?? 0,
      contextEntityType: i.contextEntityType,
      contextEntityId: i.contextEntityId,
      contextData: i.contextData,
      triggerType: i.triggerType,
      startedBy: i.startedBy,
      parentInstanceId: i.parentInstanceId,
      slaDeadline: i.slaDeadline,
      startedAt: i.startedAt,
      completedAt: i.completedAt,
      cancelReason: i.cancelReason,
      slaPausedMs: i.slaPausedMs ?? 0,
      lastHistoryHash: i.lastHistoryHash,
    };
  }

  async executionsWithStatus(instanceId: string, status: ExecutionStatus): Promise<ExecutionState[]> {
    return this.executionsOf(instanceId).filter((e) => e.status === status).map(executionStateOf);
  }

  async runningChildren(instanceId: string): Promise<string[]> {
    return [...this.data.instances.values()].filter((i) => i.parentInstanceId === instanceId && i.status === 'running').map((i) => i.id);
  }

  async recordCancelReason(instanceId: string, reason: string): Promise<void> {
    const i = this.instance(instanceId);
    if (i) this.data.instances.set(instanceId, { ...i, cancelReason: reason });
  }

  async definitionToStart(ref: { definitionId: string } | { workflowName: string }): Promise<DefinitionRecord | null> {
    if ('definitionId' in ref) return this.definition(ref.definitionId);
    return this.latestActive().find((d) => d.compiled.name === ref.workflowName) ?? null;
  }

  /** The latest active version of every name in the tenant, by name. */
  private latestActive(): DefinitionRecord[] {
    const latest = new Map<string, DefinitionRecord>();
    for (const d of this.definitions.values()) {
      if (d.tenantId !== this.tenantId || !d.isActive) continue;
      const seen = latest.get(d.compiled.name);
      if (!seen || seen.version < d.version) latest.set(d.compiled.name, d);
    }
    return [...latest.values()].sort((a, b) => (a.compiled.name < b.compiled.name ? -1 : a.compiled.name > b.compiled.name ? 1 : 0));
  }

  async startedWithKey(startedBy: string, key: string, request: JsonObject): Promise<{ instance: InstanceView; sameRequest: boolean } | null> {
    const i = [...this.data.instances.values()].find((x) => x.startedBy === startedBy && x.idempotencyKey === key);
    if (!i) return null;
    const view = await this.visibleInstance({ tenantId: this.tenantId, userId: startedBy, roles: ['admin'] }, i.id);
    return view && { instance: view, sameRequest: i.request === canonical(request) };
  }

  async insertStart(plan: StartPlan, rec: { idempotencyKey: string | null; request: JsonObject; rootInstanceId: string | null }): Promise<boolean> {
    const i = plan.instance;
    if (rec.idempotencyKey !== null && [...this.data.instances.values()].some((x) => x.startedBy === i.startedBy && x.idempotencyKey === rec.idempotencyKey)) {
      return false;
    }
    const head = this.nextHead();
    this.data.instances.set(i.id, {
      ...i,
      openExecutions: 1,
      stepCount: 0,
      lastHistoryHash: head,
      completedAt: null,
      cancelReason: null,
      idempotencyKey: rec.idempotencyKey,
      request: canonical(rec.request),
      rootInstanceId: rec.rootInstanceId,
      treeInstanceCount: 1,
    });
    const e = plan.firstExecution;
    this.data.executions.set(e.id, { ...READY_EXECUTION_FIELDS, id: e.id, instanceId: i.id, nodeId: e.nodeId, nodeType: e.nodeType, readyAt: plan.now });
    for (const h of plan.history) this.data.history.push({ ...h, instanceId: i.id, createdAt: plan.now });
    return true;
  }

  async countTreeInstance(parentId: string, limit: number): Promise<string | null> {
    const parent = this.instance(parentId);
    const root = parent && this.instance(parent.rootInstanceId ?? parent.id);
    if (!root || root.treeInstanceCount >= limit) return null;
    this.data.instances.set(root.id, { ...root, treeInstanceCount: root.treeInstanceCount + 1 });
    return root.id;
  }

  async definitionsListeningFor(eventType: string): Promise<string[]> {
    return this.latestActive()
      .filter((d) => d.compiled.triggers.some((t) => t.type === 'event' && t.eventType === eventType))
      .map((d) => d.id);
  }
}

function stateOf(i: InstanceRow): InstanceState {
  return {
    id: i.id,
    tenantId: i.tenantId,
    definitionId: i.definitionId,
    status: i.status,
    contextData: i.contextData,
    startedBy: i.startedBy,
    triggerType: i.triggerType,
    parentInstanceId: i.parentInstanceId,
    parentNodeExecutionId: i.parentNodeExecutionId,
    depth: i.depth,
    openExecutions: i.openExecutions,
    stepCount: i.stepCount,
    lastHistoryHash: i.lastHistoryHash,
    slaDeadline: i.slaDeadline,
    startedAt: i.startedAt,
  };
}

function executionStateOf(e: ExecutionRow): ExecutionState {
  const { readyAt: _readyAt, ...state } = e;
  return state;
}
