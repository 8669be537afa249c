/**
 * The shape of every response body (API.md), as zod schemas with an example each. The OpenAPI
 * document is generated from them; the compile-time checks at the bottom hold each schema to the
 * DTO type the services return, and the integration tests validate real answers against the
 * document, so the documented responses cannot drift from what is sent.
 */

import { z } from 'zod';
import { definitionSchema, INSTANCE_STATUSES, NODE_TYPES, TRIGGER_TYPES, URGENCY_LEVELS, type NodeInput } from '@wf/engine';
import {
  BULK_TASK_ACTIONS,
  type BulkTaskAction,
  type BulkTaskOutcome,
  type CalendarDto,
  type CalendarsService,
  type CommentDto,
  type DefinitionDto,
  type DeputyDto,
  type HistoryItemDto,
  type InstanceDetailDto,
  type InstanceDto,
  type MessageDto,
  type MessagesService,
  type NodeExecutionDto,
  type SavedViewDto,
  SAVED_VIEW_PAGES,
  type Page,
  type TaskAction,
  type TaskDecisionDto,
  type TaskDetailDto,
  type TaskDto,
  type VoteDto,
  type WaitDto,
  type WorkflowAnalyticsDto,
} from '@wf/runtime';

const id = z.guid();
const timestamp = z.iso.datetime();
const jsonObject = z.record(z.string(), z.unknown());
/** Counts, hours and percentages are JSON numbers, never strings. */
const count = z.int().min(0);

/** `{ code, message, details }`: every error answer's `error`, and a failed task's in a bulk answer. */
const errorObject = z.object({
  code: z.string().regex(/^[A-Z][A-Z0-9_]*$/).meta({ description: 'stable SNAKE_CASE code to program against' }),
  message: z.string().meta({ description: 'for people' }),
  details: z.unknown().meta({ description: '`null`, or structure: `[{ path, message }]` for a 400, `{ limitBytes }` for PAYLOAD_TOO_LARGE, …' }),
});

const EXAMPLE_TIME = '2026-03-02T09:30:00.000Z';
const EXAMPLE_DEADLINE = '2026-03-03T09:30:00.000Z';
const EXAMPLE_DEFINITION_ID = '5f0c8d9e-2b1a-4c3d-8e7f-6a5b4c3d2e1f';
const EXAMPLE_INSTANCE_ID = '7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const EXAMPLE_TASK_ID = '9c8b7a6d-5e4f-4d3c-9b2a-1f0e9d8c7b6a';
/** An opaque cursor as a page hands it out (base64url). */
const EXAMPLE_CURSOR = 'eyJsIjoiaW5zdGFuY2VzIiwiayI6WyIyMDI2LTAzLTAyVDA5OjMwOjAwLjEyMzQ1NloiLCI3YTFiMmMzZC00ZTVmLTRhNmItOGM3ZC05ZTBmMWEyYjNjNGQiXX0';

// ---- definitions

/** Stored as the client wrote them; the engine's node schema checked them at creation. */
const storedNodes = z.array(definitionSchema.shape.nodes.element) as unknown as z.ZodType<NodeInput[]>;

const definitionExample: DefinitionDto = {
  id: EXAMPLE_DEFINITION_ID,
  name: 'Purchase Order Approval',
  version: 1,
  isActive: true,
  category: 'approval',
  description: 'Multi-level PO approval workflow',
  startNodeId: 'manager_approval',
  nodes: [{ id: 'manager_approval', nodeType: 'approval', name: 'Manager Approval', approverRole: 'manager', slaHours: 24 }],
  routes: [],
  triggers: [],
  slaHours: 72,
  escalationEnabled: true,
  escalationRole: null,
  contextSchema: { type: 'object', properties: { amount: { type: 'number' } }, required: ['amount'] },
  notStarter: true,
  distinctDeciders: false,
  managerRole: 'procurement_lead',
  createdBy: 'alice',
  createdAt: EXAMPLE_TIME,
  updatedAt: EXAMPLE_TIME,
};

export const definitionResponse = z
  .object({
    id,
    name: z.string(),
    version: z.int().min(1),
    isActive: z.boolean(),
    category: z.string().nullable(),
    description: z.string().nullable(),
    startNodeId: z.string(),
    nodes: storedNodes,
    routes: definitionSchema.shape.routes,
    triggers: z.array(definitionSchema.shape.triggers.unwrap().element),
    slaHours: z.number().nullable(),
    escalationEnabled: z.boolean(),
    escalationRole: z.string().nullable(),
    contextSchema: z.record(z.string(), z.unknown()).nullable().meta({ description: 'JSON Schema every start context must match; null when the definition has none' }),
    notStarter: z.boolean().meta({ description: 'separation-of-duties default of every task node: the starter may not decide' }),
    distinctDeciders: z.boolean().meta({ description: 'separation-of-duties default of every task node: each task of an instance needs a different decider' }),
    managerRole: z.string().nullable().meta({ description: 'holders may reassign any task of the definition (besides admins); a node\'s own `managerRole` comes first' }),
    createdBy: z.string(),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ description: 'A version of a workflow definition', examples: [definitionExample] });

// ---- instances

const instanceExample: InstanceDto = {
  id: EXAMPLE_INSTANCE_ID,
  status: 'running',
  workflowDefinitionId: EXAMPLE_DEFINITION_ID,
  workflowName: 'Purchase Order Approval',
  workflowVersion: 1,
  contextEntityType: 'purchase_order',
  contextEntityId: 'PO-1001',
  contextData: { amount: 15000 },
  triggerType: 'manual',
  startedBy: 'alice',
  parentInstanceId: null,
  slaDeadline: '2026-03-05T09:30:00.000Z',
  startedAt: EXAMPLE_TIME,
  completedAt: null,
  cancelReason: null,
  slaPausedHours: 0,
};

const instanceFields = {
  id,
  status: z.enum(INSTANCE_STATUSES),
  workflowDefinitionId: id,
  workflowName: z.string(),
  workflowVersion: z.int().min(1),
  contextEntityType: z.string().nullable(),
  contextEntityId: z.string().nullable(),
  contextData: jsonObject,
  triggerType: z.enum(TRIGGER_TYPES),
  startedBy: z.string().meta({ description: 'user id of the starter; `system:scheduler` for cron-started instances' }),
  parentInstanceId: id.nullable(),
  slaDeadline: timestamp.nullable().meta({ description: '`null` when the definition has no `slaHours`' }),
  startedAt: timestamp,
  completedAt: timestamp.nullable(),
  cancelReason: z.string().nullable().meta({ description: 'the reason given with the cancel, or why a child was cancelled with its parent' }),
  slaPausedHours: z.number().min(0).meta({ description: 'hours left out of the SLA while the instance waited on a node that `pausesSla` (clock-stop), two decimals: `slaDeadline` moved by as much' }),
};

export const instanceResponse = z.object(instanceFields).meta({ description: 'A workflow instance', examples: [instanceExample] });

const nodeExecutionExample: NodeExecutionDto = {
  id: EXAMPLE_TASK_ID,
  nodeId: 'manager_approval',
  nodeType: 'approval',
  name: 'Manager Approval',
  status: 'waiting',
  assignedUserId: null,
  assignedRole: 'manager',
  decision: null,
  comments: null,
  attempts: 0,
  error: null,
  slaDeadline: EXAMPLE_DEADLINE,
  startedAt: EXAMPLE_TIME,
  completedAt: null,
  wait: { waitingFor: 'task', wakeAt: EXAMPLE_DEADLINE, dueAt: null, messageName: null, correlationKey: null, callbackUrl: null },
  atRiskAt: null,
};

const waitResponse = z
  .object({
    waitingFor: z.enum(['task', 'join', 'child', 'timer', 'message']),
    wakeAt: timestamp.nullable().meta({ description: 'the next time-based event: a timer\'s due time, a reminder, a ladder level, a timeout, the deadline' }),
    dueAt: timestamp.nullable().meta({ description: 'a timer: when it fires' }),
    messageName: z.string().nullable(),
    correlationKey: z.string().nullable(),
    callbackUrl: z.string().nullable().meta({ description: 'a waiting receive node: POST here to resume it without a bearer token (single-use)' }),
  })
  .meta({ description: 'What a waiting execution waits for' });

const nodeExecutionResponse = z
  .object({
    id,
    nodeId: z.string(),
    nodeType: z.enum(NODE_TYPES),
    name: z.string(),
    status: z.string().meta({ description: '`ready`, `running`, `waiting`, `completed`, `failed`, `skipped` or `cancelled`' }),
    assignedUserId: z.string().nullable(),
    assignedRole: z.string().nullable(),
    decision: z.string().nullable().meta({ description: '`approved`, `rejected`, `completed` or `returned` once decided' }),
    comments: z.string().nullable(),
    attempts: count,
    error: z.unknown().meta({ description: '`{ code, message, details }` of a failed execution, else `null`' }),
    slaDeadline: timestamp.nullable(),
    startedAt: timestamp.nullable(),
    completedAt: timestamp.nullable(),
    wait: waitResponse.nullable(),
    atRiskAt: timestamp.nullable().meta({ description: 'a task forecast to finish after its deadline (AT_RISK) since then; null: not at risk' }),
  })
  .meta({ description: 'One execution of a node, in execution order', examples: [nodeExecutionExample] });

/** A receive node waiting for its message, with the callback URL that also resumes it. */
const receiveExecutionExample: NodeExecutionDto = {
  ...nodeExecutionExample,
  id: '4e3d2c1b-0a9f-4e8d-8c7b-6a5f4e3d2c1b',
  nodeId: 'payment',
  nodeType: 'receive',
  name: 'Payment confirmed',
  assignedRole: null,
  slaDeadline: null,
  wait: {
    waitingFor: 'message',
    wakeAt: '2026-03-04T09:30:00.000Z',
    dueAt: null,
    messageName: 'payment_confirmed',
    correlationKey: 'PO-1001',
    callbackUrl: 'https://workflow.example.com/api/callbacks/c1.0a000000-0000-4000-8000-00000000000a.4e3d2c1b-0a9f-4e8d-8c7b-6a5f4e3d2c1b.1f0e9d8c-7b6a-4f5e-8d4c-3b2a1f0e9d8c.S2V5ZWRIYXNoT2ZUaGVUb2tlbkJvZHlBbmRLZXk',
  },
};

export const instanceDetailResponse = z
  .object({
    ...instanceFields,
    atRisk: z.boolean().meta({ description: 'an open task of the instance is AT_RISK (forecast to finish after its deadline)' }),
    nodes: z.array(nodeExecutionResponse),
  })
  .meta({ description: 'An instance with its node executions', examples: [{ ...instanceExample, atRisk: false, nodes: [nodeExecutionExample, receiveExecutionExample] }] });

const historyExample: HistoryItemDto = {
  id: '3e2d1c0b-9a8f-4e7d-8c6b-5a4f3e2d1c0b',
  eventType: 'instance_started',
  nodeExecutionId: null,
  actorUserId: 'alice',
  details: { workflowName: 'Purchase Order Approval', version: 1 },
  createdAt: EXAMPLE_TIME,
};

const historyItemResponse = z
  .object({
    id,
    eventType: z.string().meta({ description: '`instance_started`, `node_started`, `node_completed`, `task_created`, `task_approved`, …' }),
    nodeExecutionId: id.nullable(),
    actorUserId: z.string().nullable(),
    details: z.unknown(),
    createdAt: timestamp,
  })
  .meta({ description: 'One entry of the audit trail', examples: [historyExample] });

export const historyResponse = z
  .object({ items: z.array(historyItemResponse) })
  .meta({ description: 'The audit trail, oldest first', examples: [{ items: [historyExample] }] });

export const historyVerificationResponse = z
  .object({
    valid: z.boolean(),
    checked: count,
    brokenAt: id.nullable().meta({ description: 'the first history row whose hash does not match, else `null`' }),
  })
  .meta({ examples: [{ valid: true, checked: 7, brokenAt: null }] });

// ---- tasks

/** Every action on a task, as `allowedActions` lists them. */
const TASK_ACTIONS = ['approve', 'reject', 'delegate', 'complete', 'return', 'claim', 'release', 'reassign'] as const satisfies readonly TaskAction[];
const decidedAs = z.enum(['approved', 'rejected']);

const taskExample: TaskDto = {
  taskId: EXAMPLE_TASK_ID,
  instanceId: EXAMPLE_INSTANCE_ID,
  workflowName: 'Purchase Order Approval',
  taskName: 'Manager Approval',
  nodeId: 'manager_approval',
  nodeType: 'approval',
  urgencyLevel: 'NORMAL',
  hoursRemaining: 23.5,
  isOverdue: false,
  slaDeadline: EXAMPLE_DEADLINE,
  assignedUserId: null,
  assignedRole: 'manager',
  candidateUsers: [],
  claimedAt: null,
  startedBy: 'alice',
  atRiskAt: null,
  onBehalfOf: null,
  contextEntityType: 'purchase_order',
  contextEntityId: 'PO-1001',
  contextData: { amount: 15000 },
  createdAt: EXAMPLE_TIME,
};

export const taskResponse = z
  .object({
    taskId: id,
    instanceId: id,
    workflowName: z.string(),
    taskName: z.string(),
    nodeId: z.string(),
    nodeType: z.enum(NODE_TYPES),
    urgencyLevel: z.enum(URGENCY_LEVELS),
    hoursRemaining: z.number().nullable().meta({ description: 'hours to the deadline, two decimals, negative when overdue' }),
    isOverdue: z.boolean(),
    slaDeadline: timestamp.nullable(),
    assignedUserId: z.string().nullable(),
    assignedRole: z.string().nullable(),
    candidateUsers: z.array(z.string()).meta({ description: 'a quorum\'s voters, when given as a list or an expression; else empty' }),
    claimedAt: timestamp.nullable().meta({ description: 'when the holder claimed this role\'s task; `null` when unclaimed' }),
    startedBy: z.string().meta({ description: 'user id of the instance\'s starter' }),
    atRiskAt: timestamp.nullable().meta({ description: 'when its forecast finish was found to pass its deadline (urgency `AT_RISK`); `null`: not at risk, or no forecast' }),
    onBehalfOf: z.string().nullable().meta({ description: 'in your queue as deputy of this absent user; `null`: your own (always `null` outside `/api/tasks/mine`)' }),
    contextEntityType: z.string().nullable(),
    contextEntityId: z.string().nullable(),
    contextData: jsonObject,
    createdAt: timestamp,
  })
  .meta({ description: 'A waiting task', examples: [taskExample] });

const voteExample: VoteDto = { userId: 'bob', onBehalfOf: null, decision: 'approved', comments: 'within budget', at: EXAMPLE_TIME };

const voteResponse = z.object({
  userId: z.string(),
  onBehalfOf: z.string().nullable().meta({ description: 'the absent user a deputy voted for' }),
  decision: decidedAs,
  comments: z.string().nullable(),
  at: timestamp,
});

const taskDetailExample: TaskDetailDto = {
  taskId: EXAMPLE_TASK_ID,
  instanceId: EXAMPLE_INSTANCE_ID,
  workflowName: 'Purchase Order Approval',
  workflowVersion: 1,
  taskName: 'Board Approval',
  nodeId: 'board_approval',
  nodeType: 'approval',
  status: 'waiting',
  instanceStatus: 'running',
  startedBy: 'alice',
  assignedUserId: null,
  assignedRole: null,
  candidateUsers: ['bob', 'carol', 'dave'],
  escalationRole: null,
  escalatedAt: null,
  claimedAt: null,
  slaDeadline: EXAMPLE_DEADLINE,
  urgencyLevel: 'NORMAL',
  hoursRemaining: 23.5,
  isOverdue: false,
  decision: null,
  decidedBy: null,
  onBehalfOf: null,
  comments: null,
  revision: null,
  quorum: { required: 2, approvals: 1, rejections: 0, electorate: 3, rejectPolicy: 'any', votes: [voteExample] },
  separationOfDuties: { notStarter: true, notDeciderOf: ['manager_approval'], distinctDeciders: false },
  returnTo: null,
  rounds: null,
  forecast: { available: true, finishAt: '2026-03-03T08:00:00.000Z', atRisk: false, atRiskAt: null, model: 'p75 of the last 50 finished executions of the node' },
  allowedActions: ['approve', 'reject'],
  actingFor: null,
  contextEntityType: 'purchase_order',
  contextEntityId: 'PO-1001',
  contextData: { amount: 15000 },
  formSchema: null,
  createdAt: EXAMPLE_TIME,
  completedAt: null,
};

export const taskDetailResponse = z
  .object({
    taskId: id,
    instanceId: id,
    workflowName: z.string(),
    workflowVersion: z.int().min(1),
    taskName: z.string(),
    nodeId: z.string(),
    nodeType: z.enum(NODE_TYPES).meta({ description: '`approval` or `user_task`' }),
    status: z.string().meta({ description: '`waiting` until decided, then `completed`; `cancelled` or `skipped` when the instance moved on without it' }),
    instanceStatus: z.enum(INSTANCE_STATUSES),
    startedBy: z.string(),
    assignedUserId: z.string().nullable(),
    assignedRole: z.string().nullable(),
    candidateUsers: z.array(z.string()).meta({ description: 'a quorum\'s voters, when given as a list or an expression; else empty' }),
    escalationRole: z.string().nullable(),
    escalatedAt: timestamp.nullable(),
    claimedAt: timestamp.nullable(),
    slaDeadline: timestamp.nullable(),
    urgencyLevel: z.enum(URGENCY_LEVELS).nullable().meta({ description: '`null` once the task no longer waits' }),
    hoursRemaining: z.number().nullable().meta({ description: 'hours to the deadline, two decimals, negative when overdue; `null` without a deadline or once decided' }),
    isOverdue: z.boolean(),
    decision: z.enum(['approved', 'rejected', 'completed', 'returned']).nullable(),
    decidedBy: z.string().nullable(),
    onBehalfOf: z.string().nullable().meta({ description: 'the absent user a deputy decided for' }),
    comments: z.string().nullable(),
    revision: z
      .object({ round: z.int().min(1), fromNodeId: z.string(), by: z.string(), comments: z.string(), at: timestamp })
      .nullable()
      .meta({ description: 'the reviewer\'s request, on a task sent back for revision; else `null`' }),
    quorum: z
      .object({
        required: z.int().min(1).meta({ description: 'approvals it takes' }),
        approvals: count,
        rejections: count,
        electorate: count.nullable().meta({ description: 'how many may vote; `null` for a role\'s voters' }),
        rejectPolicy: z.enum(['any', 'quorum']),
        votes: z.array(voteResponse).meta({ description: 'in the order cast' }),
      })
      .nullable()
      .meta({ description: 'where the vote stands, on a quorum approval; else `null`' }),
    separationOfDuties: z.object({ notStarter: z.boolean(), notDeciderOf: z.array(z.string()), distinctDeciders: z.boolean() }),
    returnTo: z.string().nullable().meta({ description: 'the earlier task a `return` sends it back to; `null`: it cannot be returned' }),
    rounds: z
      .object({ used: count, max: z.int().min(1) })
      .nullable()
      .meta({ description: 'send-backs so far and `maxRounds`, when the node has a `returnTo`' }),
    forecast: z
      .discriminatedUnion('available', [
        z.object({
          available: z.literal(true),
          finishAt: timestamp.meta({ description: 'when the task is forecast to finish' }),
          atRisk: z.boolean().meta({ description: 'the forecast finish passes the deadline' }),
          atRiskAt: timestamp.nullable(),
          model: z.string(),
        }),
        z.object({ available: z.literal(false), reason: z.string().meta({ description: 'why there is none: too little history, saying so' }) }),
      ])
      .meta({ description: 'when the task is forecast to finish (the 75th percentile of its node\'s recent durations), and whether that passes its deadline' }),
    allowedActions: z.array(z.enum(TASK_ACTIONS)).meta({ description: 'the actions you may take now' }),
    actingFor: z.string().nullable().meta({ description: 'you would act for this absent user, as deputy' }),
    contextEntityType: z.string().nullable(),
    contextEntityId: z.string().nullable(),
    contextData: jsonObject,
    formSchema: z.record(z.string(), z.unknown()).nullable().meta({ description: 'the JSON Schema `complete` checks `data` against, on a user task' }),
    createdAt: timestamp.nullable(),
    completedAt: timestamp.nullable(),
  })
  .meta({ description: 'One task, waiting or decided, with what you may do with it', examples: [taskDetailExample] });

const decisionExample: TaskDecisionDto = { taskId: EXAMPLE_TASK_ID, instanceId: EXAMPLE_INSTANCE_ID, status: 'completed', decision: 'approved' };
const votedExample: TaskDecisionDto = {
  taskId: EXAMPLE_TASK_ID,
  instanceId: EXAMPLE_INSTANCE_ID,
  status: 'waiting',
  vote: { decision: 'approved', approvals: 1, rejections: 0, required: 2, outcome: null },
};

export const taskDecisionResponse = z
  .object({
    taskId: id,
    instanceId: id,
    status: z.enum(['completed', 'waiting']).meta({ description: '`waiting`: a quorum vote that did not settle the outcome yet' }),
    decision: z.enum(['approved', 'rejected', 'returned']).optional().meta({ description: 'absent for a completed user task and for a vote that did not settle the outcome' }),
    vote: z
      .object({
        decision: decidedAs.meta({ description: 'your vote' }),
        approvals: count,
        rejections: count,
        required: z.int().min(1),
        outcome: decidedAs.nullable().meta({ description: 'what the vote settled; `null` while the vote goes on' }),
      })
      .optional()
      .meta({ description: 'on a quorum approval: where the vote stands after yours' }),
  })
  .meta({ description: 'The decision taken; the instance moves on asynchronously', examples: [decisionExample, votedExample] });

const bulkExample = {
  action: 'approve' as BulkTaskAction,
  succeeded: 1,
  failed: 1,
  results: [
    { taskId: EXAMPLE_TASK_ID, status: 200, ok: true as const, result: decisionExample },
    {
      taskId: '1d2c3b4a-5f6e-4d7c-8b9a-0f1e2d3c4b5a',
      status: 409,
      ok: false as const,
      error: { code: 'TASK_NOT_WAITING', message: 'task 1d2c3b4a-5f6e-4d7c-8b9a-0f1e2d3c4b5a is completed: it can no longer be decided', details: null },
    },
  ],
};

const bulkResult = z.union([taskDecisionResponse, taskResponse]).meta({ description: 'what acting on the task alone answers: the decision (approve, reject), the task (claim, release)' });

export const bulkTaskResponse = z
  .object({
    action: z.enum(BULK_TASK_ACTIONS),
    succeeded: count,
    failed: count,
    results: z
      .array(
        z.discriminatedUnion('ok', [
          z.object({ taskId: id, status: z.literal(200), ok: z.literal(true), result: bulkResult }),
          z.object({
            taskId: id,
            status: z.int().min(400).max(599).meta({ description: 'the status acting on the task alone answers' }),
            ok: z.literal(false),
            error: errorObject,
          }),
        ]),
      )
      .meta({ description: 'one per task named (a repeated id once), in the order named' }),
  })
  .meta({ description: 'Each task acted on by itself: one refusal never takes the others with it', examples: [bulkExample] });

// ---- comments and deputies

const commentExample: CommentDto = {
  id: '2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e',
  instanceId: EXAMPLE_INSTANCE_ID,
  authorUserId: 'bob',
  text: 'Supplier confirmed the discount; approving once finance has seen it.',
  createdAt: EXAMPLE_TIME,
};

export const commentResponse = z
  .object({ id, instanceId: id, authorUserId: z.string(), text: z.string(), createdAt: timestamp })
  .meta({ description: 'A comment on an instance\'s thread (a row of its audit trail)', examples: [commentExample] });

export const commentListResponse = z
  .object({ items: z.array(commentResponse) })
  .meta({ description: 'The instance\'s comment thread, oldest first', examples: [{ items: [commentExample] }] });

const deputyExample: DeputyDto = {
  id: '8d7c6b5a-4f3e-4d2c-8b1a-0f9e8d7c6b5a',
  userId: 'bob',
  deputyUserId: 'carol',
  startsAt: '2026-03-09T00:00:00.000Z',
  endsAt: '2026-03-21T00:00:00.000Z',
  workflows: ['Purchase Order Approval'],
  roles: null,
  createdBy: 'bob',
  createdAt: EXAMPLE_TIME,
  active: false,
};

export const deputyResponse = z
  .object({
    id,
    userId: z.string().meta({ description: 'the absent user' }),
    deputyUserId: z.string().meta({ description: 'who decides the absent user\'s tasks during the window' }),
    startsAt: timestamp,
    endsAt: timestamp,
    workflows: z.array(z.string()).nullable().meta({ description: 'only tasks of these workflow names; `null`: every workflow' }),
    roles: z.array(z.string()).nullable().meta({ description: 'only tasks assigned with these roles; `null`: every role' }),
    createdBy: z.string(),
    createdAt: timestamp,
    active: z.boolean().meta({ description: 'the window is open now' }),
  })
  .meta({ description: 'A deputy window: while it is open the deputy acts on the absent user\'s tasks, on their behalf', examples: [deputyExample] });

export const deputyListResponse = z
  .object({ items: z.array(deputyResponse) })
  .meta({ description: 'Windows you are the absent user or the deputy of (every window of the tenant for an admin), latest start first, at most 500', examples: [{ items: [deputyExample] }] });

// ---- messages, callbacks and calendars

const messageExample: MessageDto = {
  status: 'delivered',
  duplicate: false,
  messageId: 'pay-SO-1001',
  resumed: 1,
  instanceIds: [EXAMPLE_INSTANCE_ID],
  expiresAt: null,
};
const bufferedExample: MessageDto = { status: 'buffered', duplicate: false, messageId: null, resumed: 0, instanceIds: [], expiresAt: '2026-03-02T09:40:00.000Z' };

export const messageResponse = z
  .object({
    status: z.enum(['delivered', 'buffered', 'unmatched']).meta({
      description: '`delivered`: receivers were waiting and resume (in their own jobs, moments later); `buffered`: none waited, kept for `timeToLive` for a receive node that comes later; `unmatched`: none waited and no `timeToLive`: dropped',
    }),
    duplicate: z.boolean().meta({ description: 'a message with this `messageId` came before: nothing changed, the answer is what the first did' }),
    messageId: z.string().nullable(),
    resumed: count.meta({ description: 'waiting executions the message resumes (at most 100)' }),
    instanceIds: z.array(id).meta({ description: 'the instances of the resumed executions (empty on a duplicate)' }),
    expiresAt: timestamp.nullable().meta({ description: 'a buffered message: until when a receiver that comes later can take it' }),
  })
  .meta({ description: 'What a message did', examples: [messageExample, bufferedExample] });

export const callbackResponse = z
  .object({ accepted: z.literal(true), instanceId: id, executionId: id })
  .meta({
    description: 'The callback was taken: the waiting execution resumes with the body as the message data, moments later',
    examples: [{ accepted: true, instanceId: EXAMPLE_INSTANCE_ID, executionId: EXAMPLE_TASK_ID }],
  });

/** `PUBLIC_URL/api/callbacks/` and the token: version, tenant, execution, nonce, signature. */
const EXAMPLE_CALLBACK_URL =
  'https://workflow.example.com/api/callbacks/c1.0a000000-0000-4000-8000-00000000000a.9c8b7a6d-5e4f-4d3c-9b2a-1f0e9d8c7b6a.4e3d2c1b-0a9f-4e8d-8c7b-6a5f4e3d2c1b.S2V5ZWRIYXNoT2ZUaGVUb2tlbkJvZHlBbmRLZXk';

export const callbackRotationResponse = z
  .object({ callbackUrl: z.string().meta({ description: 'the new single-use URL; the old one answers `409 CALLBACK_NOT_WAITING` from now on' }) })
  .meta({ description: 'A new callback URL for a waiting receive execution', examples: [{ callbackUrl: EXAMPLE_CALLBACK_URL }] });

const calendarExample: CalendarDto = {
  name: 'de-office',
  version: 2,
  definition: {
    name: 'de-office',
    timeZone: 'Europe/Berlin',
    workingHours: { mon: [{ start: '09:00', end: '17:00' }], tue: [{ start: '09:00', end: '17:00' }], wed: [{ start: '09:00', end: '12:00' }, { start: '13:00', end: '17:00' }] },
    holidays: { country: 'DE', region: 'BY' },
    closedDates: ['2026-12-24'],
  },
  createdBy: 'alice',
  createdAt: EXAMPLE_TIME,
  updatedAt: '2026-03-05T08:00:00.000Z',
};

const calendarFields = {
  name: z.string(),
  version: z.int().min(1).meta({ description: '1 when created; each replacement adds one' }),
  definition: jsonObject.meta({ description: 'the calendar as checked: `name`, `timeZone`, `workingHours`, and `holidays`, `closedDates` when given' }),
  createdBy: z.string(),
  createdAt: timestamp,
  updatedAt: timestamp,
};

export const calendarResponse = z.object(calendarFields).meta({ description: 'A business calendar: working hours in a time zone, public holidays, closed dates', examples: [calendarExample] });

export const calendarChangeResponse = z
  .object({
    ...calendarFields,
    recountedDeadlines: count.meta({ description: 'open task deadlines and business-time timers counted again in the new version (0 for a new calendar)' }),
  })
  .meta({ description: 'The calendar as saved, and how many open waits its replacement moved', examples: [{ ...calendarExample, recountedDeadlines: 3 }] });

export const calendarListResponse = z
  .object({ items: z.array(calendarResponse) })
  .meta({ description: 'The tenant\'s calendars, by name, at most 1,000', examples: [{ items: [calendarExample] }] });

// ---- saved views

const savedViewExample: SavedViewDto = {
  id: '3e2d1c0b-9a8f-4e7d-8c6b-5a4f3e2d1c0b',
  page: 'inbox',
  name: 'Urgent purchase orders',
  filters: { workflowName: 'Purchase Order Approval', urgencyLevel: ['OVERDUE', 'URGENT'], mineOnly: true, minAmount: 10000 },
  position: 0,
  createdAt: EXAMPLE_TIME,
  updatedAt: '2026-03-05T08:00:00.000Z',
};

export const savedViewResponse = z
  .object({
    id,
    page: z.enum(SAVED_VIEW_PAGES).meta({ description: 'the page of the web app the view filters' }),
    name: z.string().meta({ description: 'unique among your views of the page; 1 to 80 characters' }),
    filters: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.array(z.string())]))
      .meta({ description: 'the filters as saved: strings, numbers, booleans and lists of strings, at most 4 KiB as JSON' }),
    position: z.int().min(0).meta({ description: 'its place among your views of the page, lowest first (then by name)' }),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ description: 'A saved view: your named filters of a page of the web app, yours alone', examples: [savedViewExample] });

export const savedViewListResponse = z
  .object({ items: z.array(savedViewResponse) })
  .meta({ description: 'Your own views (of the page asked for, else of every page), by page, position and name; at most 50 a page', examples: [{ items: [savedViewExample] }] });

// ---- events, analytics, probes

export const eventResponse = z
  .object({ startedInstanceIds: z.array(id) })
  .meta({ description: 'The instances the event started', examples: [{ startedInstanceIds: [EXAMPLE_INSTANCE_ID] }] });

const analyticsExample: WorkflowAnalyticsDto = {
  workflowName: 'Purchase Order Approval',
  totalInstances: 12,
  runningInstances: 2,
  completedInstances: 8,
  rejectedInstances: 1,
  failedInstances: 0,
  cancelledInstances: 1,
  slaCompliancePercentage: 88.89,
  avgCompletionHours: 5.25,
};

const workflowAnalyticsResponse = z
  .object({
    workflowName: z.string(),
    totalInstances: count,
    runningInstances: count,
    completedInstances: count,
    rejectedInstances: count,
    failedInstances: count,
    cancelledInstances: count,
    slaCompliancePercentage: z.number().min(0).max(100).nullable().meta({ description: '`null` when no instance has finished' }),
    avgCompletionHours: z.number().nullable().meta({ description: '`null` when no instance has completed' }),
  })
  .meta({ description: 'Totals of one workflow name, all versions together', examples: [analyticsExample] });

export const analyticsResponse = z
  .object({ items: z.array(workflowAnalyticsResponse) })
  .meta({ description: 'One item per workflow name that has instances, sorted by name', examples: [{ items: [analyticsExample] }] });

export const livenessResponse = z.object({ status: z.literal('ok') }).meta({ examples: [{ status: 'ok' }] });

export const readinessResponse = z
  .object({
    status: z.literal('ready'),
    postgres: z.literal(true),
    redis: z.literal(true).optional().meta({ description: 'present on the Redis queue backend only' }),
    queue: z.object({ backend: z.enum(['redis', 'postgres']), ok: z.literal(true) }).meta({ description: 'the queue backend chosen at start-up (QUEUE_BACKEND), and that it answers' }),
    store: z.enum(['external', 'embedded']).meta({ description: '`embedded`: the PostgreSQL `npm start` runs itself when no DATABASE_URL is set and nothing answers on 127.0.0.1:5432' }),
  })
  .meta({
    examples: [
      { status: 'ready', postgres: true, redis: true, queue: { backend: 'redis', ok: true }, store: 'external' },
      { status: 'ready', postgres: true, queue: { backend: 'postgres', ok: true }, store: 'embedded' },
    ],
  });

// ---- pages

/** `{ items, nextCursor }`: `nextCursor` is `null` on the last page. */
function pageOf<S extends z.ZodType>(item: S, example: z.output<S>) {
  return z
    .object({
      items: z.array(item),
      nextCursor: z.string().nullable().meta({ description: 'pass as `cursor` for the next page; `null` on the last page' }),
    })
    .meta({ description: 'One page of the list', examples: [{ items: [example], nextCursor: EXAMPLE_CURSOR }] });
}

export const definitionPageResponse = pageOf(definitionResponse, definitionExample);
export const instancePageResponse = pageOf(instanceResponse, instanceExample);
export const taskPageResponse = pageOf(taskResponse, taskExample);

// ---- errors

export const errorResponse = z
  .object({
    error: errorObject,
  })
  .meta({
    description: 'Every error answers this shape',
    examples: [{ error: { code: 'NOT_FOUND', message: `Workflow instance ${EXAMPLE_INSTANCE_ID} not found`, details: null } }],
  });

// ---- compile-time: each schema describes exactly the type the services return

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Describes<S extends z.ZodType, T> = Same<z.output<S>, T>;

const describesTheDtos: [
  Describes<typeof definitionResponse, DefinitionDto>,
  Describes<typeof instanceResponse, InstanceDto>,
  Describes<typeof instanceDetailResponse, InstanceDetailDto>,
  Describes<typeof nodeExecutionResponse, NodeExecutionDto>,
  Describes<typeof waitResponse, WaitDto>,
  Describes<typeof historyItemResponse, HistoryItemDto>,
  Describes<typeof taskResponse, TaskDto>,
  Describes<typeof taskDetailResponse, TaskDetailDto>,
  Describes<typeof voteResponse, VoteDto>,
  Describes<typeof taskDecisionResponse, TaskDecisionDto>,
  Describes<typeof bulkResult, Extract<BulkTaskOutcome, { ok: true }>['result']>,
  Describes<typeof bulkTaskResponse.shape.action, BulkTaskAction>,
  Same<(typeof TASK_ACTIONS)[number], TaskAction>,
  Describes<typeof commentResponse, CommentDto>,
  Describes<typeof commentListResponse, { items: CommentDto[] }>,
  Describes<typeof deputyResponse, DeputyDto>,
  Describes<typeof deputyListResponse, { items: DeputyDto[] }>,
  Describes<typeof messageResponse, MessageDto>,
  Describes<typeof callbackResponse, Awaited<ReturnType<MessagesService['callback']>>>,
  Describes<typeof callbackRotationResponse, Awaited<ReturnType<MessagesService['rotateCallback']>>>,
  Describes<typeof calendarResponse, CalendarDto>,
  Describes<typeof calendarChangeResponse, CalendarDto & { recountedDeadlines: number }>,
  Describes<typeof calendarListResponse, Awaited<ReturnType<CalendarsService['list']>>>,
  Describes<typeof savedViewResponse, SavedViewDto>,
  Describes<typeof savedViewListResponse, { items: SavedViewDto[] }>,
  Describes<typeof workflowAnalyticsResponse, WorkflowAnalyticsDto>,
  Describes<typeof definitionPageResponse, Page<DefinitionDto>>,
  Describes<typeof instancePageResponse, Page<InstanceDto>>,
  Describes<typeof taskPageResponse, Page<TaskDto>>,
] = [
  true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true,
  true, true, true, true, true, true, true, true,
];
void describesTheDtos;
