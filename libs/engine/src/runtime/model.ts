/** The state the engine reasons over, and the plans it returns for adapters to carry out. */

import type { NodeType } from '../definition/definition.types';

export const INSTANCE_STATUSES = ['running', 'completed', 'rejected', 'failed', 'cancelled'] as const;
export type InstanceStatus = (typeof INSTANCE_STATUSES)[number];

export const EXECUTION_STATUSES = ['ready', 'running', 'waiting', 'completed', 'failed', 'skipped', 'cancelled'] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];
/** Statuses that keep an instance alive. */
export const OPEN_EXECUTION_STATUSES: readonly ExecutionStatus[] = ['ready', 'running', 'waiting'];

export function isOpenStatus(status: ExecutionStatus): boolean {
  return OPEN_EXECUTION_STATUSES.includes(status);
}

export const TRIGGER_TYPES = ['manual', 'event', 'cron', 'sub_workflow'] as const;
export type TriggerType = (typeof TRIGGER_TYPES)[number];

export type Decision = 'approved' | 'rejected' | 'completed';

/** A person (a task), the other branches (a join), or a child instance (a sub-workflow). */
export type WaitingFor = 'task' | 'join' | 'child';

export type JsonObject = Record<string, unknown>;

/** Who acts: from the verified token, or a system principal such as `system:scheduler`. */
export interface Actor {
  readonly tenantId: string;
  readonly userId: string;
  readonly roles: readonly string[];
}

export interface InstanceState {
  readonly id: string;
  readonly tenantId: string;
  readonly definitionId: string;
  readonly status: InstanceStatus;
  readonly contextData: JsonObject;
  readonly startedBy: string;
  readonly triggerType: TriggerType;
  readonly parentInstanceId: string | null;
  /** the parent's sub_workflow execution this instance reports back to */
  readonly parentNodeExecutionId: string | null;
  readonly depth: number;
  readonly openExecutions: number;
  readonly stepCount: number;
  readonly lastHistoryHash: string | null;
  readonly slaDeadline: Date | null;
  readonly startedAt: Date;
}

/** The mutable columns of a node execution, written back whole by a patch. */
export interface ExecutionFields {
  readonly status: ExecutionStatus;
  /** bumped by an operator's retry so the re-run's job id is new */
  readonly generation: number;
  /** what a `waiting` execution waits for */
  readonly waitingFor: WaitingFor | null;
  /** I/O steps: who holds the step and until when */
  readonly leaseToken: string | null;
  readonly leaseExpiresAt: Date | null;
  readonly assignedUserId: string | null;
  readonly assignedRole: string | null;
  readonly escalationRole: string | null;
  readonly previousAssignees: readonly string[];
  readonly decision: Decision | null;
  readonly decidedBy: string | null;
  readonly comments: string | null;
  readonly output: JsonObject | null;
  readonly error: JsonObject | null;
  readonly attempts: number;
  readonly slaDeadline: Date | null;
  readonly escalatedAt: Date | null;
  /** when the task passed its deadline (recorded whether or not escalation is on) */
  readonly slaBreachedAt: Date | null;
  /**
   * the open status an execution had when another branch's failure closed it (and the instance);
   * an operator's retry brings it back
   */
  readonly closedByFailureFrom: 'ready' | 'running' | 'waiting' | null;
  readonly startedAt: Date | null;
  readonly completedAt: Date | null;
}

/** The mutable columns of an execution that has just become ready. */
export const READY_EXECUTION_FIELDS: ExecutionFields = Object.freeze({
  status: 'ready',
  generation: 0,
  waitingFor: null,
  leaseToken: null,
  leaseExpiresAt: null,
  assignedUserId: null,
  assignedRole: null,
  escalationRole: null,
  previousAssignees: [],
  decision: null,
  decidedBy: null,
  comments: null,
  output: null,
  error: null,
  attempts: 0,
  slaDeadline: null,
  escalatedAt: null,
  slaBreachedAt: null,
  closedByFailureFrom: null,
  startedAt: null,
  completedAt: null,
});

export interface ExecutionState extends ExecutionFields {
  readonly id: string;
  readonly instanceId: string;
  readonly nodeId: string;
  readonly nodeType: NodeType;
}

export interface NewExecution {
  readonly id: string;
  readonly nodeId: string;
  readonly nodeType: NodeType;
  readonly nodeName: string;
  /** `waiting` only for a join that waits for other branches */
  readonly status: 'ready' | 'waiting';
  readonly waitingFor: WaitingFor | null;
  readonly readyAt: Date;
}

export interface ExecutionPatch extends ExecutionFields {
  readonly id: string;
}

export interface InstancePatch {
  readonly id: string;
  readonly status: InstanceStatus;
  readonly contextData: JsonObject;
  readonly completedAt: Date | null;
  /** change to open_executions */
  readonly openDelta: number;
  /** change to step_count */
  readonly stepDelta: number;
}

export const HISTORY_EVENT_TYPES = [
  'instance_started',
  'node_started',
  'node_completed',
  'task_created',
  'task_approved',
  'task_rejected',
  'task_delegated',
  'task_completed',
  'sla_breached',
  'task_escalated',
  'node_failed',
  'step_attempt_failed',
  'instance_completed',
  'instance_rejected',
  'instance_failed',
  'instance_cancelled',
  'instance_retried',
  /** the retention purge removed the rows before this one (the chain continues from their head) */
  'history_purged',
] as const;
export type HistoryEventType = (typeof HISTORY_EVENT_TYPES)[number];

export interface HistoryEvent {
  readonly eventType: HistoryEventType;
  readonly nodeExecutionId: string | null;
  readonly actorUserId: string | null;
  readonly details: JsonObject;
}

/** An instance as the API shows it: what a start returns and an operator action answers with. */
export interface InstanceSummary {
  readonly id: string;
  readonly status: InstanceStatus;
  readonly definitionId: string;
  readonly workflowName: string;
  readonly workflowVersion: number;
  readonly contextEntityType: string | null;
  readonly contextEntityId: string | null;
  readonly contextData: JsonObject;
  readonly triggerType: TriggerType;
  readonly startedBy: string;
  readonly parentInstanceId: string | null;
  readonly slaDeadline: Date | null;
  readonly startedAt: Date;
  readonly completedAt: Date | null;
  /** why it was cancelled, when an operator gave a reason (or its parent was cancelled) */
  readonly cancelReason: string | null;
}

/** A stored instance as read: its summary and the head of its history chain. */
export interface InstanceView extends InstanceSummary {
  /** the hash of the newest history row, as the step that wrote it recorded it */
  readonly lastHistoryHash: string | null;
}

interface NodeJobFields {
  readonly tenantId: string;
  readonly instanceId: string;
  readonly executionId: string;
  readonly generation: number;
}

/** A node execution that is ready to run, at this generation: the wake-up call sent after commit. */
export interface RunJob extends NodeJobFields {
  readonly kind: 'run';
}

/** A child instance ended: wake the parent's waiting sub_workflow execution, whatever its generation. */
export interface ResumeJob extends NodeJobFields {
  readonly kind: 'resume';
}

/** What the queue carries; each kind has its handler (`executeNode` dispatches on `kind`). */
export type NodeJob = RunJob | ResumeJob;

/** A task deadline to check when it passes (a delayed job; the scheduler's sweep is the safety net). */
export interface SlaCheck {
  readonly tenantId: string;
  readonly instanceId: string;
  readonly executionId: string;
  readonly dueAt: Date;
}

/** Everything one transaction writes for a step, a decision or a start. */
export interface Plan {
  readonly instance: InstancePatch;
  readonly executionPatches: readonly ExecutionPatch[];
  readonly newExecutions: readonly NewExecution[];
  /** close every other open execution of the instance (rejection, failure, cancel) */
  readonly cancelOtherOpenExecutions: boolean;
  readonly history: readonly HistoryEvent[];
  /** enqueue after commit */
  readonly enqueue: readonly NodeJob[];
  /** deadlines to watch, scheduled after commit */
  readonly slaChecks: readonly SlaCheck[];
  /** the moment the plan was made: timestamps of its rows */
  readonly now: Date;
}
