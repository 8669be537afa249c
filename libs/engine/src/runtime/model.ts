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

/** `returned`: sent back for revision to an earlier user task (the node's `returnTo`). */
export type Decision = 'approved' | 'rejected' | 'completed' | 'returned';

/** One voter's vote on a quorum approval, kept on the execution (and in the history). */
export interface Vote {
  readonly userId: string;
  /** the absent user a deputy voted for */
  readonly onBehalfOf: string | null;
  readonly decision: 'approved' | 'rejected';
  readonly comments: string | null;
  /** ISO-8601 */
  readonly at: string;
}

/** A person (a task), the other branches (a join), a child instance (a sub-workflow), a time (a timer), a message (a receive node). */
export type WaitingFor = 'task' | 'join' | 'child' | 'timer' | 'message';

/** What the timers of a wait have done so far (each fires once: these are their marks). */
export interface WaitMarks {
  /** reminders sent, per reminder of the node (by index) */
  readonly reminders: readonly number[];
  /** escalation ladder levels reached */
  readonly ladder: number;
  /** an admin moved the deadline by hand: a calendar change does not count it again */
  readonly deadlineByHand?: boolean;
}

export const NO_WAIT_MARKS: WaitMarks = Object.freeze({ reminders: Object.freeze([]) as readonly number[], ladder: 0 });

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
  /** users who hold the task besides its assignment: the voters of a quorum given by list or expression */
  readonly candidateUsers: readonly string[];
  /** users separation of duties excludes from deciding, as known when the task was created */
  readonly excludedUsers: readonly string[];
  /** when someone claimed the role task (release gives it back to the role) */
  readonly claimedAt: Date | null;
  /** a quorum's votes so far */
  readonly votes: readonly Vote[];
  readonly decision: Decision | null;
  readonly decidedBy: string | null;
  /** the absent user a deputy decided for */
  readonly onBehalfOf: string | null;
  /** the time this wait lasts is left out of the instance SLA (a rework round, a receive node marked `pausesSla`) */
  readonly pausesSla: boolean;
  /** a task's forecast finish (`forecastFinish`), from the history of its node when it was created; null: too little history */
  readonly forecastFinishAt: Date | null;
  /** when the forecast was found to pass the deadline (AT_RISK, recorded once as `sla_at_risk`) */
  readonly atRiskAt: Date | null;
  /** the next time-based event of a wait (a timer's due time, a reminder, a ladder level, a timeout, the deadline) */
  readonly wakeAt: Date | null;
  readonly waitMarks: WaitMarks;
  /** a receive node: the message it waits for, the key it was correlated with, its callback's nonce */
  readonly messageName: string | null;
  readonly correlationKey: string | null;
  readonly callbackNonce: string | null;
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
  candidateUsers: [],
  excludedUsers: [],
  claimedAt: null,
  votes: [],
  decision: null,
  decidedBy: null,
  onBehalfOf: null,
  pausesSla: false,
  forecastFinishAt: null,
  atRiskAt: null,
  wakeAt: null,
  waitMarks: NO_WAIT_MARKS,
  messageName: null,
  correlationKey: null,
  callbackNonce: null,
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
  /** what the new execution starts with: a task sent back for revision carries the reviewer's words */
  readonly comments?: string | null;
  readonly output?: JsonObject | null;
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
  /**
   * time spent waiting for the requester, now over (clock-stop): added to the instance's paused
   * time, and its SLA deadline moves by as much
   */
  readonly slaPausedMsDelta: number;
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
  /** one vote on a quorum approval */
  'task_voted',
  /** sent back for revision to the node's `returnTo` */
  'task_returned',
  'task_claimed',
  'task_released',
  'task_reassigned',
  /** a decision separation of duties refused (the attempt is on record; nothing else changed) */
  'decision_refused',
  /** a comment on the instance's thread */
  'comment_added',
  /** a timer node began to wait, and fired */
  'timer_started',
  'timer_fired',
  /** a receive node began to wait for its message, and received it */
  'message_awaited',
  'message_received',
  /** a reminder of a waiting task or receive node */
  'task_reminder',
  /** a wait left by its timeout */
  'wait_timed_out',
  'callback_rotated',
  /** a deadline moved: a calendar changed, or an admin moved it by hand */
  'deadline_changed',
  /** the instance SLA's clock stopped while the instance waits for the requester, and went on */
  'sla_paused',
  'sla_resumed',
  /** a task's forecast finish passes its deadline */
  'sla_at_risk',
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
  /** time left out of the instance SLA (clock-stop), in milliseconds */
  readonly slaPausedMs: number;
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
