/**
 * What the HTTP API calls. Inputs are already shape-validated by the API's zod schemas; services
 * enforce visibility, permissions and state, throwing the engine's typed errors
 * (NotFoundError, ForbiddenError, ConflictError, UnprocessableError, ValidationError).
 */

import type { SavedViewPage } from '@wf/db';
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
  /** separation-of-duties defaults of every task node */
  notStarter: boolean;
  distinctDeciders: boolean;
  /** holders may reassign any task of the definition (besides admins) */
  managerRole: string | null;
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
  /** time left out of the SLA while the instance waited for its requester (clock-stop): its slaDeadline moved by as much */
  slaPausedHours: number;
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
  /** what a waiting execution waits for, and until when; null when it does not wait */
  wait: WaitDto | null;
  /** a task whose forecast finish passed its deadline (AT_RISK); null: not at risk */
  atRiskAt: string | null;
}

/** A waiting timer's or receive node's wait, as the instance detail shows it. */
export interface WaitDto {
  waitingFor: 'task' | 'join' | 'child' | 'timer' | 'message';
  /** the next time-based event: a timer's due time, a reminder, a ladder level, a timeout, the deadline */
  wakeAt: string | null;
  /** a timer: when it fires */
  dueAt: string | null;
  messageName: string | null;
  correlationKey: string | null;
  /** POST here to resume it without a bearer token (single-use; rotate to replace) */
  callbackUrl: string | null;
}

export interface InstanceDetailDto extends InstanceDto {
  /** an open task of the instance is AT_RISK: forecast to finish after its deadline */
  atRisk: boolean;
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
  /** the business key */
  contextEntityType?: string;
  contextEntityId?: string;
  startedBy?: string;
  /** time ranges: from inclusive, to exclusive */
  startedFrom?: Date;
  startedTo?: Date;
  completedFrom?: Date;
  completedTo?: Date;
}

export interface InstancesService {
  /** the instance's comment thread, oldest first */
  comments(actor: Actor, id: string): Promise<{ items: CommentDto[] }>;
  comment(actor: Actor, id: string, body: { text: string }): Promise<CommentDto>;
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
  nodeId: string;
  nodeType: NodeType;
  urgencyLevel: UrgencyLevel;
  hoursRemaining: number | null;
  isOverdue: boolean;
  slaDeadline: string | null;
  assignedUserId: string | null;
  assignedRole: string | null;
  /** a quorum's voters, when given by list or expression */
  candidateUsers: string[];
  claimedAt: string | null;
  startedBy: string;
  /** when its forecast finish was found to pass its deadline (urgency AT_RISK); null: not at risk, or no forecast */
  atRiskAt: string | null;
  /** in your queue as deputy of this absent user; null: your own */
  onBehalfOf: string | null;
  contextEntityType: string | null;
  contextEntityId: string | null;
  contextData: JsonObject;
  createdAt: string;
}

export interface VoteDto {
  userId: string;
  onBehalfOf: string | null;
  decision: 'approved' | 'rejected';
  comments: string | null;
  at: string;
}

/** One task as `GET /api/tasks/:id` shows it, waiting or decided. */
export interface TaskDetailDto {
  taskId: string;
  instanceId: string;
  workflowName: string;
  workflowVersion: number;
  taskName: string;
  nodeId: string;
  nodeType: NodeType;
  status: string;
  instanceStatus: InstanceStatus;
  startedBy: string;
  assignedUserId: string | null;
  assignedRole: string | null;
  candidateUsers: string[];
  escalationRole: string | null;
  escalatedAt: string | null;
  claimedAt: string | null;
  slaDeadline: string | null;
  urgencyLevel: UrgencyLevel | null;
  hoursRemaining: number | null;
  isOverdue: boolean;
  decision: 'approved' | 'rejected' | 'completed' | 'returned' | null;
  decidedBy: string | null;
  onBehalfOf: string | null;
  comments: string | null;
  /** the reviewer's request, on a task sent back for revision */
  revision: { round: number; fromNodeId: string; by: string; comments: string; at: string } | null;
  quorum: {
    required: number;
    approvals: number;
    rejections: number;
    electorate: number | null;
    rejectPolicy: 'any' | 'quorum';
    votes: VoteDto[];
  } | null;
  separationOfDuties: { notStarter: boolean; notDeciderOf: string[]; distinctDeciders: boolean };
  returnTo: string | null;
  rounds: { used: number; max: number } | null;
  /**
   * when the task is forecast to finish (the 75th percentile of its node's recent durations), and
   * whether that passes its deadline; `available: false` with too little history, saying so
   */
  forecast: { available: true; finishAt: string; atRisk: boolean; atRiskAt: string | null; model: string } | { available: false; reason: string };
  /** the actions you may take now */
  allowedActions: TaskAction[];
  /** you would act for this absent user, as deputy */
  actingFor: string | null;
  contextEntityType: string | null;
  contextEntityId: string | null;
  contextData: JsonObject;
  formSchema: Record<string, unknown> | null;
  createdAt: string | null;
  completedAt: string | null;
}

export interface TaskDecisionDto {
  taskId: string;
  instanceId: string;
  status: 'completed' | 'waiting';
  decision?: 'approved' | 'rejected' | 'returned';
  /** a quorum vote that did not yet decide: where the vote stands */
  vote?: { decision: 'approved' | 'rejected'; approvals: number; rejections: number; required: number; outcome: 'approved' | 'rejected' | null };
}

export type TaskAction = 'approve' | 'reject' | 'delegate' | 'complete' | 'return' | 'claim' | 'release' | 'reassign';

/** Actions a bulk request may take on each of its tasks. */
export const BULK_TASK_ACTIONS = ['approve', 'reject', 'claim', 'release'] as const;
export type BulkTaskAction = (typeof BULK_TASK_ACTIONS)[number];

/** One task of a bulk request: what acting on it alone gave (the API maps `error` as it would have answered it). */
export type BulkTaskOutcome =
  | { taskId: string; ok: true; result: TaskDecisionDto | TaskDto }
  | { taskId: string; ok: false; error: unknown };

/** Your queue, narrowed by urgency or by the task's instance (its workflow, its business key). */
export interface MyTaskFilterDto {
  urgencyLevel?: UrgencyLevel;
  workflowName?: string;
  contextEntityType?: string;
  contextEntityId?: string;
}

export interface OpenTaskFilterDto extends MyTaskFilterDto {
  nodeId?: string;
  role?: string;
  assignee?: string;
  overdue?: boolean;
  olderThanHours?: number;
}

export interface TasksService {
  /**
   * Throws what acting on the task would throw before its body is read (404, 403, 409), so the
   * API can answer in the contract's order when the body itself is invalid (400 comes last).
   */
  check(actor: Actor, taskId: string, action: TaskAction): Promise<void>;
  mine(actor: Actor, filter: MyTaskFilterDto, page: ListOptions): Promise<Page<TaskDto>>;
  /** every open task of the tenant (admin) */
  open(actor: Actor, filter: OpenTaskFilterDto, page: ListOptions): Promise<Page<TaskDto>>;
  get(actor: Actor, taskId: string): Promise<TaskDetailDto>;
  approve(actor: Actor, taskId: string, body: { comments?: string }): Promise<TaskDecisionDto>;
  reject(actor: Actor, taskId: string, body: { comments?: string }): Promise<TaskDecisionDto>;
  delegate(actor: Actor, taskId: string, body: { toUserId: string; comments?: string }): Promise<TaskDto>;
  complete(actor: Actor, taskId: string, body: { data: JsonObject }): Promise<TaskDecisionDto>;
  /** send back for revision to the node's returnTo */
  return(actor: Actor, taskId: string, body: { comments: string }): Promise<TaskDecisionDto>;
  claim(actor: Actor, taskId: string, body: { comments?: string }): Promise<TaskDto>;
  release(actor: Actor, taskId: string, body: { comments?: string }): Promise<TaskDto>;
  reassign(actor: Actor, taskId: string, body: { toUserId?: string; toRole?: string; comments?: string }): Promise<TaskDto>;
  /** an admin moves a waiting task's deadline by hand, with a reason (recorded) */
  moveDeadline(actor: Actor, taskId: string, body: { slaDeadline: Date; reason: string }): Promise<TaskDetailDto>;
  /** each task on its own: its own transaction, its own checks, its own outcome */
  bulk(actor: Actor, body: { action: BulkTaskAction; taskIds: string[]; comments?: string }): Promise<{ results: BulkTaskOutcome[] }>;
}

export interface CommentDto {
  id: string;
  instanceId: string;
  authorUserId: string;
  text: string;
  createdAt: string;
}

export interface DeputyDto {
  id: string;
  userId: string;
  deputyUserId: string;
  startsAt: string;
  endsAt: string;
  workflows: string[] | null;
  roles: string[] | null;
  createdBy: string;
  createdAt: string;
  active: boolean;
}

export interface DeputyInput {
  /** the absent user; default the caller (another user's window needs admin) */
  userId?: string;
  deputyUserId: string;
  startsAt: Date;
  endsAt: Date;
  workflows?: string[];
  roles?: string[];
}

export interface MessageDto {
  status: 'delivered' | 'buffered' | 'unmatched';
  /** the same messageId was sent before: nothing changed, this is what the first did */
  duplicate: boolean;
  messageId: string | null;
  /** waiting executions resumed (in their own jobs, moments later) */
  resumed: number;
  instanceIds: string[];
  /** a buffered message: until when a receiver that comes later can take it */
  expiresAt: string | null;
}

export interface MessageInputDto {
  name: string;
  correlationKey: string;
  data?: JsonObject;
  messageId?: string;
  timeToLiveMs?: number;
}

export interface MessagesService {
  send(actor: Actor, input: MessageInputDto): Promise<MessageDto>;
  /** a callback URL's POST: its token is the credential */
  callback(token: string, data: JsonObject): Promise<{ accepted: true; instanceId: string; executionId: string }>;
  /** a new callback URL for a waiting receive execution (the old one stops working) */
  rotateCallback(actor: Actor, instanceId: string, executionId: string): Promise<{ callbackUrl: string }>;
  /** the callback URL of a waiting receive execution at its current nonce */
  callbackUrlOf(tenantId: string, executionId: string, nonce: string): string;
}

export interface CalendarDto {
  name: string;
  version: number;
  definition: Record<string, unknown>;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface CalendarsService {
  /** create or replace (admin); a replacement recounts the open deadlines that count in it */
  put(actor: Actor, body: unknown, name?: string): Promise<{ calendar: CalendarDto; created: boolean; recounted: number }>;
  list(actor: Actor): Promise<{ items: CalendarDto[] }>;
  get(actor: Actor, name: string): Promise<CalendarDto>;
}

export { SAVED_VIEW_PAGES, type SavedViewPage } from '@wf/db';

/** Saved views a user keeps per page; one more is `409 VIEW_LIMIT_REACHED`. */
export const MAX_SAVED_VIEWS_PER_PAGE = 50;
/** A view's filters as serialised JSON (`JSON.stringify`), in bytes. */
export const MAX_SAVED_VIEW_FILTER_BYTES = 4096;
/** A view's name, after trimming. */
export const MAX_SAVED_VIEW_NAME_LENGTH = 80;

/** What one filter of a saved view may be: the web app's filter fields are all of these. */
export type SavedViewFilterValue = string | number | boolean | string[];

export interface SavedViewDto {
  id: string;
  page: SavedViewPage;
  name: string;
  filters: Record<string, SavedViewFilterValue>;
  /** the view's place among the user's views of its page, lowest first */
  position: number;
  createdAt: string;
  updatedAt: string;
}

export interface SavedViewInput {
  /** required when the view is created; kept as it was when left out of an update or a rename */
  filters?: Record<string, SavedViewFilterValue>;
  /** another name than the path's: the view at the path is renamed to it */
  name?: string;
  /** default: after the user's other views of the page (created), as it was (updated) */
  position?: number;
}

export interface ViewsService {
  /** the caller's own views, of one page or of every page, by page, position and name */
  list(actor: Actor, page?: SavedViewPage): Promise<{ items: SavedViewDto[] }>;
  /** create the caller's view of this name, replace it, or rename it (`input.name`) */
  put(actor: Actor, page: SavedViewPage, name: string, input: SavedViewInput): Promise<{ view: SavedViewDto; created: boolean }>;
  /** 404 when the caller has no view of this name on the page */
  remove(actor: Actor, page: SavedViewPage, name: string): Promise<void>;
}

export interface DeputiesService {
  declare(actor: Actor, input: DeputyInput): Promise<DeputyDto>;
  /** yours (as absent user or as deputy); every window of the tenant for an admin */
  list(actor: Actor): Promise<{ items: DeputyDto[] }>;
  /** by whoever declared it, the absent user, or an admin */
  remove(actor: Actor, id: string): Promise<void>;
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

/** One definition version's figures (`GET /api/analytics/workflows` with a window or `detail=true`). */
export interface VersionAnalyticsDto {
  version: number;
  definitionId: string;
  totalInstances: number;
  completedInstances: number;
  slaCompliancePercentage: number | null;
  p50CompletionHours: number | null;
  p90CompletionHours: number | null;
  slaBreaches: number;
}

/** One node's figures: how often it ran, how long it took, breaches, at-risk marks. */
export interface NodeAnalyticsDto {
  nodeId: string;
  nodeType: string;
  executions: number;
  p50Hours: number | null;
  p90Hours: number | null;
  avgHours: number | null;
  slaBreaches: number;
  atRisk: number;
  /** executions waiting now */
  open: number;
}

export interface WorkflowDetailAnalyticsDto extends WorkflowAnalyticsDto {
  /** tasks marked at risk, of the window's instances */
  atRiskTasks: number;
  versions: VersionAnalyticsDto[];
  nodes: NodeAnalyticsDto[];
  /** the node where instances wait longest (highest average duration); null when none ran */
  slowestNode: { nodeId: string; avgHours: number } | null;
}

export interface AnalyticsQuery {
  /** instances started from (inclusive) and until (exclusive) */
  from?: Date;
  to?: Date;
  /** per-version and per-node figures without a window */
  detail?: boolean;
}

export interface AnalyticsService {
  /** without a window or detail: the totals of the guide's v_workflow_analytics; else the detail figures too */
  workflows(actor: Actor, query?: AnalyticsQuery): Promise<{ items: (WorkflowAnalyticsDto | WorkflowDetailAnalyticsDto)[]; from?: string | null; to?: string | null }>;
}

export interface AppServices {
  analytics: AnalyticsService;
  definitions: DefinitionsService;
  events: EventsService;
  instances: InstancesService;
  tasks: TasksService;
  deputies: DeputiesService;
  messages: MessagesService;
  calendars: CalendarsService;
  views: ViewsService;
  health: HealthService;
}
