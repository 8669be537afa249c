/** The ports the use cases are written against; libs/db and libs/queue implement them. */

import type { CompiledDefinition } from '../definition/definition.types';
import type { EngineEvent } from '../use-cases/engine-events';
import type { Actor, ExecutionState, ExecutionStatus, InstanceState, InstanceView, JsonObject, NodeJob, Plan, SlaCheck } from './model';
import type { OpenExecution } from './plan-builder';
import type { StartPlan } from './plan-start';
import type { ServiceHandlers } from './service-handler';
import type { PastDecision } from '../approvals/separation-of-duties';
import type { DeputyWindow } from '../approvals/deputies';
import type { BusinessCalendar } from '../calendar/business-calendar';
import type { ReceivedMessage } from '../waits/plan-wait';
import type { DurationSample } from '../waits/forecast';

/** A message as `storeMessage` keeps it. */
export interface NewMessage {
  readonly name: string;
  readonly correlationKey: string;
  readonly data: JsonObject;
  readonly messageId: string | null;
  readonly status: 'buffered' | 'delivered' | 'unmatched';
  readonly deliveredTo: readonly string[];
  readonly expiresAt: Date | null;
  readonly via: 'message' | 'callback';
}

export interface StoredMessage extends Omit<NewMessage, 'status'> {
  /** `consumed`: a buffered message a receiver that came later took */
  readonly status: NewMessage['status'] | 'consumed';
  readonly id: string;
  readonly createdAt: Date;
}

/** A stored, compiled definition version. Immutable apart from `isActive`. */
export interface DefinitionRecord {
  readonly id: string;
  readonly tenantId: string;
  readonly version: number;
  readonly isActive: boolean;
  readonly compiled: CompiledDefinition;
}

export interface StepSnapshot {
  /** locked FOR UPDATE for the rest of the transaction */
  readonly instance: InstanceState;
  readonly execution: ExecutionState;
}

/** One tenant-scoped transaction. */
export interface StoreTx {
  /** Lock the instance row, then read the execution (fresh, after the lock). Null when either is missing. */
  lockStep(instanceId: string, executionId: string): Promise<StepSnapshot | null>;
  /** Same, found by task (execution) id. */
  lockTask(taskId: string): Promise<StepSnapshot | null>;
  /** A task and its instance as they are, without locking (reads that decide nothing). */
  readTask(taskId: string): Promise<StepSnapshot | null>;
  /** The actor started the instance, or holds or held a task in it. */
  participates(instanceId: string, actor: Actor): Promise<boolean>;
  /** The instance's tasks that were decided or voted on (separation of duties, return rounds). */
  decisions(instanceId: string): Promise<PastDecision[]>;
  /** The tenant's deputy windows active at `at` (few: they are read whole). */
  deputyWindows(at: Date): Promise<DeputyWindow[]>;

  /** The tenant's business calendars of these names, compiled (cached by version); a missing one is left out. */
  calendars(names: readonly string[]): Promise<ReadonlyMap<string, BusinessCalendar>>;
  /**
   * Serialise, for this transaction, everything about one message name and correlation key: a
   * receiver parking and a message arriving then never miss each other.
   */
  lockCorrelation(messageName: string, correlationKey: string): Promise<void>;
  /** The oldest unexpired buffered message for the key, now consumed by `executionId`; null when none. */
  takeBufferedMessage(messageName: string, correlationKey: string, executionId: string, now: Date): Promise<ReceivedMessage | null>;
  /** The oldest message delivered to this waiting execution; null when none. */
  deliveredMessage(executionId: string): Promise<ReceivedMessage | null>;
  /** Executions waiting for the message, not already handed one (at most `limit`). */
  waitingReceivers(messageName: string, correlationKey: string, limit: number): Promise<{ instanceId: string; executionId: string }[]>;
  /** Keep a message: buffered, delivered to receivers, or unmatched; null when its `messageId` was seen before. */
  storeMessage(message: NewMessage): Promise<string | null>;
  /** A message stored earlier under the sender's id. */
  messageById(messageId: string): Promise<StoredMessage | null>;
  /** The most recent finished executions of a task node in a workflow (any version), newest first: the forecast's history. */
  durationSamples(workflowName: string, nodeId: string, limit: number): Promise<DurationSample[]>;
  /** A definition by id, compiled (cached: versions are immutable). Null when missing. */
  definition(definitionId: string): Promise<DefinitionRecord | null>;
  /** Every open execution of an instance (joins need them). */
  openExecutions(instanceId: string): Promise<OpenExecution[]>;
  /** The child instance started by a sub_workflow execution. */
  childOf(executionId: string): Promise<{ id: string; status: InstanceState['status']; contextData: JsonObject } | null>;
  /**
   * Write a plan; `instance` is the locked state it was planned from. Returns the new head of the
   * instance's history chain. The writes may be held back until commit or the next read: every
   * read of this transaction still sees them.
   */
  apply(plan: Plan, instance: InstanceState): Promise<{ lastHistoryHash: string | null }>;

  /** Lock an instance row for an operator action; null when missing. */
  lockInstance(instanceId: string): Promise<InstanceState | null>;
  /** The instance when the actor may see it (admin, starter, participant), else null. */
  visibleInstance(actor: Actor, instanceId: string): Promise<InstanceView | null>;
  executionsWithStatus(instanceId: string, status: ExecutionStatus): Promise<ExecutionState[]>;
  /** Running child instances of an instance (cancel closes them with their parent). */
  runningChildren(instanceId: string): Promise<string[]>;
  /** Keep the operator's reason on a cancelled instance (the history row has it too). */
  recordCancelReason(instanceId: string, reason: string): Promise<void>;

  /**
   * The definition a start names, with `isActive` read fresh (the compiled form may be cached):
   * by id, or the latest active version of a name. Null when there is none.
   */
  definitionToStart(ref: { definitionId: string } | { workflowName: string }): Promise<DefinitionRecord | null>;
  /**
   * The instance this caller started with this idempotency key, and whether `request` (the start's
   * identifying fields) is the one it was started with. Keys are the caller's, never shared.
   */
  startedWithKey(startedBy: string, key: string, request: JsonObject): Promise<{ instance: InstanceView; sameRequest: boolean } | null>;
  /**
   * Write a start (instance, first execution, first history row). With an idempotency key that
   * this caller already used nothing is written and false is returned.
   */
  insertStart(plan: StartPlan, rec: { idempotencyKey: string | null; request: JsonObject; rootInstanceId: string | null }): Promise<boolean>;
  /**
   * Count one more instance in the tree of `parentId` unless it already holds `limit`; the
   * tree's root id, or null at the limit.
   */
  countTreeInstance(parentId: string, limit: number): Promise<string | null>;
  /** Ids of the latest active versions that listen for an event, by workflow name. */
  definitionsListeningFor(eventType: string): Promise<string[]>;
}

export interface Store {
  inTenant<T>(tenantId: string, work: (tx: StoreTx) => Promise<T>): Promise<T>;
}

/** Sends ready executions to the workers. Called after commit; safe to call twice. */
export interface Dispatcher {
  dispatch(jobs: readonly NodeJob[]): Promise<void>;
  /** delayed checks at task deadlines; safe to call twice */
  scheduleSlaChecks(checks: readonly SlaCheck[]): Promise<void>;
}

export interface Clock {
  now(): Date;
}

export type IdGenerator = () => string;

/** Engine settings the use cases need (from configuration). */
export interface EngineSettings {
  readonly defaultSlaHours: number;
  readonly maxStepsPerInstance: number;
  readonly maxSubworkflowDepth: number;
  readonly escalationEnabled: boolean;
  /** how long an I/O step holds its lease before another worker may take it over */
  readonly leaseMs: number;
  /**
   * attempts an I/O step gets in all (1 + WORKFLOW_MAX_RETRIES), counted in Postgres, so that a
   * job removed and dispatched again cannot start the count over; unset: the queue's count only
   */
  readonly maxAttempts?: number;
}

/** The settings of the use cases: the planners' and the ones only a use case applies. */
export interface UseCaseSettings extends EngineSettings {
  /** instances one tree of sub-workflows may hold (WORKFLOW_MAX_INSTANCES_PER_TREE) */
  readonly maxInstancesPerTree: number;
}

/**
 * Cross-tenant reads for the scheduler's sweeps (read-only; every write happens afterwards in the
 * tenant's own transaction). Time comes from the caller's clock, never from the database's.
 */
export interface SweepSource {
  /**
   * Work whose wake-up call may be lost: ready executions that waited longer than
   * `olderThanSeconds`, I/O steps whose lease ran out, parents still waiting on an ended child.
   */
  staleWork(now: Date, olderThanSeconds: number, limit: number): Promise<NodeJob[]>;
  /** Waiting tasks past their deadline whose breach is not recorded yet. */
  dueTasks(now: Date, limit: number): Promise<SlaCheck[]>;
  /** Waiting tasks whose deadline falls within the next `withinSeconds`. */
  upcomingDeadlines(now: Date, withinSeconds: number, limit: number): Promise<SlaCheck[]>;
}

/** JSON Schema checks of user data: the definition's context schema and its user-task forms. */
export interface SchemaChecks {
  /** throws ValidationError (CONTEXT_VALIDATION_FAILED) or UnprocessableError (CONTEXT_SCHEMA_INVALID) */
  validateContext(definitionId: string, schema: Readonly<Record<string, unknown>> | null, data: JsonObject): void;
  /** throws ValidationError (FORM_VALIDATION_FAILED) or UnprocessableError (FORM_SCHEMA_INVALID) */
  validateForm(key: { definitionId: string; nodeId: string }, schema: Record<string, unknown> | null, data: JsonObject): void;
}

/** Where the engine reports what happened, after commit: metrics, logs and tests listen. */
export interface EventSink {
  emit(event: EngineEvent): void;
}

/**
 * Keeps the leases of in-flight I/O steps alive while their handlers run: one per worker process,
 * renewing every tracked step from one timer (BullMQ's `LockManager`). The engine holds no timers;
 * each renewal is the `renewLease` use case.
 */
export interface LeaseKeeper {
  /**
   * Renew the claimed step's lease until the returned release is called; a lease only runs out
   * when the worker dies or freezes. `onLost` is called at most once, when a renewal finds the
   * lease no longer this worker's; renewing then stops. A renewal that fails (database away) is
   * tried again. The release resolves once a renewal of this step in flight has settled.
   */
  track(job: NodeJob, leaseToken: string, onLost: () => void): () => Promise<void>;
}

export interface EnginePorts {
  readonly store: Store;
  readonly dispatcher: Dispatcher;
  readonly clock: Clock;
  readonly newId: IdGenerator;
  readonly settings: UseCaseSettings;
  readonly handlers: ServiceHandlers;
  readonly leases: LeaseKeeper;
  readonly sweeps: SweepSource;
  readonly schemas: SchemaChecks;
  readonly events: EventSink;
}
