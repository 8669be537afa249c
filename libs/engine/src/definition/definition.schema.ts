/**
 * The shape of a raw definition body. This is only the first gate: `compileDefinition` runs these
 * schemas and then checks what a schema cannot (the graph, the expressions, fields by node type).
 */
import { z } from 'zod';
import { NODE_TYPES, type NodeType } from './definition.types';

const jsonObject = z.record(z.string(), z.unknown());

/**
 * A light shape check: 5 or 6 fields of digits, `* / , -`, and names (MON, JAN) in the month
 * and weekday fields. The scheduler's cron library is the real parser.
 */
function isCronShape(cron: string): boolean {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5 && fields.length !== 6) return false;
  const namedFrom = fields.length - 2; // month and day of week are the last two fields
  return fields.every((field, index) =>
    index >= namedFrom ? /^[0-9A-Za-z*/,-]+$/.test(field) : /^[0-9*/,-]+$/.test(field),
  );
}

function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

export const cronTriggerSchema = z.object({
  type: z.literal('cron'),
  cron: z.string().refine(isCronShape, {
    error: 'cron needs 5 or 6 fields of digits, "*", "/", ",", "-" (names such as MON or JAN in the last two)',
  }),
  timezone: z.string().refine(isTimeZone, { error: 'unknown time zone' }).optional(),
  contextData: jsonObject.default({}),
});

export const eventTriggerSchema = z.object({
  type: z.literal('event'),
  eventType: z.string().min(1, { error: 'eventType must not be empty' }),
});

const triggerSchema = z.discriminatedUnion('type', [cronTriggerSchema, eventTriggerSchema]);

const userIdList = z.array(z.string().min(1, { error: 'a user id must not be empty' }).max(200)).min(1).max(100);

/** `voters`: one of a role, a list of users, a CEL expression giving user ids; default the node's approverRole. */
const quorumSchema = z.strictObject({
  voters: z
    .union([
      z.strictObject({ role: z.string().min(1) }),
      z.strictObject({ users: userIdList }),
      z.strictObject({ expression: z.string().min(1) }),
    ], { error: 'voters is one of { "role": … }, { "users": [ … ] }, { "expression": "…" }' })
    .optional(),
  required: z.union([z.number().int().min(1).max(100), z.enum(['all', 'majority'])], {
    error: 'required is a number of approvals, "all" or "majority"',
  }),
  rejectPolicy: z.enum(['any', 'quorum']).default('any'),
});

/** An ISO-8601 duration (`PT2H`, `P3D`); checked in full by the compiler. */
const isoDuration = z.string().regex(/^P/, { error: 'must be an ISO-8601 duration such as PT2H or P3D' });

const reminderSchema = z.strictObject({
  after: isoDuration,
  every: isoDuration.optional(),
  times: z.number().int().min(1).max(100).optional(),
});

const escalationLevelSchema = z.strictObject({
  after: isoDuration,
  toRole: z.string().min(1).max(200),
  notify: z.boolean().default(false),
});

const timeoutSchema = z.strictObject({ after: isoDuration });

/** Mail the holders when the task is created or escalated, with links to approve or reject. */
const notifySchema = z.strictObject({
  email: z.boolean().default(true),
  /** who is mailed besides the users the task is assigned to (a role's task has none of its own) */
  users: z.array(z.string().min(1).max(200)).max(50).optional(),
});

const NODE_ID_PATTERN = /^[A-Za-z0-9_.-]{1,100}$/;

/**
 * A node: common fields, the optional fields of every type, and any extra keys kept as written.
 * Which fields apply to which type is `NODE_FIELDS`; `compileDefinition` refuses the others when
 * strict (at save), and keeps them as written when not (a stored definition loaded again).
 */
export const nodeSchema = z.looseObject({
  id: z.string().regex(NODE_ID_PATTERN, { error: 'node id must be 1 to 100 letters, digits, "_", "." or "-"' }),
  nodeType: z.enum(NODE_TYPES),
  name: z.string().min(1, { error: 'name must not be empty' }).max(200),
  join: z.boolean().optional(),
  slaHours: z.number().positive().optional(),
  escalationRole: z.string().optional(),
  approverRole: z.string().optional(),
  approverUserId: z.string().optional(),
  assigneeRole: z.string().optional(),
  assigneeUserId: z.string().optional(),
  formSchema: jsonObject.optional(),
  serviceType: z.string().optional(),
  serviceConfig: jsonObject.optional(),
  gatewayType: z.enum(['exclusive', 'parallel']).optional(),
  conditionExpression: z.string().optional(),
  subWorkflowName: z.string().optional(),
  subWorkflowDefinitionId: z.guid().optional(),
  outputMapping: z.record(z.string(), z.string()).optional(),
  notStarter: z.boolean().optional(),
  notDeciderOf: z.array(z.string()).max(50).optional(),
  distinctDeciders: z.boolean().optional(),
  managerRole: z.string().min(1).optional(),
  returnTo: z.string().optional(),
  maxRounds: z.number().int().min(1).max(100).optional(),
  approverExpression: z.string().optional(),
  assigneeExpression: z.string().optional(),
  quorum: quorumSchema.optional(),
  notify: notifySchema.optional(),
  // timers on waits
  reminders: z.array(reminderSchema).max(10).optional(),
  timeout: timeoutSchema.optional(),
  escalations: z.array(escalationLevelSchema).max(10).optional(),
  calendar: z.string().min(1).max(100).optional(),
  pausesSla: z.boolean().optional(),
  // timer
  duration: isoDuration.optional(),
  until: z.string().optional(),
  cron: z.string().refine(isCronShape, { error: 'cron needs 5 or 6 fields of digits, "*", "/", ",", "-" (names such as MON or JAN in the last two)' }).optional(),
  timezone: z.string().refine(isTimeZone, { error: 'unknown time zone' }).optional(),
  businessTime: z.boolean().optional(),
  // receive
  messageName: z.string().min(1).max(200).optional(),
  correlationKey: z.string().optional(),
});

/** Fields every node may carry. */
export const NODE_COMMON_FIELDS = ['id', 'nodeType', 'name', 'join'] as const;

/** Separation of duties, reassignment and send-back: approvals and user tasks. */
const TASK_NODE_FIELDS = [
  'notStarter', 'notDeciderOf', 'distinctDeciders', 'managerRole', 'returnTo', 'maxRounds', 'notify',
  'reminders', 'timeout', 'escalations', 'calendar',
] as const;

/** The fields that apply to each node type, besides `NODE_COMMON_FIELDS`. */
export const NODE_FIELDS: Readonly<Record<NodeType, readonly (keyof NodeBody)[]>> = Object.freeze({
  approval: ['approverRole', 'approverUserId', 'approverExpression', 'quorum', 'slaHours', 'escalationRole', ...TASK_NODE_FIELDS],
  user_task: ['assigneeRole', 'assigneeUserId', 'assigneeExpression', 'formSchema', 'slaHours', 'escalationRole', 'pausesSla', ...TASK_NODE_FIELDS],
  service_task: ['serviceType', 'serviceConfig'],
  gateway: ['gatewayType', 'conditionExpression'],
  sub_workflow: ['subWorkflowName', 'subWorkflowDefinitionId', 'outputMapping'],
  timer: ['duration', 'until', 'cron', 'timezone', 'businessTime', 'calendar'],
  receive: ['messageName', 'correlationKey', 'outputMapping', 'pausesSla', 'reminders', 'timeout', 'calendar'],
});

export const routeSchema = z.object({
  fromNodeId: z.string(),
  toNodeId: z.string(),
  condition: z.string().optional(),
});

const definitionFields = {
  name: z.string().min(1, { error: 'name must not be empty' }).max(200),
  description: z.string().nullable().optional(),
  category: z.string().nullable().optional(),
  startNodeId: z.string().optional(),
  slaHours: z.number().positive().nullable().optional(),
  escalationEnabled: z.boolean().default(false),
  escalationRole: z.string().nullable().optional(),
  triggers: z.array(triggerSchema).default([]),
  /** JSON Schema of the context; conditions are type-checked against it at save */
  contextSchema: jsonObject.nullable().optional(),
  /** separation-of-duties defaults for every approval and user task */
  notStarter: z.boolean().optional(),
  distinctDeciders: z.boolean().optional(),
  managerRole: z.string().min(1).nullable().optional(),
  /** the business calendar every node counts in unless it names its own */
  calendar: z.string().min(1).max(100).nullable().optional(),
};

const nodeList = <T extends z.ZodType>(item: T) =>
  z.array(item).min(1, { error: 'a definition needs at least one node' });

/** The whole raw body, nodes and routes included. */
export const definitionSchema = z.object({
  ...definitionFields,
  nodes: nodeList(nodeSchema),
  routes: z.array(routeSchema),
});

/**
 * The body with nodes and routes left unchecked, so `compileDefinition` can check each node and
 * route on its own and go on to check the graph around a broken one.
 */
export const definitionEnvelopeSchema = z.object({
  ...definitionFields,
  nodes: nodeList(z.unknown()),
  routes: z.array(z.unknown()),
});

export type NodeBody = z.output<typeof nodeSchema>;
export type RouteBody = z.output<typeof routeSchema>;
