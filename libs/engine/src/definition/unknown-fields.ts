/**
 * Fields a definition body may not carry: keys no schema knows (`"slaHour": 3`, which would
 * otherwise be kept and ignored, leaving the node on the default deadline), and node fields that
 * belong to another node type (`approverRole` on a service_task). Checked on the raw body, before
 * zod strips or keeps anything, and only when a definition is saved.
 */
import { unknownNameMessage } from './closest-name';
import {
  cronTriggerSchema,
  definitionEnvelopeSchema,
  eventTriggerSchema,
  NODE_COMMON_FIELDS,
  NODE_FIELDS,
  routeSchema,
} from './definition.schema';
import { NODE_TYPES, type NodeType } from './definition.types';

export interface FieldProblem {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/**
 * What a `GET /api/definitions/:id` answer carries besides the definition itself. They are
 * ignored, not refused, so a definition read back can be posted as its next version.
 */
const DEFINITION_READ_ONLY_FIELDS: ReadonlySet<string> = new Set([
  'id',
  'version',
  'isActive',
  'createdBy',
  'createdAt',
  'updatedAt',
]);

const DEFINITION_FIELDS = Object.keys(definitionEnvelopeSchema.shape);
const ROUTE_FIELDS = Object.keys(routeSchema.shape);
const TRIGGER_FIELDS: ReadonlyMap<string, readonly string[]> = new Map([
  ['cron', Object.keys(cronTriggerSchema.shape)],
  ['event', Object.keys(eventTriggerSchema.shape)],
]);

/** The node types each node field applies to, in `NODE_TYPES` order. */
const NODE_TYPES_BY_FIELD = new Map<string, NodeType[]>();
for (const nodeType of NODE_TYPES) {
  for (const field of NODE_FIELDS[nodeType]) {
    NODE_TYPES_BY_FIELD.set(field, [...(NODE_TYPES_BY_FIELD.get(field) ?? []), nodeType]);
  }
}
const ANY_NODE_FIELDS = [...NODE_COMMON_FIELDS, ...NODE_TYPES_BY_FIELD.keys()];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNodeType(value: unknown): value is NodeType {
  return (NODE_TYPES as readonly unknown[]).includes(value);
}

function unknownKeys(
  value: unknown,
  known: readonly string[],
  path: readonly (string | number)[],
  problems: FieldProblem[],
): void {
  if (!isRecord(value)) return;
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) problems.push({ path: [...path, key], message: unknownNameMessage('field', key, known) });
  }
}

function nodeFieldProblems(node: unknown, path: readonly (string | number)[], problems: FieldProblem[]): void {
  if (!isRecord(node)) return;
  // a node whose type is itself wrong is checked against every node field, so typos still show
  if (!isNodeType(node.nodeType)) {
    unknownKeys(node, ANY_NODE_FIELDS, path, problems);
    return;
  }
  const nodeType = node.nodeType;
  const allowed: readonly string[] = [...NODE_COMMON_FIELDS, ...NODE_FIELDS[nodeType]];
  for (const key of Object.keys(node)) {
    if (allowed.includes(key)) continue;
    const owners = NODE_TYPES_BY_FIELD.get(key);
    const message = owners
      ? `field "${key}" does not apply to a ${nodeType} node (only to ${owners.join(', ')})`
      : unknownNameMessage('field', key, allowed);
    problems.push({ path: [...path, key], message });
  }
  if (nodeType === 'gateway' && node.gatewayType === 'parallel' && node.conditionExpression !== undefined) {
    problems.push({
      path: [...path, 'conditionExpression'],
      message: 'field "conditionExpression" does not apply to a parallel gateway, which takes every route',
    });
  }
}

/** Every unknown or misplaced field in a raw definition body, each with its path. */
export function unknownFieldProblems(raw: unknown): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (!isRecord(raw)) return problems;
  for (const key of Object.keys(raw)) {
    if (DEFINITION_FIELDS.includes(key) || DEFINITION_READ_ONLY_FIELDS.has(key)) continue;
    problems.push({ path: [key], message: unknownNameMessage('field', key, DEFINITION_FIELDS) });
  }
  if (Array.isArray(raw.nodes)) raw.nodes.forEach((node: unknown, i) => nodeFieldProblems(node, ['nodes', i], problems));
  if (Array.isArray(raw.routes)) {
    raw.routes.forEach((route: unknown, i) => unknownKeys(route, ROUTE_FIELDS, ['routes', i], problems));
  }
  if (Array.isArray(raw.triggers)) {
    raw.triggers.forEach((trigger: unknown, i) => {
      // a trigger of unknown type is refused by its schema already
      const known = isRecord(trigger) && typeof trigger.type === 'string' ? TRIGGER_FIELDS.get(trigger.type) : undefined;
      if (known) unknownKeys(trigger, known, ['triggers', i], problems);
    });
  }
  return problems;
}
