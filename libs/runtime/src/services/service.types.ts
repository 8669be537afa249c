/**
 * What the HTTP API calls. Inputs are already shape-validated by the API's zod schemas; services
 * enforce visibility, permissions and state, throwing the engine's typed errors
 * (NotFoundError, ForbiddenError, ConflictError, UnprocessableError, ValidationError).
 */

import type { Actor, DefinitionInput, InstanceStatus, JsonObject, NodeType, Trigger, TriggerType, UrgencyLevel } from '@wf/engine';

/** What `/readyz` reports: each dependency answers or not, and which store and queue backend run. */
export interface Readiness {
  postgres: boolean;
  /** the queue backend answers */
  queue: boolean;
  queueBackend: 'redis' | 'postgres';
  /** a Postgres given by URL (or found on the default port), or the embedded server */
  store: 'external' | 'embedded';
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface ListOptions {
  /** 1..500, default 100 */
  limit: number;
  /** opaque cursor from a previous page */
  cursor: string | null;
}

export interface DefinitionDto {
  id: string;
  name: string;
  version: number;
  isActive: boolean;
  category: string | null;
  description: string | null;
  startNodeId: string;
  nodes: DefinitionInput['nodes'];
  routes: DefinitionInput['routes'];
  triggers: Trigger[];
  slaHours: number | null;
  escalationEnabled: boolean;
  escalationRole: string | null;
  /** JSON Schema every start context must match (and conditions are type-checked against) */
  contextSchema: Record<string, unknown> | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface DefinitionFilter {
  isActive?: boolean;
  name?: string;
  category?: string;
}

export interface DefinitionsService {
  /** admin only; raw body compiled by the engine: 400 INVALID_DEFINITION with every problem */
  create(actor: Actor, body: unknown): Promise<DefinitionDto>;
  list(actor: Actor, filter: DefinitionFilter, page: ListOptions): Promise<Page<DefinitionDto>>;
  get(actor: Actor, id: string): Promise<DefinitionDto>;
  /** admin only */
  setActive(actor: Actor, id: string, active: boolean): Promise<DefinitionDto>;
}

export interface InstanceDto {
  id: string;
  status: InstanceStatus;
  workflowDefinitionId: string;
  workflowName: string;
  workflowVersion: number;
  contextEntityType: string | null;
  contextEntityId: string | null;
  contextData: JsonObject;
  triggerType: TriggerType;
  startedBy: string;
  parentInstanceId: string | null;
  slaDeadline: string | null;
  startedAt: string;
  completedAt: string | null;
  /** why it was cancelled, when an operator gave a reason (or its parent was cancelled) */
  cancelReason: string | null;
}

export interface NodeExecutionDto {
  id: string;
  nodeId: string;
  nodeType: NodeType;
  name: string;
  status: string;
  assignedUserId: string | null;
  assignedRole: string | null;
  decision: string | null;
  comments: string | null;
  attempts: number;
  error: unknown;
  slaDeadline: string | null;
  startedAt: string | null;
  completedAt: string | null;
}

export interface InstanceDetailDto extends InstanceDto {
  nodes: NodeExecutionDto[];
}

export interface HistoryItemDto {
  id: string;
  eventType: string;
  nodeExecutionId: string | null;
  actorUserId: string | null;
  details: unknown;
  createdAt: string;
}

export interface StartInstanceInput {
  workflowDefinitionId?: string;
  workflowName?: string;
  contextEntityType?: string;
  contextEntityId?: string;
  contextData?: JsonObject;
  idempotencyKey?: string;
}

export interface InstanceFilter {
  status?: InstanceStatus;
  workflowDefinitionId?: string;
  workflowName?: string;
}

export interface InstancesService {
  /** `created` false when an Idempotency-Key matched an earlier start (answer 200, not 201) */
  start(actor: Actor, input: StartInstanceInput): Promise<{ instance: InstanceDto; created: boolean }>;
  list(actor: Actor, filter: InstanceFilter, page: ListOptions): Promise<Page<InstanceDto>>;
  get(actor: Actor, id: string): Promise<InstanceDetailDto>;
  history(actor: Actor, id: string): Promise<{ items: HistoryItemDto[] }>;
  /** recompute the history hash chain: the first altered row, if any */
  verifyHistory(actor: Actor, id: string): Promise<{ valid: boolean; checked: number; brokenAt: string | null }>;
  /** admin or the starter */
  cancel(actor: Actor, id: string, reason?: string): Promise<InstanceDto>;
  /** admin */
  retry(actor: Actor, id: string): Promise<InstanceDto>;
}

export { URGENCY_LEVELS, type UrgencyLevel } from '@wf/engine';

export interface TaskDto {
  taskId: string;
  instanceId: string;
  workflowName: string;
  taskName: string;
  nodeType: NodeType;
  urgencyLevel: UrgencyLevel;
  hoursRemaining: number | null;
  isOverdue: boolean;
  slaDeadline: string | null;
  assignedUserId: string | null;
  assignedRole: string | null;
  contextEntityType: string | null;
  contextEntityId: string | null;
  contextData: JsonObject;
  createdAt: string;
}

export interface TaskDecisionDto {
  taskId: string;
  instanceId: string;
  status: 'completed';
  decision?: 'approved' | 'rejected';
}

export type TaskAction = 'approve' | 'reject' | 'delegate' | 'complete';

export interface TasksService {
  /**
   * Throws what acting on the task would throw before its body is read (404, 403, 409), so the
   * API can answer in the contract's order when the body itself is invalid (400 comes last).
   */
  check(actor: Actor, taskId: string, action: TaskAction): Promise<void>;
  mine(actor: Actor, filter: { urgencyLevel?: UrgencyLevel }, page: ListOptions): Promise<Page<TaskDto>>;
  approve(actor: Actor, taskId: string, body: { comments?: string }): Promise<TaskDecisionDto>;
  reject(actor: Actor, taskId: string, body: { comments?: string }): Promise<TaskDecisionDto>;
  delegate(actor: Actor, taskId: string, body: { toUserId: string; comments?: string }): Promise<TaskDto>;
  complete(actor: Actor, taskId: string, body: { data: JsonObject }): Promise<TaskDecisionDto>;
}

export interface HealthService {
  /** which dependencies answer */
  readiness(): Promise<Readiness>;
}

export interface PublishEventInput {
  eventType: string;
  contextEntityType?: string;
  contextEntityId?: string;
  contextData?: JsonObject;
  /** with it, publishing the same event twice starts nothing new */
  idempotencyKey?: string;
}

export interface EventsService {
  /** Start every active workflow of the caller's tenant that listens for `eventType`. */
  publish(actor: Actor, input: PublishEventInput): Promise<{ startedInstanceIds: string[] }>;
}

export interface WorkflowAnalyticsDto {
  workflowName: string;
  totalInstances: number;
  runningInstances: number;
  completedInstances: number;
  rejectedInstances: number;
  failedInstances: number;
  cancelledInstances: number;
  /** finished instances that met their deadline, %, two decimals; null when none finished */
  slaCompliancePercentage: number | null;
  /** over completed instances, two decimals; null when none completed */
  avgCompletionHours: number | null;
}

export interface AnalyticsService {
  workflows(actor: Actor): Promise<{ items: WorkflowAnalyticsDto[] }>;
}

export interface AppServices {
  analytics: AnalyticsService;
  definitions: DefinitionsService;
  events: EventsService;
  instances: InstancesService;
  tasks: TasksService;
  health: HealthService;
}
