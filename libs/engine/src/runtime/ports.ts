/** The ports the use cases are written against; libs/db and libs/queue implement them. */

import type { CompiledDefinition } from '../definition/definition.types';
import type { CompiledNode } from '../definition/definition.types';
import type { Actor, ExecutionState, InstanceState, JsonObject, NodeJob, Plan, SlaCheck } from './model';
import type { OpenExecution } from './plan-builder';
import type { ServiceHandlers } from './service-handler';

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
  /** The actor started the instance, or holds or held a task in it. */
  participates(instanceId: string, actor: Actor): Promise<boolean>;
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

/** Starts a sub-workflow's child instance inside the parent's step transaction. */
export interface ChildStarter {
  start(
    tx: StoreTx,
    request: { parent: InstanceState; execution: ExecutionState; node: CompiledNode },
    now: Date,
  ): Promise<{ instanceId: string; enqueue: readonly NodeJob[] }>;
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
  readonly settings: EngineSettings;
  readonly handlers: ServiceHandlers;
  readonly children: ChildStarter;
  readonly leases: LeaseKeeper;
}
