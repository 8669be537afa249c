/**
 * The OpenAPI document, generated from the zod schemas that validate the requests (the API's
 * own schemas and the engine's definition schema), so it cannot drift from what is enforced.
 * Served at /api/openapi.json, browsable at /api/docs (Swagger UI from swagger-ui-dist).
 */

import { Router, static as serveStatic } from 'express';
import { getAbsoluteFSPath } from 'swagger-ui-dist';
import { z, type ZodType } from 'zod';
import { definitionSchema } from '@wf/engine';
import {
  completeBody,
  decisionBody,
  definitionListQuery,
  delegateBody,
  eventBody,
  instanceListQuery,
  startInstanceBody,
  taskListQuery,
} from './schemas';

const json = (schema: ZodType): Record<string, unknown> => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { unrepresentable: 'any', io: 'input' }) as Record<string, unknown>;
  return rest;
};

/** Query parameters from a zod object schema. */
function queryParams(schema: ZodType): unknown[] {
  const s = json(schema) as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(s.properties ?? {}).map(([name, prop]) => ({ name, in: 'query', required: s.required?.includes(name) ?? false, schema: prop }));
}

const idParam = (name: string) => ({ name, in: 'path', required: true, schema: { type: 'string', format: 'uuid' } });
const body = (schema: ZodType) => ({ required: true, content: { 'application/json': { schema: json(schema) } } });
const ok = (description: string, status = '200') => ({
  [status]: { description },
  '400': { $ref: '#/components/responses/Error' },
  '401': { $ref: '#/components/responses/Error' },
  '404': { $ref: '#/components/responses/Error' },
});

export function buildOpenApiDocument(): Record<string, unknown> {
  const errorSchema = {
    type: 'object',
    required: ['error'],
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message'],
        properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} },
      },
    },
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Workflow automation engine',
      version: '0.1.0',
      description: 'Versioned workflow definitions, instances, tasks, events and analytics. Every error answers { error: { code, message, details } }.',
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { Error: errorSchema, DefinitionInput: json(definitionSchema) },
      responses: { Error: { description: 'An error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } } },
    },
    security: [{ bearer: [] }],
    paths: {
      '/api/definitions': {
        post: { summary: 'Create a definition (admin); an existing name gets the next version', requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/DefinitionInput' } } } }, responses: ok('The definition', '201') },
        get: { summary: 'List definitions', parameters: queryParams(definitionListQuery), responses: ok('{ items, nextCursor }') },
      },
      '/api/definitions/{id}': { get: { summary: 'A definition', parameters: [idParam('id')], responses: ok('The definition') } },
      '/api/definitions/{id}/activate': { post: { summary: 'Activate (admin)', parameters: [idParam('id')], responses: ok('The definition') } },
      '/api/definitions/{id}/deactivate': { post: { summary: 'Deactivate (admin)', parameters: [idParam('id')], responses: ok('The definition') } },
      '/api/instances': {
        post: {
          summary: 'Start an instance',
          parameters: [{ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 200 } }],
          requestBody: body(startInstanceBody),
          responses: { ...ok('The started instance', '201'), '200': { description: 'The instance an earlier request with this Idempotency-Key started' }, '422': { $ref: '#/components/responses/Error' } },
        },
        get: { summary: 'Instances you may see', parameters: queryParams(instanceListQuery), responses: ok('{ items, nextCursor }') },
      },
      '/api/instances/{id}': { get: { summary: 'An instance with its node executions', parameters: [idParam('id')], responses: ok('The instance and nodes') } },
      '/api/instances/{id}/history': { get: { summary: 'Audit trail, oldest first', parameters: [idParam('id')], responses: ok('{ items }') } },
      '/api/instances/{id}/history/verify': { get: { summary: 'Verify the history hash chain', parameters: [idParam('id')], responses: ok('{ valid, checked, brokenAt }') } },
      '/api/instances/{id}/cancel': { post: { summary: 'Cancel (admin or starter)', parameters: [idParam('id')], responses: ok('The instance') } },
      '/api/instances/{id}/retry': { post: { summary: 'Re-run failed executions (admin)', parameters: [idParam('id')], responses: ok('The instance') } },
      '/api/tasks/mine': { get: { summary: 'Your task queue, most urgent first', parameters: queryParams(taskListQuery), responses: ok('{ items, nextCursor }') } },
      '/api/tasks/{taskId}/approve': { post: { summary: 'Approve', parameters: [idParam('taskId')], requestBody: body(decisionBody), responses: ok('The decision') } },
      '/api/tasks/{taskId}/reject': { post: { summary: 'Reject', parameters: [idParam('taskId')], requestBody: body(decisionBody), responses: ok('The decision') } },
      '/api/tasks/{taskId}/delegate': { post: { summary: 'Delegate to a user', parameters: [idParam('taskId')], requestBody: body(delegateBody), responses: ok('The task') } },
      '/api/tasks/{taskId}/complete': { post: { summary: 'Complete a user task', parameters: [idParam('taskId')], requestBody: body(completeBody), responses: ok('The completion') } },
      '/api/events': { post: { summary: 'Start every listening workflow of your tenant', requestBody: body(eventBody), responses: ok('{ startedInstanceIds }', '202') } },
      '/api/analytics/workflows': { get: { summary: 'Per-workflow totals, SLA compliance, completion hours', responses: ok('{ items }') } },
      '/healthz': { get: { summary: 'Liveness', security: [], responses: { '200': { description: 'alive' } } } },
      '/readyz': { get: { summary: 'Postgres and Redis answer', security: [], responses: { '200': { description: 'ready' }, '503': { $ref: '#/components/responses/Error' } } } },
      '/metrics': { get: { summary: 'Prometheus metrics', security: [], responses: { '200': { description: 'text exposition format' } } } },
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
