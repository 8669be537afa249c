/**
 * The shape of every response body (API.md), as zod schemas with an example each. The OpenAPI
 * document is generated from them; the compile-time checks at the bottom hold each schema to the
 * DTO type the services return, and the integration tests validate real answers against the
 * document, so the documented responses cannot drift from what is sent.
 */

import { z } from 'zod';
import { definitionSchema, INSTANCE_STATUSES, NODE_TYPES, TRIGGER_TYPES, URGENCY_LEVELS, type NodeInput } from '@wf/engine';
import type {
  DefinitionDto,
  HistoryItemDto,
  InstanceDetailDto,
  InstanceDto,
  NodeExecutionDto,
  Page,
  TaskDecisionDto,
  TaskDto,
  WorkflowAnalyticsDto,
} from '@wf/runtime';

const id = z.guid();
const timestamp = z.iso.datetime();
const jsonObject = z.record(z.string(), z.unknown());
/** Counts, hours and percentages are JSON numbers, never strings. */
const count = z.int().min(0);

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
};

const nodeExecutionResponse = z
  .object({
    id,
    nodeId: z.string(),
    nodeType: z.enum(NODE_TYPES),
    name: z.string(),
    status: z.string().meta({ description: '`ready`, `running`, `waiting`, `completed`, `failed`, `skipped` or `cancelled`' }),
    assignedUserId: z.string().nullable(),
    assignedRole: z.string().nullable(),
    decision: z.string().nullable().meta({ description: '`approved`, `rejected` or `completed` once decided' }),
    comments: z.string().nullable(),
    attempts: count,
    error: z.unknown().meta({ description: '`{ code, message, details }` of a failed execution, else `null`' }),
    slaDeadline: timestamp.nullable(),
    startedAt: timestamp.nullable(),
    completedAt: timestamp.nullable(),
  })
  .meta({ description: 'One execution of a node, in execution order', examples: [nodeExecutionExample] });

export const instanceDetailResponse = z
  .object({ ...instanceFields, nodes: z.array(nodeExecutionResponse) })
  .meta({ description: 'An instance with its node executions', examples: [{ ...instanceExample, nodes: [nodeExecutionExample] }] });

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

const taskExample: TaskDto = {
  taskId: EXAMPLE_TASK_ID,
  instanceId: EXAMPLE_INSTANCE_ID,
  workflowName: 'Purchase Order Approval',
  taskName: 'Manager Approval',
  nodeType: 'approval',
  urgencyLevel: 'NORMAL',
  hoursRemaining: 23.5,
  isOverdue: false,
  slaDeadline: EXAMPLE_DEADLINE,
  assignedUserId: null,
  assignedRole: 'manager',
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
    nodeType: z.enum(NODE_TYPES),
    urgencyLevel: z.enum(URGENCY_LEVELS),
    hoursRemaining: z.number().nullable().meta({ description: 'hours to the deadline, two decimals, negative when overdue' }),
    isOverdue: z.boolean(),
    slaDeadline: timestamp.nullable(),
    assignedUserId: z.string().nullable(),
    assignedRole: z.string().nullable(),
    contextEntityType: z.string().nullable(),
    contextEntityId: z.string().nullable(),
    contextData: jsonObject,
    createdAt: timestamp,
  })
  .meta({ description: 'A waiting task', examples: [taskExample] });

const decisionExample: TaskDecisionDto = { taskId: EXAMPLE_TASK_ID, instanceId: EXAMPLE_INSTANCE_ID, status: 'completed', decision: 'approved' };

export const taskDecisionResponse = z
  .object({
    taskId: id,
    instanceId: id,
    status: z.literal('completed'),
    decision: z.enum(['approved', 'rejected']).optional().meta({ description: 'absent for a completed user task' }),
  })
  .meta({ description: 'The decision taken; the instance moves on asynchronously', examples: [decisionExample] });

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
    error: z.object({
      code: z.string().regex(/^[A-Z][A-Z0-9_]*$/).meta({ description: 'stable SNAKE_CASE code to program against' }),
      message: z.string().meta({ description: 'for people' }),
      details: z.unknown().meta({ description: '`null`, or structure: `[{ path, message }]` for a 400, `{ limitBytes }` for PAYLOAD_TOO_LARGE, …' }),
    }),
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
  Describes<typeof historyItemResponse, HistoryItemDto>,
  Describes<typeof taskResponse, TaskDto>,
  Describes<typeof taskDecisionResponse, TaskDecisionDto>,
  Describes<typeof workflowAnalyticsResponse, WorkflowAnalyticsDto>,
  Describes<typeof definitionPageResponse, Page<DefinitionDto>>,
  Describes<typeof instancePageResponse, Page<InstanceDto>>,
  Describes<typeof taskPageResponse, Page<TaskDto>>,
] = [true, true, true, true, true, true, true, true, true, true, true];
void describesTheDtos;
