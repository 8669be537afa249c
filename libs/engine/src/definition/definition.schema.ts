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
});

/** Fields every node may carry. */
export const NODE_COMMON_FIELDS = ['id', 'nodeType', 'name', 'join'] as const;

/** The fields that apply to each node type, besides `NODE_COMMON_FIELDS`. */
export const NODE_FIELDS: Readonly<Record<NodeType, readonly (keyof NodeBody)[]>> = Object.freeze({
  approval: ['approverRole', 'approverUserId', 'slaHours', 'escalationRole'],
  user_task: ['assigneeRole', 'assigneeUserId', 'formSchema', 'slaHours', 'escalationRole'],
  service_task: ['serviceType', 'serviceConfig'],
  gateway: ['gatewayType', 'conditionExpression'],
  sub_workflow: ['subWorkflowName', 'subWorkflowDefinitionId', 'outputMapping'],
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
