/**
 * The OpenAPI document, generated from the zod schemas that validate the requests (the API's
 * own schemas and the engine's definition schema) and from the response schemas the services'
 * DTOs are held to (response-schemas.ts), so it cannot drift from what is enforced and sent.
 * Served at /api/openapi.json, browsable at /api/docs (Swagger UI from swagger-ui-dist).
 */

import { Router, static as serveStatic } from 'express';
import { getAbsoluteFSPath } from 'swagger-ui-dist';
import { z, type ZodType } from 'zod';
import { definitionSchema } from '@wf/engine';
import {
  analyticsResponse,
  definitionPageResponse,
  definitionResponse,
  errorResponse,
  eventResponse,
  historyResponse,
  historyVerificationResponse,
  instanceDetailResponse,
  instancePageResponse,
  instanceResponse,
  livenessResponse,
  readinessResponse,
  taskDecisionResponse,
  taskPageResponse,
  taskResponse,
} from './response-schemas';
import {
  analyticsQuery,
  completeBody,
  decisionBody,
  definitionListQuery,
  delegateBody,
  eventBody,
  historyQuery,
  idSchema,
  instanceListQuery,
  startInstanceBody,
  startInstanceHeaders,
  taskListQuery,
  cancelBody,
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
  TaskDecision: taskDecisionResponse,
  EventResult: eventResponse,
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
  out?: { _zod: { def: ZodDef } };
  innerType?: { _zod: { def: ZodDef } };
  defaultValue?: unknown;
}

const isNumberPipe = (def: ZodDef): boolean => def.type === 'pipe' && def.out?._zod.def.type === 'number';

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

/** A list's parameters: its filters and `limit`/`cursor`, described. */
function listParams(schema: ZodType): unknown[] {
  return queryParams(schema).map((p) => {
    const param = p as { name: string; description?: string };
    const description = PAGE_PARAM_DOCS[param.name];
    return description && !param.description ? { ...param, description } : param;
  });
}

const idParam = (name: string) => ({ name, in: 'path', required: true, schema: requestSchema(idSchema) });
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
const optionalBody = (schema: JsonSchema) => ({ required: false, content: { 'application/json': { schema } } });

// ---- errors: each operation lists the codes it may answer, each with an example

interface ErrorExample {
  status: number;
  message: string;
  details?: unknown;
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
    status: 400,
    message: 'Invalid request: stauts: unknown field',
    details: [{ path: 'stauts', message: 'unknown field' }],
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
  UNAUTHENTICATED: { status: 401, message: 'Missing bearer token' },
  INVALID_TOKEN: { status: 401, message: 'Invalid token' },
  TOKEN_EXPIRED: { status: 401, message: 'Token expired' },
  TOKEN_EXPIRY_REQUIRED: { status: 401, message: 'Token has no expiry: tokens must carry an "exp" claim' },
  ADMIN_REQUIRED: { status: 403, message: 'only an admin may create workflow definitions' },
  NOT_ALLOWED: { status: 403, message: 'only an admin or the starter may cancel an instance' },
  NOT_TASK_ASSIGNEE: { status: 403, message: 'task 9c8b7a6d-5e4f-4d3c-9b2a-1f0e9d8c7b6a is not assigned to you' },
  NOT_FOUND: { status: 404, message: 'Workflow instance 7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d not found' },
  TASK_NOT_WAITING: { status: 409, message: 'task 9c8b7a6d-5e4f-4d3c-9b2a-1f0e9d8c7b6a is completed: it can no longer be decided' },
  WRONG_TASK_ACTION: { status: 409, message: 'task 9c8b7a6d-5e4f-4d3c-9b2a-1f0e9d8c7b6a is an approval: approve or reject it instead' },
  IDEMPOTENCY_KEY_REUSED: { status: 409, message: 'this Idempotency-Key was used with a different request body' },
  INSTANCE_NOT_RUNNING: { status: 409, message: 'instance 7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d is completed: only a running instance can be cancelled' },
  INSTANCE_NOT_FAILED: { status: 409, message: 'instance 7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d is running: only a failed instance can be retried' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'Request body is too large', details: { limitBytes: 1048576 } },
  CONTEXT_TOO_LARGE: { status: 413, message: 'contextData is 300000 bytes; the limit is 262144' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Request bodies must be JSON (Content-Type: application/json)' },
  NO_ACTIVE_VERSION: { status: 422, message: 'workflow "Purchase Order Approval" has no active version' },
  DEFINITION_INACTIVE: { status: 422, message: 'workflow definition 5f0c8d9e-2b1a-4c3d-8e7f-6a5b4c3d2e1f (Purchase Order Approval v1) is not active' },
  RATE_LIMITED: { status: 429, message: 'Too many requests; retry in 42s', details: { retryAfterSeconds: 42 } },
  NOT_READY: { status: 503, message: 'Not ready: redis not answering', details: { postgres: true, redis: false, queue: { backend: 'redis', ok: false }, store: 'external', down: ['redis'] } },
} satisfies Record<string, ErrorExample>;

type ErrorName = keyof typeof ERRORS;

/** `UNKNOWN_PARAMETER` is documented as the VALIDATION_FAILED it is answered with. */
const codeOf = (name: ErrorName): string => (name === 'UNKNOWN_PARAMETER' ? 'VALIDATION_FAILED' : name);

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

function errorResponses(names: readonly ErrorName[]): Record<string, unknown> {
  const byStatus = new Map<number, ErrorName[]>();
  for (const name of names) byStatus.set(ERRORS[name].status, [...(byStatus.get(ERRORS[name].status) ?? []), name]);
  return Object.fromEntries(
    [...byStatus.entries()]
      .sort(([a], [b]) => a - b)
      .map(([status, group]) => [
        String(status),
        {
          description: `${STATUS_TEXT[status] ?? 'Error'} (${[...new Set(group.map(codeOf))].join(', ')})`,
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
const TASK_ACTION: ErrorName[] = [...AUTHENTICATED, ...POSTED, ...BY_ID, 'VALIDATION_FAILED', 'NOT_TASK_ASSIGNEE', 'TASK_NOT_WAITING', 'WRONG_TASK_ACTION'];

interface OperationSpec {
  summary: string;
  description?: string;
  parameters?: unknown[];
  requestBody?: unknown;
  responses: Record<string, unknown>;
  errors: readonly ErrorName[];
  security?: unknown[];
}

function operation(spec: OperationSpec): Record<string, unknown> {
  const { errors, responses, parameters, ...rest } = spec;
  return { ...rest, ...(parameters?.length ? { parameters } : {}), responses: { ...responses, ...errorResponses(errors) } };
}

export function buildOpenApiDocument(): Record<string, unknown> {
  const definitionInput = { $ref: '#/components/schemas/DefinitionInput' };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Workflow automation engine',
      version: '0.1.0',
      description:
        'Versioned workflow definitions, instances, tasks, events and analytics. Every error answers `{ error: { code, message, details } }`. ' +
        'Lists answer `{ items, nextCursor }`: `limit` (1 to 500, default 100) and `cursor`, the previous page\'s opaque `nextCursor`. ' +
        'Unknown query parameters are refused with `400 VALIDATION_FAILED`. Responses may gain new fields; clients should ignore those they do not know.',
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { ...responseComponents(), DefinitionInput: requestSchema(definitionSchema) },
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
          parameters: listParams(instanceListQuery),
          responses: success(200, 'A page of instances', 'InstancePage'),
          errors: [...AUTHENTICATED, ...LISTED],
        }),
      },
      '/api/instances/{id}': {
        get: operation({
          summary: 'An instance with its node executions',
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
      '/api/tasks/mine': {
        get: operation({
          summary: 'Your task queue, most urgent first (deadline, then creation)',
          parameters: listParams(taskListQuery),
          responses: success(200, 'A page of tasks', 'TaskPage'),
          errors: [...AUTHENTICATED, ...LISTED],
        }),
      },
      '/api/tasks/{taskId}/approve': {
        post: operation({
          summary: 'Approve',
          parameters: [idParam('taskId')],
          requestBody: optionalBody(requestSchema(decisionBody)),
          responses: success(200, 'The decision', 'TaskDecision'),
          errors: TASK_ACTION,
        }),
      },
      '/api/tasks/{taskId}/reject': {
        post: operation({
          summary: 'Reject',
          parameters: [idParam('taskId')],
          requestBody: optionalBody(requestSchema(decisionBody)),
          responses: success(200, 'The decision', 'TaskDecision', (e) => ({ ...e, decision: 'rejected' })),
          errors: TASK_ACTION,
        }),
      },
      '/api/tasks/{taskId}/delegate': {
        post: operation({
          summary: 'Delegate to a user',
          parameters: [idParam('taskId')],
          requestBody: body(requestSchema(delegateBody)),
          responses: success(200, 'The task, now assigned to toUserId', 'Task', (e) => ({ ...e, assignedUserId: 'bob' })),
          errors: TASK_ACTION,
        }),
      },
      '/api/tasks/{taskId}/complete': {
        post: operation({
          summary: 'Complete a user task',
          parameters: [idParam('taskId')],
          requestBody: body(requestSchema(completeBody)),
          responses: success(200, 'The completion', 'TaskDecision', ({ decision: _none, ...e }) => e),
          errors: [...TASK_ACTION, 'FORM_VALIDATION_FAILED'],
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
