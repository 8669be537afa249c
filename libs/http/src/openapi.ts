/**
 * The OpenAPI document, generated from the zod schemas that validate the requests (the API's
 * own schemas and the engine's definition schema) and from the response schemas the services'
 * DTOs are held to (response-schemas.ts), so it cannot drift from what is enforced and sent.
 * Served at /api/openapi.json, browsable at /api/docs (Swagger UI from swagger-ui-dist).
 */

import { Router, static as serveStatic } from 'express';
import { getAbsoluteFSPath } from 'swagger-ui-dist';
import { z, type ZodType } from 'zod';
import { calendarSchema, definitionSchema } from '@wf/engine';
import type { TaskAction } from '@wf/runtime';
import {
  analyticsResponse,
  bulkTaskResponse,
  calendarChangeResponse,
  calendarListResponse,
  calendarResponse,
  callbackResponse,
  callbackRotationResponse,
  commentListResponse,
  commentResponse,
  definitionPageResponse,
  definitionResponse,
  deputyListResponse,
  deputyResponse,
  errorResponse,
  eventResponse,
  historyResponse,
  historyVerificationResponse,
  instanceDetailResponse,
  instancePageResponse,
  instanceResponse,
  livenessResponse,
  messageResponse,
  readinessResponse,
  savedViewListResponse,
  savedViewResponse,
  taskDecisionResponse,
  taskDetailResponse,
  taskPageResponse,
  taskResponse,
} from './response-schemas';
import {
  analyticsQuery,
  bulkTaskBody,
  calendarName,
  callbackBody,
  commentBody,
  completeBody,
  deadlineBody,
  decisionBody,
  definitionListQuery,
  delegateBody,
  deputyBody,
  eventBody,
  handOverBody,
  historyQuery,
  idSchema,
  instanceListQuery,
  messageBody,
  openTaskListQuery,
  reassignBody,
  returnBody,
  startInstanceBody,
  startInstanceHeaders,
  taskListQuery,
  cancelBody,
  viewBody,
  viewListQuery,
  viewName,
  viewPage,
} from './schemas';

type JsonSchema = Record<string, unknown>;

/** Named response schemas, each a component the operations refer to. */
const RESPONSE_SCHEMAS = {
  Definition: definitionResponse,
  DefinitionPage: definitionPageResponse,
  Instance: instanceResponse,
  InstanceDetail: instanceDetailResponse,
  InstancePage: instancePageResponse,
  History: historyResponse,
  HistoryVerification: historyVerificationResponse,
  Task: taskResponse,
  TaskPage: taskPageResponse,
  TaskDetail: taskDetailResponse,
  TaskDecision: taskDecisionResponse,
  BulkTaskResult: bulkTaskResponse,
  Comment: commentResponse,
  CommentList: commentListResponse,
  Deputy: deputyResponse,
  DeputyList: deputyListResponse,
  EventResult: eventResponse,
  MessageResult: messageResponse,
  CallbackAccepted: callbackResponse,
  CallbackRotation: callbackRotationResponse,
  Calendar: calendarResponse,
  CalendarChange: calendarChangeResponse,
  CalendarList: calendarListResponse,
  SavedView: savedViewResponse,
  SavedViewList: savedViewListResponse,
  Analytics: analyticsResponse,
  Liveness: livenessResponse,
  Readiness: readinessResponse,
  Error: errorResponse,
} satisfies Record<string, ZodType>;

type ResponseName = keyof typeof RESPONSE_SCHEMAS;

const ref = (name: ResponseName) => ({ $ref: `#/components/schemas/${name}` });

function withoutDialect(schema: JsonSchema): JsonSchema {
  const { $schema: _dialect, $id: _id, ...rest } = schema;
  return rest;
}

/**
 * A query string carries numbers as text: a `string -> number` pipe (`limit`) is documented as the
 * number it must spell, with the bounds the pipe enforces, so a client generated from the document
 * sends only what is accepted.
 */
function documentNumbersInQueryStrings({ zodSchema, jsonSchema }: { zodSchema: unknown; jsonSchema: JsonSchema }): void {
  const def = (zodSchema as { _zod: { def: ZodDef } })._zod.def;
  if (def.type === 'default' && def.innerType !== undefined && isNumberPipe(def.innerType._zod.def)) {
    // zod leaves out an input default that is the transform's output; it is the number documented
    jsonSchema.default = def.defaultValue;
  }
  if (!isNumberPipe(def)) return;
  for (const key of ['type', 'pattern', 'format', 'minLength', 'maxLength']) delete jsonSchema[key];
  Object.assign(jsonSchema, withoutDialect(z.toJSONSchema(def.out as unknown as ZodType) as JsonSchema));
}

interface ZodDef {
  type: string;
  in?: { _zod: { def: ZodDef } };
  out?: { _zod: { def: ZodDef } };
  innerType?: { _zod: { def: ZodDef } };
  defaultValue?: unknown;
}

/** What a pipe starts from, through the pipes (and transforms) it is made of. */
function pipeInput(def: ZodDef): ZodDef {
  let d = def;
  while (d.type === 'pipe' && d.in) d = d.in._zod.def;
  return d;
}

/** Text read as a number (a query parameter); a body's number pipes (`timeToLive`) take what they take. */
const isNumberPipe = (def: ZodDef): boolean => def.type === 'pipe' && def.out?._zod.def.type === 'number' && pipeInput(def).type === 'string';

/** A request schema: what a client may send. */
const requestSchema = (schema: ZodType): JsonSchema =>
  withoutDialect(z.toJSONSchema(schema, { unrepresentable: 'any', io: 'input', override: documentNumbersInQueryStrings }) as JsonSchema);

/**
 * Response schemas: what the API sends. Objects stay open (no `additionalProperties: false`):
 * the contract grows by new fields, and a client must accept them.
 */
function responseComponents(): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(RESPONSE_SCHEMAS) as [string, ZodType][]) schema.register(registry, { id });
  const { schemas } = z.toJSONSchema(registry, {
    io: 'output',
    unrepresentable: 'any',
    uri: (id) => `#/components/schemas/${id}`,
    override: ({ jsonSchema }) => {
      if (jsonSchema.additionalProperties === false) delete jsonSchema.additionalProperties;
    },
  }) as { schemas: Record<string, JsonSchema> };
  return Object.fromEntries(Object.entries(schemas).map(([id, schema]) => [id, withoutDialect(schema)]));
}

/** Query parameters from a zod object schema. */
function queryParams(schema: ZodType): unknown[] {
  const s = requestSchema(schema) as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(s.properties ?? {}).map(([name, prop]) => {
    const { description, ...propSchema } = prop;
    return { name, in: 'query', required: s.required?.includes(name) ?? false, ...(description ? { description } : {}), schema: propSchema };
  });
}

const PAGE_PARAM_DOCS: Record<string, string> = {
  limit: 'page size',
  cursor: 'the previous page\'s `nextCursor`, passed back exactly (anything else is `400 INVALID_CURSOR`)',
};

/** A list's parameters: its filters (described by `docs`) and `limit`/`cursor`, described. */
function listParams(schema: ZodType, docs: Record<string, string> = {}): unknown[] {
  return queryParams(schema).map((p) => {
    const param = p as { name: string; description?: string };
    const description = PAGE_PARAM_DOCS[param.name] ?? docs[param.name];
    return description && !param.description ? { ...param, description } : param;
  });
}

/** What a date or date-time refinement accepts, which JSON Schema shows only as a string. */
const INSTANT = 'an ISO-8601 date (midnight UTC, `2026-12-01`) or date-time with offset (`2026-12-01T09:00:00Z`)';

const INSTANCE_FILTER_DOCS: Record<string, string> = {
  contextEntityType: 'the business key: with `contextEntityId`, the instances about one object',
  contextEntityId: 'the business key\'s id',
  startedBy: 'user id of the starter',
  startedFrom: `started at or after: ${INSTANT}`,
  startedTo: `started before (after \`startedFrom\`): ${INSTANT}`,
  completedFrom: `finished at or after: ${INSTANT}`,
  completedTo: `finished before (after \`completedFrom\`): ${INSTANT}`,
};

const MY_TASK_FILTER_DOCS: Record<string, string> = {
  workflowName: 'tasks of instances of this workflow',
  contextEntityType: 'the business key of the task\'s instance',
  contextEntityId: 'the business key\'s id',
};

const OPEN_TASK_FILTER_DOCS: Record<string, string> = {
  nodeId: 'the task\'s node id in its definition',
  role: 'assigned to this role',
  assignee: 'assigned to this user',
  overdue: 'past their deadline (`true`) or not (`false`)',
  contextEntityType: 'the business key of the task\'s instance',
  contextEntityId: 'the business key\'s id',
  olderThanHours: 'waiting for at least this many hours (fractions allowed)',
};

const CALENDAR_FIELD_DOCS: Record<string, string> = {
  name: 'unique in the tenant; nodes and definitions name it in `calendar`',
  timeZone: 'an IANA time zone, such as `Europe/Berlin`: the working hours are its wall-clock times',
  workingHours: 'per weekday (`mon` … `sun`; a day left out is closed) the working intervals `{ start, end }` as `HH:MM` (`24:00`: midnight at the day\'s end), in order and not overlapping, at most 24 a day; at least one in the week',
  holidays: 'the public holidays of an ISO 3166-1 country (`DE`), optionally of one of its regions (`BY`), as the date-holidays package knows them: closed',
  closedDates: 'further closed days, `YYYY-MM-DD` in the calendar\'s time zone, at most 1,000',
};

const MESSAGE_FIELD_DOCS: Record<string, string> = {
  name: 'the `messageName` receive nodes wait for',
  correlationKey: 'the value of the waiting receive node\'s `correlationKey` expression (a number is matched as its text)',
  data: 'merged into the receiver\'s context (or read by its `outputMapping` as `message.data`)',
  messageId: 'the sender\'s id: the same `messageId` again answers what the first did (`duplicate: true`) and changes nothing',
  timeToLive:
    'how long to keep the message when no receiver waits yet: an ISO-8601 duration (`PT10M`, `P7D`; years and months are `400 INVALID_DURATION`) or a number of seconds, at most 30 days (`P30D`). Absent or 0: not kept (`unmatched`)',
};

/** A request body's schema with descriptions its zod schema does not carry. */
function describedFields(schema: JsonSchema, docs: Record<string, string>): JsonSchema {
  const properties = schema['properties'] as Record<string, JsonSchema> | undefined;
  if (!properties) return schema;
  return {
    ...schema,
    properties: Object.fromEntries(Object.entries(properties).map(([name, prop]) => [name, docs[name] && !prop['description'] ? { ...prop, description: docs[name] } : prop])),
  };
}

const idParam = (name: string) => ({ name, in: 'path', required: true, schema: requestSchema(idSchema) });
const viewPathParams = () => [
  { name: 'page', in: 'path', required: true, description: 'the page of the web app the view filters', schema: requestSchema(viewPage) },
  { name: 'name', in: 'path', required: true, description: 'the view\'s name, URL-encoded; trimmed, 1 to 80 characters', schema: requestSchema(viewName) },
];
const calendarNameParam = () => ({ name: 'name', in: 'path', required: true, schema: requestSchema(calendarName) });
/** Not checked before the lookup: anything that is not a token this engine signed is `404`. */
const callbackTokenParam = () => ({ name: 'token', in: 'path', required: true, description: 'the token at the end of the execution\'s `wait.callbackUrl`', schema: { type: 'string' } });
const idempotencyKeyParam = () => {
  const headers = requestSchema(startInstanceHeaders) as { properties: Record<string, JsonSchema> };
  return {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    description: 'the same key from the same caller answers the original result (200) and starts nothing new',
    schema: headers.properties['Idempotency-Key'],
  };
};
const body = (schema: JsonSchema) => ({ required: true, content: { 'application/json': { schema } } });
/** A `204`: no body. */
const noContent = (description: string) => ({ '204': { description } });
const optionalBody = (schema: JsonSchema) => ({ required: false, content: { 'application/json': { schema } } });

// ---- errors: each operation lists the codes it may answer, each with an example

interface ErrorExample {
  status: number;
  message: string;
  details?: unknown;
  /** the code it is answered with, when the example is of a code documented under another name */
  code?: string;
}

/** The error codes the API answers, with the status each comes with (docs/reference.md, "Errors"). */
const ERRORS = {
  INVALID_JSON: { status: 400, message: 'Request body is not valid JSON', details: { reason: 'Unexpected end of JSON input' } },
  VALIDATION_FAILED: {
    status: 400,
    message: 'Invalid request: limit: must be an integer from 1 to 500',
    details: [{ path: 'limit', message: 'must be an integer from 1 to 500' }],
  },
  UNKNOWN_PARAMETER: {
    code: 'VALIDATION_FAILED',
    status: 400,
    message: 'Invalid request: stauts: unknown field',
    details: [{ path: 'stauts', message: 'unknown field' }],
  },
  INVALID_CALENDAR_NAME: {
    code: 'VALIDATION_FAILED',
    status: 400,
    message: 'Invalid request: name: a calendar name is 1 to 100 letters, digits, "_", "." or "-"',
    details: [{ path: 'name', message: 'a calendar name is 1 to 100 letters, digits, "_", "." or "-"' }],
  },
  INVALID_VIEW_PATH: {
    code: 'VALIDATION_FAILED',
    status: 400,
    message: 'Invalid request: page: must be one of inbox, tasks, instances, incidents',
    details: [{ path: 'page', message: 'must be one of inbox, tasks, instances, incidents' }],
  },
  INVALID_VIEW_FILTERS: {
    code: 'VALIDATION_FAILED',
    status: 400,
    message: 'Invalid request: filters.status: a filter is a string, a number, a boolean or a list of strings',
    details: [{ path: 'filters.status', message: 'a filter is a string, a number, a boolean or a list of strings' }],
  },
  INVALID_ID: { status: 400, message: 'id must be a UUID', details: [{ path: 'id', message: 'must be a UUID' }] },
  INVALID_CURSOR: {
    status: 400,
    message: 'cursor is not valid: not a cursor this API returned; pass a nextCursor exactly as a page returned it',
    details: [{ path: 'cursor', message: 'not a cursor this API returned' }],
  },
  INVALID_DEFINITION: {
    status: 400,
    message: 'the definition has 1 problem',
    details: [{ path: 'routes[0].toNodeId', message: 'unknown node "complete"' }],
  },
  FORM_VALIDATION_FAILED: {
    status: 400,
    message: 'the submitted data does not match the task form',
    details: [{ path: 'data.amount', message: 'must be number' }],
  },
  COMMENTS_REQUIRED: { status: 400, message: 'a return needs comments: say what to revise' },
  INVALID_CALENDAR: {
    status: 400,
    message: 'the calendar has problems',
    details: [{ path: 'workingHours.mon[0].end', message: 'end 08:00 must be after start 09:00 (an interval lies within one day; 24:00 is midnight at its end)' }],
  },
  INVALID_DURATION: { status: 400, message: '"P1M": years and months have no fixed length; write the time as weeks, days or hours (P4W, P30D, PT720H)' },
  REASON_REQUIRED: { status: 400, message: 'moving a deadline needs a reason: it is recorded in the history' },
  DEADLINE_TASK_NOT_WAITING: {
    code: 'TASK_NOT_WAITING',
    status: 409,
    message: 'task 9c8b7a6d-5e4f-4d3c-9b2a-1f0e9d8c7b6a is completed: only a waiting task\'s deadline moves',
  },
  NOT_YOUR_ABSENCE: { status: 400, message: 'only bob or an admin may declare a deputy for bob' },
  DEPUTY_IS_SELF: {
    status: 400,
    message: 'a deputy stands in for someone else: deputyUserId is the absent user',
    details: { problems: [{ path: 'deputyUserId', message: 'a deputy stands in for someone else: deputyUserId is the absent user' }] },
  },
  DEPUTY_WINDOW_INVERTED: {
    status: 400,
    message: 'endsAt (2026-03-09T00:00:00.000Z) must be after startsAt (2026-03-21T00:00:00.000Z)',
    details: { problems: [{ path: 'endsAt', message: 'endsAt (2026-03-09T00:00:00.000Z) must be after startsAt (2026-03-21T00:00:00.000Z)' }] },
  },
  DEPUTY_WINDOW_PAST: {
    status: 400,
    message: 'the window ended at 2026-01-31T00:00:00.000Z, before now',
    details: { problems: [{ path: 'endsAt', message: 'the window ended at 2026-01-31T00:00:00.000Z, before now' }] },
  },
  DEPUTY_WINDOW_TOO_LONG: {
    status: 400,
    message: 'a window is at most 366 days',
    details: { problems: [{ path: 'endsAt', message: 'a window is at most 366 days' }] },
  },
  DEPUTY_WINDOW_OVERLAP: {
    status: 400,
    message: 'bob already has a deputy (carol) from 2026-03-09T00:00:00.000Z to 2026-03-21T00:00:00.000Z: windows of one user may not overlap',
    details: { problems: [{ path: 'startsAt', message: 'overlaps an existing window' }], overlapsWindowId: '8d7c6b5a-4f3e-4d2c-8b1a-0f9e8d7c6b5a' },
  },
  UNAUTHENTICATED: { status: 401, message: 'Missing bearer token' },
  INVALID_TOKEN: { status: 401, message: 'Invalid token' },
  TOKEN_EXPIRED: { status: 401, message: 'Token expired' },
  TOKEN_EXPIRY_REQUIRED: { status: 401, message: 'Token has no expiry: tokens must carry an "exp" claim' },
  ADMIN_REQUIRED: { status: 403, message: 'only an admin may create workflow definitions' },
  NOT_ALLOWED: { status: 403, message: 'only an admin or the starter may cancel an instance' },
  NOT_TASK_ASSIGNEE: { status: 403, message: 'task 9c8b7a6d-5e4f-4d3c-9b2a-1f0e9d8c7b6a is not assigned to you' },
  NOT_TASK_MANAGER: { status: 403, message: 'task 9c8b7a6d-5e4f-4d3c-9b2a-1f0e9d8c7b6a can be reassigned by an admin or a holder of its managerRole' },
  SEPARATION_OF_DUTIES: {
    status: 403,
    message: 'alice started this instance and may not decide its "manager_approval" task (notStarter)',
    details: { rule: 'notStarter', userId: 'alice', taskId: '9c8b7a6d-5e4f-4d3c-9b2a-1f0e9d8c7b6a', nodeId: 'manager_approval' },
  },
  NOT_FOUND: { status: 404, message: 'Workflow instance 7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d not found' },
  VIEW_NOT_FOUND: { code: 'NOT_FOUND', status: 404, message: 'Saved view inbox/Urgent purchase orders not found' },
  CALLBACK_NOT_FOUND: { code: 'NOT_FOUND', status: 404, message: 'Callback not found' },
  TASK_NOT_WAITING: { status: 409, message: 'task 9c8b7a6d-5e4f-4d3c-9b2a-1f0e9d8c7b6a is completed: it can no longer be decided' },
  WRONG_TASK_ACTION: { status: 409, message: 'task 9c8b7a6d-5e4f-4d3c-9b2a-1f0e9d8c7b6a is an approval: approve or reject it instead' },
  NOT_A_TASK: { status: 409, message: 'node execution 9c8b7a6d-5e4f-4d3c-9b2a-1f0e9d8c7b6a is a sub_workflow, not a task' },
  ALREADY_VOTED: { status: 409, message: 'bob already voted on task 9c8b7a6d-5e4f-4d3c-9b2a-1f0e9d8c7b6a: each voter votes once' },
  NOT_FOR_QUORUM: { status: 409, message: 'task 9c8b7a6d-5e4f-4d3c-9b2a-1f0e9d8c7b6a is a quorum vote: each voter approves or rejects it in person (no delegate)' },
  RETURN_NOT_ALLOWED: { status: 409, message: 'node "manager_approval" names no returnTo: it cannot be sent back for revision' },
  RETURN_LIMIT_REACHED: {
    status: 409,
    message: '"review" was sent back 3 times already (maxRounds 3): approve or reject it',
    details: { rounds: 3, maxRounds: 3 },
  },
  NOT_CLAIMABLE: { status: 409, message: 'task 9c8b7a6d-5e4f-4d3c-9b2a-1f0e9d8c7b6a is assigned to bob: only a role\'s task can be claimed' },
  NOT_CLAIMED: { status: 409, message: 'task 9c8b7a6d-5e4f-4d3c-9b2a-1f0e9d8c7b6a was not claimed: there is nothing to release' },
  IDEMPOTENCY_KEY_REUSED: { status: 409, message: 'this Idempotency-Key was used with a different request body' },
  INSTANCE_NOT_RUNNING: { status: 409, message: 'instance 7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d is completed: only a running instance can be cancelled' },
  INSTANCE_NOT_FAILED: { status: 409, message: 'instance 7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d is running: only a failed instance can be retried' },
  MESSAGE_ID_REUSED: { status: 409, message: 'messageId pay-SO-1001 was used already' },
  VIEW_LIMIT_REACHED: {
    status: 409,
    message: 'you have 50 saved views on inbox, the most a page keeps (50): delete one first',
    details: { page: 'inbox', limit: 50 },
  },
  VIEW_NAME_TAKEN: {
    status: 409,
    message: 'you already have a view named "Mine" on inbox: delete or rename it first',
    details: { page: 'inbox', name: 'Mine' },
  },
  CALLBACK_USED: { status: 409, message: 'this callback was used already: a callback URL is single-use' },
  CALLBACK_NOT_WAITING: { status: 409, message: 'this callback is no longer valid: the execution stopped waiting, or its callback was rotated' },
  NOT_WAITING_FOR_MESSAGE: { status: 409, message: 'execution 9c8b7a6d-5e4f-4d3c-9b2a-1f0e9d8c7b6a is not waiting for a message: it has no callback' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'Request body is too large', details: { limitBytes: 1048576 } },
  CONTEXT_TOO_LARGE: { status: 413, message: 'contextData is 300000 bytes; the limit is 262144' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Request bodies must be JSON (Content-Type: application/json)' },
  NO_ACTIVE_VERSION: { status: 422, message: 'workflow "Purchase Order Approval" has no active version' },
  DEFINITION_INACTIVE: { status: 422, message: 'workflow definition 5f0c8d9e-2b1a-4c3d-8e7f-6a5b4c3d2e1f (Purchase Order Approval v1) is not active' },
  RATE_LIMITED: { status: 429, message: 'Too many requests; retry in 42s', details: { retryAfterSeconds: 42 } },
  NOT_READY: { status: 503, message: 'Not ready: redis not answering', details: { postgres: true, redis: false, queue: { backend: 'redis', ok: false }, store: 'external', down: ['redis'] } },
} satisfies Record<string, ErrorExample>;

type ErrorName = keyof typeof ERRORS;

/** An example documented under a name of its own (`UNKNOWN_PARAMETER`) shows the code it is answered with (`VALIDATION_FAILED`). */
const codeOf = (name: ErrorName): string => (ERRORS[name] as ErrorExample).code ?? name;

const STATUS_TEXT: Record<number, string> = {
  400: 'Invalid input: every problem is listed in `details`',
  401: 'Missing, malformed, expired or badly signed token',
  403: 'Visible to you, but not yours to act on',
  404: 'Missing, in another tenant, or not visible to you',
  409: 'The object\'s state forbids it',
  413: 'Too large',
  415: 'A request body that is not JSON',
  422: 'Well formed but impossible',
  429: 'Over the per-minute limit for this tenant and user',
  503: 'Postgres or Redis does not answer',
};

const RESPONSE_HEADERS: Record<number, JsonSchema> = {
  401: { 'WWW-Authenticate': { description: '`Bearer`', schema: { type: 'string' } } },
  429: { 'Retry-After': { description: 'seconds until the window resets', schema: { type: 'integer', minimum: 1 } } },
};

function errorResponses(names: readonly ErrorName[], statusText: Readonly<Record<number, string>> = {}): Record<string, unknown> {
  const byStatus = new Map<number, ErrorName[]>();
  for (const name of names) byStatus.set(ERRORS[name].status, [...(byStatus.get(ERRORS[name].status) ?? []), name]);
  return Object.fromEntries(
    [...byStatus.entries()]
      .sort(([a], [b]) => a - b)
      .map(([status, group]) => [
        String(status),
        {
          description: `${statusText[status] ?? STATUS_TEXT[status] ?? 'Error'} (${[...new Set(group.map(codeOf))].join(', ')})`,
          ...(RESPONSE_HEADERS[status] ? { headers: RESPONSE_HEADERS[status] } : {}),
          content: {
            'application/json': {
              schema: ref('Error'),
              examples: Object.fromEntries(
                group.map((name) => {
                  const e: ErrorExample = ERRORS[name];
                  return [name, { summary: codeOf(name), value: { error: { code: codeOf(name), message: e.message, details: e.details ?? null } } }];
                }),
              ),
            },
          },
        },
      ]),
  );
}

/** A success answer: its schema component, and the component's own example. */
function success(status: number, description: string, name: ResponseName, adjust?: (example: Record<string, unknown>) => unknown): Record<string, unknown> {
  const own = (RESPONSE_SCHEMAS[name].meta() as { examples?: Record<string, unknown>[] } | undefined)?.examples?.[0];
  const example = own && adjust ? adjust(own) : own;
  return { [String(status)]: { description, content: { 'application/json': { schema: ref(name), example } } } };
}

// what every operation behind authentication may answer, and what kind of input adds
const AUTHENTICATED: ErrorName[] = ['UNAUTHENTICATED', 'INVALID_TOKEN', 'TOKEN_EXPIRED', 'TOKEN_EXPIRY_REQUIRED', 'RATE_LIMITED'];
/** A POST may carry a body, so any of them may meet the body parser. */
const POSTED: ErrorName[] = ['INVALID_JSON', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE'];
const BY_ID: ErrorName[] = ['INVALID_ID', 'NOT_FOUND'];
const LISTED: ErrorName[] = ['VALIDATION_FAILED', 'UNKNOWN_PARAMETER', 'INVALID_CURSOR'];
/** Every action on a task (decide-task.ts): who may act, then the task's state. */
const ON_TASK: ErrorName[] = [...AUTHENTICATED, ...POSTED, ...BY_ID, 'VALIDATION_FAILED', 'TASK_NOT_WAITING', 'NOT_A_TASK'];
/** What each action adds: the holder's check, and what the task's node refuses. */
const TASK_ACTION_ERRORS = {
  approve: [...ON_TASK, 'NOT_TASK_ASSIGNEE', 'SEPARATION_OF_DUTIES', 'WRONG_TASK_ACTION', 'ALREADY_VOTED'],
  reject: [...ON_TASK, 'NOT_TASK_ASSIGNEE', 'SEPARATION_OF_DUTIES', 'WRONG_TASK_ACTION', 'ALREADY_VOTED'],
  complete: [...ON_TASK, 'NOT_TASK_ASSIGNEE', 'SEPARATION_OF_DUTIES', 'WRONG_TASK_ACTION', 'FORM_VALIDATION_FAILED', 'CONTEXT_TOO_LARGE'],
  delegate: [...ON_TASK, 'NOT_TASK_ASSIGNEE', 'SEPARATION_OF_DUTIES', 'NOT_FOR_QUORUM'],
  return: [...ON_TASK, 'NOT_TASK_ASSIGNEE', 'SEPARATION_OF_DUTIES', 'COMMENTS_REQUIRED', 'NOT_FOR_QUORUM', 'RETURN_NOT_ALLOWED', 'RETURN_LIMIT_REACHED'],
  claim: [...ON_TASK, 'NOT_TASK_ASSIGNEE', 'SEPARATION_OF_DUTIES', 'NOT_FOR_QUORUM', 'NOT_CLAIMABLE'],
  release: [...ON_TASK, 'NOT_TASK_ASSIGNEE', 'NOT_FOR_QUORUM', 'NOT_CLAIMED'],
  reassign: [...ON_TASK, 'NOT_TASK_MANAGER', 'SEPARATION_OF_DUTIES', 'NOT_FOR_QUORUM'],
} satisfies Record<TaskAction, ErrorName[]>;
/** What a calendar body may be refused for, besides the body parser's refusals. */
const CALENDAR_PUT: ErrorName[] = [...AUTHENTICATED, ...POSTED, 'INVALID_CALENDAR', 'ADMIN_REQUIRED'];
const DEPUTY_WINDOW: ErrorName[] = ['NOT_YOUR_ABSENCE', 'DEPUTY_IS_SELF', 'DEPUTY_WINDOW_INVERTED', 'DEPUTY_WINDOW_PAST', 'DEPUTY_WINDOW_TOO_LONG', 'DEPUTY_WINDOW_OVERLAP'];

interface OperationSpec {
  summary: string;
  description?: string;
  parameters?: unknown[];
  requestBody?: unknown;
  responses: Record<string, unknown>;
  errors: readonly ErrorName[];
  /** what an error status means here, when it is not what it means everywhere (STATUS_TEXT) */
  statusText?: Readonly<Record<number, string>>;
  security?: unknown[];
}

function operation(spec: OperationSpec): Record<string, unknown> {
  const { errors, responses, parameters, statusText, ...rest } = spec;
  return { ...rest, ...(parameters?.length ? { parameters } : {}), responses: { ...responses, ...errorResponses(errors, statusText) } };
}

export function buildOpenApiDocument(): Record<string, unknown> {
  const definitionInput = { $ref: '#/components/schemas/DefinitionInput' };
  const calendarInput = { $ref: '#/components/schemas/CalendarInput' };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Workflow automation engine',
      version: '0.1.0',
      description:
        'Versioned workflow definitions, instances, tasks, events, messages, business calendars and analytics. Every error answers `{ error: { code, message, details } }`. ' +
        'Lists answer `{ items, nextCursor }`: `limit` (1 to 500, default 100) and `cursor`, the previous page\'s opaque `nextCursor`. ' +
        'Unknown query parameters are refused with `400 VALIDATION_FAILED`. Responses may gain new fields; clients should ignore those they do not know.',
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { ...responseComponents(), DefinitionInput: requestSchema(definitionSchema), CalendarInput: describedFields(requestSchema(calendarSchema), CALENDAR_FIELD_DOCS) },
    },
    security: [{ bearer: [] }],
    paths: {
      '/api/definitions': {
        post: operation({
          summary: 'Create a definition (admin); an existing name gets the next version',
          requestBody: body(definitionInput),
          responses: success(201, 'The definition, active', 'Definition'),
          errors: [...AUTHENTICATED, ...POSTED, 'INVALID_DEFINITION', 'ADMIN_REQUIRED'],
        }),
        get: operation({
          summary: 'List definitions, newest first',
          parameters: listParams(definitionListQuery),
          responses: success(200, 'A page of definitions', 'DefinitionPage'),
          errors: [...AUTHENTICATED, ...LISTED],
        }),
      },
      '/api/definitions/{id}': {
        get: operation({ summary: 'A definition', parameters: [idParam('id')], responses: success(200, 'The definition', 'Definition'), errors: [...AUTHENTICATED, ...BY_ID] }),
      },
      '/api/definitions/{id}/activate': {
        post: operation({
          summary: 'Activate (admin); activating an active definition is a 200',
          parameters: [idParam('id')],
          responses: success(200, 'The definition', 'Definition'),
          errors: [...AUTHENTICATED, ...POSTED, ...BY_ID, 'ADMIN_REQUIRED'],
        }),
      },
      '/api/definitions/{id}/deactivate': {
        post: operation({
          summary: 'Deactivate (admin); deactivating an inactive definition is a 200',
          parameters: [idParam('id')],
          responses: success(200, 'The definition', 'Definition'),
          errors: [...AUTHENTICATED, ...POSTED, ...BY_ID, 'ADMIN_REQUIRED'],
        }),
      },
      '/api/instances': {
        post: operation({
          summary: 'Start an instance',
          parameters: [idempotencyKeyParam()],
          requestBody: body(requestSchema(startInstanceBody)),
          responses: {
            ...success(201, 'The started instance', 'Instance'),
            ...success(200, 'The instance an earlier request with this Idempotency-Key started', 'Instance'),
          },
          errors: [...AUTHENTICATED, ...POSTED, 'VALIDATION_FAILED', 'NOT_FOUND', 'IDEMPOTENCY_KEY_REUSED', 'CONTEXT_TOO_LARGE', 'NO_ACTIVE_VERSION', 'DEFINITION_INACTIVE'],
        }),
        get: operation({
          summary: 'Instances you may see, newest first',
          parameters: listParams(instanceListQuery, INSTANCE_FILTER_DOCS),
          responses: success(200, 'A page of instances', 'InstancePage'),
          errors: [...AUTHENTICATED, ...LISTED],
        }),
      },
      '/api/instances/{id}': {
        get: operation({
          summary: 'An instance with its node executions',
          description:
            'A waiting execution says what it waits for in `wait`: a task, a join, a child instance, a timer (`dueAt`) or a message (`messageName`, `correlationKey`, ' +
            'and the single-use `callbackUrl`), with `wakeAt`, its next time-based event.',
          parameters: [idParam('id')],
          responses: success(200, 'The instance and its node executions', 'InstanceDetail'),
          errors: [...AUTHENTICATED, ...BY_ID],
        }),
      },
      '/api/instances/{id}/history': {
        get: operation({
          summary: 'Audit trail, oldest first',
          parameters: [idParam('id'), ...queryParams(historyQuery)],
          responses: success(200, 'The audit trail', 'History'),
          errors: [...AUTHENTICATED, ...BY_ID, 'UNKNOWN_PARAMETER'],
        }),
      },
      '/api/instances/{id}/history/verify': {
        get: operation({
          summary: 'Verify the history hash chain',
          parameters: [idParam('id')],
          responses: success(200, 'The verification', 'HistoryVerification'),
          errors: [...AUTHENTICATED, ...BY_ID],
        }),
      },
      '/api/instances/{id}/comments': {
        get: operation({
          summary: 'The instance\'s comment thread, oldest first',
          parameters: [idParam('id'), ...queryParams(historyQuery)],
          responses: success(200, 'The thread', 'CommentList'),
          errors: [...AUTHENTICATED, ...BY_ID, 'UNKNOWN_PARAMETER'],
        }),
        post: operation({
          summary: 'Comment on an instance you may see, running or finished (append-only, in its audit trail)',
          parameters: [idParam('id')],
          requestBody: body(requestSchema(commentBody)),
          responses: success(201, 'The comment', 'Comment'),
          errors: [...AUTHENTICATED, ...POSTED, ...BY_ID, 'VALIDATION_FAILED'],
        }),
      },
      '/api/instances/{id}/cancel': {
        post: operation({
          summary: 'Cancel (admin or starter), with an optional reason; its open tasks leave every queue',
          parameters: [idParam('id')],
          requestBody: optionalBody(requestSchema(cancelBody)),
          responses: success(200, 'The instance, cancelled', 'Instance', (e) => ({ ...e, status: 'cancelled', completedAt: '2026-03-02T10:00:00.000Z' })),
          errors: [...AUTHENTICATED, ...POSTED, ...BY_ID, 'NOT_ALLOWED', 'INSTANCE_NOT_RUNNING'],
        }),
      },
      '/api/instances/{id}/retry': {
        post: operation({
          summary: 'Re-run the failed executions of a failed instance (admin)',
          parameters: [idParam('id')],
          responses: success(200, 'The instance, running again', 'Instance'),
          errors: [...AUTHENTICATED, ...POSTED, ...BY_ID, 'ADMIN_REQUIRED', 'INSTANCE_NOT_FAILED'],
        }),
      },
      '/api/instances/{id}/executions/{executionId}/callback/rotate': {
        post: operation({
          summary: 'A new callback URL for a waiting receive execution; the old one stops working',
          description: 'Anyone who may see the instance may rotate. The change is recorded (`callback_rotated`).',
          parameters: [idParam('id'), idParam('executionId')],
          responses: success(200, 'The new callback URL', 'CallbackRotation'),
          errors: [...AUTHENTICATED, ...POSTED, ...BY_ID, 'NOT_WAITING_FOR_MESSAGE'],
        }),
      },
      '/api/tasks/mine': {
        get: operation({
          summary: 'Your task queue, most urgent first (deadline, then creation)',
          description:
            'Tasks assigned to you or to one of your roles, and, while a deputy window is open, those of the users you stand in for (`onBehalfOf`). ' +
            'A task separation of duties bars you from deciding is not in your queue.',
          parameters: listParams(taskListQuery, MY_TASK_FILTER_DOCS),
          responses: success(200, 'A page of tasks', 'TaskPage'),
          errors: [...AUTHENTICATED, ...LISTED],
        }),
      },
      '/api/tasks': {
        get: operation({
          summary: 'Every open task of your tenant, most urgent first (admin: the operator view)',
          parameters: listParams(openTaskListQuery, OPEN_TASK_FILTER_DOCS),
          responses: success(200, 'A page of tasks', 'TaskPage'),
          errors: [...AUTHENTICATED, ...LISTED, 'ADMIN_REQUIRED'],
        }),
      },
      '/api/tasks/bulk': {
        post: operation({
          summary: 'Approve, reject, claim or release up to 100 tasks, each on its own',
          description:
            'Each task is acted on as by itself, in its own transaction and with its own checks: the answer is 200 with one result per task, ' +
            'carrying the status and the answer (or error) acting on that task alone gives. `comments` go with every task.',
          requestBody: body(requestSchema(bulkTaskBody)),
          responses: success(200, 'One result per task', 'BulkTaskResult'),
          errors: [...AUTHENTICATED, ...POSTED, 'VALIDATION_FAILED'],
        }),
      },
      '/api/tasks/{taskId}': {
        get: operation({
          summary: 'A task you may see, waiting or decided, with the actions you may take now',
          parameters: [idParam('taskId')],
          responses: success(200, 'The task', 'TaskDetail'),
          errors: [...AUTHENTICATED, ...BY_ID],
        }),
      },
      '/api/tasks/{taskId}/approve': {
        post: operation({
          summary: 'Approve; on a quorum approval, cast your vote',
          parameters: [idParam('taskId')],
          requestBody: optionalBody(requestSchema(decisionBody)),
          responses: success(200, 'The decision; a vote that does not settle the quorum answers `status: waiting` with `vote`', 'TaskDecision'),
          errors: TASK_ACTION_ERRORS.approve,
        }),
      },
      '/api/tasks/{taskId}/reject': {
        post: operation({
          summary: 'Reject; on a quorum approval, cast your vote',
          parameters: [idParam('taskId')],
          requestBody: optionalBody(requestSchema(decisionBody)),
          responses: success(200, 'The decision; a vote that does not settle the quorum answers `status: waiting` with `vote`', 'TaskDecision', (e) => ({ ...e, decision: 'rejected' })),
          errors: TASK_ACTION_ERRORS.reject,
        }),
      },
      '/api/tasks/{taskId}/delegate': {
        post: operation({
          summary: 'Delegate to a user',
          parameters: [idParam('taskId')],
          requestBody: body(requestSchema(delegateBody)),
          responses: success(200, 'The task, now assigned to toUserId', 'Task', (e) => ({ ...e, assignedUserId: 'bob' })),
          errors: TASK_ACTION_ERRORS.delegate,
        }),
      },
      '/api/tasks/{taskId}/complete': {
        post: operation({
          summary: 'Complete a user task',
          parameters: [idParam('taskId')],
          requestBody: body(requestSchema(completeBody)),
          responses: success(200, 'The completion', 'TaskDecision', ({ decision: _none, ...e }) => e),
          errors: TASK_ACTION_ERRORS.complete,
        }),
      },
      '/api/tasks/{taskId}/return': {
        post: operation({
          summary: 'Send back for revision to the node\'s `returnTo` task, saying what to revise',
          description: 'The earlier task is created again, carrying `comments` as its `revision`; a node is sent back at most `maxRounds` times.',
          parameters: [idParam('taskId')],
          requestBody: body(requestSchema(returnBody)),
          responses: success(200, 'The decision, `returned`', 'TaskDecision', (e) => ({ ...e, decision: 'returned' })),
          errors: TASK_ACTION_ERRORS.return,
        }),
      },
      '/api/tasks/{taskId}/claim': {
        post: operation({
          summary: 'Claim a role\'s task: it becomes yours and leaves the others\' queues',
          parameters: [idParam('taskId')],
          requestBody: optionalBody(requestSchema(handOverBody)),
          responses: success(200, 'The task, now assigned to you', 'Task', (e) => ({ ...e, assignedUserId: 'bob', claimedAt: '2026-03-02T10:00:00.000Z' })),
          errors: TASK_ACTION_ERRORS.claim,
        }),
      },
      '/api/tasks/{taskId}/release': {
        post: operation({
          summary: 'Release a claimed task back to its role',
          parameters: [idParam('taskId')],
          requestBody: optionalBody(requestSchema(handOverBody)),
          responses: success(200, 'The task, assigned to its role again', 'Task'),
          errors: TASK_ACTION_ERRORS.release,
        }),
      },
      '/api/tasks/{taskId}/reassign': {
        post: operation({
          summary: 'Reassign to a user or a role (admin, or a holder of the node\'s `managerRole`)',
          parameters: [idParam('taskId')],
          requestBody: body(requestSchema(reassignBody)),
          responses: success(200, 'The task, now assigned as asked', 'Task', (e) => ({ ...e, assignedUserId: 'carol' })),
          errors: TASK_ACTION_ERRORS.reassign,
        }),
      },
      '/api/tasks/{taskId}/deadline': {
        post: operation({
          summary: 'Move a waiting task\'s deadline by hand, with a reason (admin)',
          description:
            'The body is checked first, then the task. Reminders, escalations and the timeout follow the new deadline; the change is recorded ' +
            '(`deadline_changed` with `cause: manual`, the reason, the old and the new deadline). The same deadline again changes nothing.',
          parameters: [idParam('taskId')],
          requestBody: body(describedFields(requestSchema(deadlineBody), { slaDeadline: `the new deadline: ${INSTANT}`, reason: 'why: recorded in the history' })),
          responses: success(200, 'The task with its new deadline', 'TaskDetail'),
          errors: [...AUTHENTICATED, ...POSTED, ...BY_ID, 'VALIDATION_FAILED', 'REASON_REQUIRED', 'DEADLINE_TASK_NOT_WAITING', 'ADMIN_REQUIRED'],
        }),
      },
      '/api/deputies': {
        post: operation({
          summary: 'Declare a deputy while you are away (another user\'s absence: admin)',
          description: 'While the window is open the deputy sees and decides the absent user\'s tasks, on their behalf; `workflows` and `roles` narrow which.',
          requestBody: body(describedFields(requestSchema(deputyBody), {
            userId: 'the absent user; default you (another user: admin only)',
            startsAt: INSTANT,
            endsAt: `${INSTANT}; after \`startsAt\`, in the future, at most 366 days after \`startsAt\``,
            workflows: 'only tasks of these workflow names; default every workflow',
            roles: 'only tasks assigned with these roles; default every role',
          })),
          responses: success(201, 'The window', 'Deputy'),
          errors: [...AUTHENTICATED, ...POSTED, 'VALIDATION_FAILED', ...DEPUTY_WINDOW],
        }),
        get: operation({
          summary: 'Deputy windows: yours, as absent user or as deputy (an admin: every window of the tenant)',
          parameters: queryParams(historyQuery),
          responses: success(200, 'The windows', 'DeputyList'),
          errors: [...AUTHENTICATED, 'UNKNOWN_PARAMETER'],
        }),
      },
      '/api/deputies/{id}': {
        delete: operation({
          summary: 'Remove a deputy window (whoever declared it, the absent user, the deputy, or an admin)',
          parameters: [idParam('id')],
          responses: noContent('Removed'),
          errors: [...AUTHENTICATED, ...BY_ID],
        }),
      },
      '/api/events': {
        post: operation({
          summary: 'Start every listening workflow of your tenant',
          parameters: [idempotencyKeyParam()],
          requestBody: body(requestSchema(eventBody)),
          responses: success(202, 'The started instances', 'EventResult'),
          errors: [...AUTHENTICATED, ...POSTED, 'VALIDATION_FAILED', 'IDEMPOTENCY_KEY_REUSED', 'CONTEXT_TOO_LARGE'],
        }),
      },
      '/api/messages': {
        post: operation({
          summary: 'Send a message to the receive nodes of your tenant waiting for its name and correlation key',
          description:
            'Every execution waiting for `name` with this `correlationKey` resumes (at most 100 at once; the rest wait for the next message), each in its own job, moments after the answer. ' +
            'When none waits, a message with a `timeToLive` is kept for a receive node that comes later (`buffered`), else dropped (`unmatched`).',
          requestBody: body(describedFields(requestSchema(messageBody), MESSAGE_FIELD_DOCS)),
          responses: success(200, 'What the message did', 'MessageResult'),
          errors: [...AUTHENTICATED, ...POSTED, 'VALIDATION_FAILED', 'INVALID_DURATION', 'MESSAGE_ID_REUSED'],
        }),
      },
      '/api/callbacks/{token}': {
        post: operation({
          summary: 'Resume a waiting receive execution through its callback URL (no bearer token: the token in the path is the credential)',
          description:
            'The `wait.callbackUrl` of a waiting receive execution, for systems that cannot send a bearer token. The body (a JSON object, or none) is the message data. ' +
            'A URL works once, and only while its execution waits with it: a rotated one, or one of an execution that stopped waiting, is `409`. Limited per client address.',
          security: [],
          parameters: [callbackTokenParam()],
          requestBody: optionalBody({ ...requestSchema(callbackBody), type: 'object', description: 'the message data the receive node gets' }),
          responses: success(202, 'Taken: the execution resumes moments later', 'CallbackAccepted'),
          errors: [...POSTED, 'VALIDATION_FAILED', 'CALLBACK_NOT_FOUND', 'CALLBACK_USED', 'CALLBACK_NOT_WAITING', 'RATE_LIMITED'],
          statusText: { 404: 'Not a token this engine signed, or its execution is gone', 429: 'Over the per-minute limit for this client address' },
        }),
      },
      '/api/calendars': {
        post: operation({
          summary: 'Create a business calendar, or replace the one of that name (admin)',
          description:
            'A replacement gets the next `version` and recounts, in it, the deadlines of the open tasks and the due times of the business-time timers that count in the calendar ' +
            '(each recorded as `deadline_changed` with `cause: calendar_changed`).',
          requestBody: body(calendarInput),
          responses: {
            ...success(201, 'Created', 'CalendarChange', (e) => ({ ...e, version: 1, updatedAt: e['createdAt'], recountedDeadlines: 0 })),
            ...success(200, 'Replaced: the next version, and how many open waits it recounted', 'CalendarChange'),
          },
          errors: CALENDAR_PUT,
        }),
        get: operation({
          summary: 'Your tenant\'s business calendars, by name',
          parameters: queryParams(historyQuery),
          responses: success(200, 'The calendars', 'CalendarList'),
          errors: [...AUTHENTICATED, 'UNKNOWN_PARAMETER'],
        }),
      },
      '/api/calendars/{name}': {
        put: operation({
          summary: 'Create or replace the calendar of this name (admin)',
          description: 'As `POST /api/calendars`; the body may leave `name` out, and when it gives one it must be the path\'s (else `400 INVALID_CALENDAR`).',
          parameters: [calendarNameParam()],
          requestBody: body(describedFields(requestSchema(calendarSchema.partial({ name: true })), { ...CALENDAR_FIELD_DOCS, name: 'default the path\'s; if given, the same' })),
          responses: {
            ...success(201, 'Created', 'CalendarChange', (e) => ({ ...e, version: 1, updatedAt: e['createdAt'], recountedDeadlines: 0 })),
            ...success(200, 'Replaced: the next version, and how many open waits it recounted', 'CalendarChange'),
          },
          errors: [...CALENDAR_PUT, 'INVALID_CALENDAR_NAME'],
        }),
        get: operation({
          summary: 'A business calendar',
          parameters: [calendarNameParam()],
          responses: success(200, 'The calendar', 'Calendar'),
          errors: [...AUTHENTICATED, 'INVALID_CALENDAR_NAME', 'NOT_FOUND'],
        }),
      },
      '/api/views': {
        get: operation({
          summary: 'Your saved views: of one page (`page`), or of every page',
          description: 'Only your own: another user\'s views, in your tenant or another, are never listed.',
          parameters: queryParams(viewListQuery),
          responses: success(200, 'Your views', 'SavedViewList'),
          errors: [...AUTHENTICATED, 'VALIDATION_FAILED', 'UNKNOWN_PARAMETER'],
        }),
      },
      '/api/views/{page}/{name}': {
        put: operation({
          summary: 'Save a view: create it, replace its filters, or rename it',
          description:
            'Creates your view of this name on the page (`201`, `filters` required) or replaces it (`200`; what the body leaves out stays). ' +
            'A `name` in the body other than the path\'s renames the view at the path (`404` when you have none of that name, `409 VIEW_NAME_TAKEN` when the new name is taken). ' +
            'The `Location` header names the view as saved. At most 50 views a page (`409 VIEW_LIMIT_REACHED`); filters at most 4 KiB as JSON.',
          parameters: viewPathParams(),
          requestBody: body(describedFields(requestSchema(viewBody), {
            filters: 'the page\'s filters: strings, numbers, booleans and lists of strings, at most 4 KiB as JSON; required to create a view, kept when left out of an update',
            name: 'a new name for the view at the path (a rename); trimmed, 1 to 80 characters',
            position: 'its place among your views of the page, lowest first; default: last (created), as it was (updated)',
          })),
          responses: {
            ...success(201, 'Created', 'SavedView'),
            ...success(200, 'Replaced or renamed', 'SavedView'),
          },
          errors: [...AUTHENTICATED, ...POSTED, 'VALIDATION_FAILED', 'INVALID_VIEW_PATH', 'INVALID_VIEW_FILTERS', 'VIEW_NOT_FOUND', 'VIEW_LIMIT_REACHED', 'VIEW_NAME_TAKEN'],
          statusText: { 404: 'A rename of a view you do not have' },
        }),
        delete: operation({
          summary: 'Delete one of your saved views',
          parameters: viewPathParams(),
          responses: noContent('Deleted'),
          errors: [...AUTHENTICATED, 'INVALID_VIEW_PATH', 'VIEW_NOT_FOUND'],
          statusText: { 404: 'You have no view of that name on the page' },
        }),
      },
      '/api/analytics/workflows': {
        get: operation({
          summary: 'Per-workflow totals, SLA compliance, completion hours',
          parameters: queryParams(analyticsQuery),
          responses: success(200, 'One item per workflow name', 'Analytics'),
          errors: [...AUTHENTICATED, 'UNKNOWN_PARAMETER'],
        }),
      },
      '/healthz': {
        get: operation({ summary: 'Liveness', security: [], responses: success(200, 'Alive', 'Liveness'), errors: [] }),
      },
      '/readyz': {
        get: operation({ summary: 'Postgres and the queue backend answer', security: [], responses: success(200, 'Ready', 'Readiness'), errors: ['NOT_READY'] }),
      },
      '/metrics': {
        get: operation({
          summary: 'Prometheus metrics',
          security: [],
          responses: {
            '200': {
              description: 'Prometheus text exposition format',
              content: { 'text/plain': { schema: { type: 'string' }, example: '# HELP workflow_step_failures_total Failed step attempts\n# TYPE workflow_step_failures_total counter\n' } },
            },
          },
          errors: [],
        }),
      },
    },
  };
}

const DOCS_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Workflow engine API</title>
<link rel="stylesheet" href="/api/docs/assets/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/api/docs/assets/swagger-ui-bundle.js"></script>
<script src="/api/docs/init.js"></script></body></html>`;

const DOCS_INIT = `window.ui = SwaggerUIBundle({ url: '/api/openapi.json', dom_id: '#swagger-ui' });`;

/** Public: GET /api/openapi.json and the browsable /api/docs. */
export function openApiRouter(): Router {
  const doc = buildOpenApiDocument();
  const router = Router();
  router.get('/api/openapi.json', (_req, res) => {
    res.json(doc);
  });
  router.get('/api/docs', (_req, res) => {
    res.type('html').send(DOCS_PAGE);
  });
  router.get('/api/docs/init.js', (_req, res) => {
    res.type('application/javascript').send(DOCS_INIT);
  });
  router.use('/api/docs/assets', serveStatic(getAbsoluteFSPath(), { index: false }));
  return router;
}
