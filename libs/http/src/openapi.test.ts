/**
 * The OpenAPI document describes every answer: each operation has a schema and an example for its
 * success and for each error status that applies to it, every example fits its schema, and the
 * documented query parameters are exactly what the request schemas accept.
 */

import Ajv2020 from 'ajv/dist/2020';
import type { ZodType } from 'zod';
import { calendarSchema } from '@wf/engine';
import { buildOpenApiDocument } from './openapi';
import {
  analyticsQuery,
  calendarName,
  definitionListQuery,
  DEFAULT_PAGE_SIZE,
  historyQuery,
  instanceListQuery,
  MAX_PAGE_SIZE,
  messageBody,
  openTaskListQuery,
  taskListQuery,
  viewBody,
  viewListQuery,
  viewName,
} from './schemas';

interface MediaType {
  schema?: Record<string, unknown>;
  example?: unknown;
  examples?: Record<string, { value: unknown }>;
}
interface ResponseObject {
  description: string;
  content?: Record<string, MediaType>;
}
interface Parameter {
  name: string;
  in: string;
  required: boolean;
  schema: Record<string, unknown>;
}
interface Operation {
  parameters?: Parameter[];
  responses: Record<string, ResponseObject>;
  security?: unknown[];
}
interface Document {
  components: { schemas: Record<string, Record<string, unknown>> };
  paths: Record<string, Record<string, Operation>>;
}

const doc = buildOpenApiDocument() as unknown as Document;

/** Served without a bearer token. */
const PUBLIC = ['GET /healthz', 'GET /readyz', 'GET /metrics', 'POST /api/callbacks/{token}'];

/** The lists answered a page at a time (`limit`, `cursor`). */
const PAGED = ['GET /api/definitions', 'GET /api/instances', 'GET /api/tasks/mine', 'GET /api/tasks'];

const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
  Object.entries(item).map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, method, path, op })),
);

const ajv = new Ajv2020({ strict: false, allErrors: true });
ajv.addFormat('uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
ajv.addFormat('date-time', (s: string) => !Number.isNaN(Date.parse(s)));

/** Validate against a schema of the document, its `#/components/...` references resolved. */
function problems(schema: Record<string, unknown>, value: unknown): string[] {
  const validate = ajv.compile({ ...schema, components: doc.components });
  return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}

/**
 * Which answers each operation documents (beyond its success): 401 and 429 behind the token,
 * 400 for any input (query, id, body), 404 where an id names an object, 403 where a role or an
 * assignment is needed, 409 where state or an idempotency key can refuse, 413 and 415 for every
 * POST (a body may be sent to any of them), 422 where a name or a version may be unstartable.
 * A bulk request answers 200 whatever each task's outcome: those are in its results. A callback
 * URL is served without a token (no 401), limited per client address (429).
 */
const EXPECTED: Record<string, string[]> = {
  'POST /api/definitions': ['201', '400', '401', '403', '413', '415', '429'],
  'GET /api/definitions': ['200', '400', '401', '429'],
  'GET /api/definitions/{id}': ['200', '400', '401', '404', '429'],
  'POST /api/definitions/{id}/activate': ['200', '400', '401', '403', '404', '413', '415', '429'],
  'POST /api/definitions/{id}/deactivate': ['200', '400', '401', '403', '404', '413', '415', '429'],
  'POST /api/instances': ['200', '201', '400', '401', '404', '409', '413', '415', '422', '429'],
  'GET /api/instances': ['200', '400', '401', '429'],
  'GET /api/instances/{id}': ['200', '400', '401', '404', '429'],
  'GET /api/instances/{id}/history': ['200', '400', '401', '404', '429'],
  'GET /api/instances/{id}/history/verify': ['200', '400', '401', '404', '429'],
  'POST /api/instances/{id}/cancel': ['200', '400', '401', '403', '404', '409', '413', '415', '429'],
  'POST /api/instances/{id}/retry': ['200', '400', '401', '403', '404', '409', '413', '415', '429'],
  'GET /api/instances/{id}/comments': ['200', '400', '401', '404', '429'],
  'POST /api/instances/{id}/comments': ['201', '400', '401', '404', '413', '415', '429'],
  'POST /api/instances/{id}/executions/{executionId}/callback/rotate': ['200', '400', '401', '404', '409', '413', '415', '429'],
  'GET /api/tasks/mine': ['200', '400', '401', '429'],
  'GET /api/tasks': ['200', '400', '401', '403', '429'],
  'POST /api/tasks/bulk': ['200', '400', '401', '413', '415', '429'],
  'GET /api/tasks/{taskId}': ['200', '400', '401', '404', '429'],
  'POST /api/tasks/{taskId}/approve': ['200', '400', '401', '403', '404', '409', '413', '415', '429'],
  'POST /api/tasks/{taskId}/reject': ['200', '400', '401', '403', '404', '409', '413', '415', '429'],
  'POST /api/tasks/{taskId}/delegate': ['200', '400', '401', '403', '404', '409', '413', '415', '429'],
  'POST /api/tasks/{taskId}/complete': ['200', '400', '401', '403', '404', '409', '413', '415', '429'],
  'POST /api/tasks/{taskId}/return': ['200', '400', '401', '403', '404', '409', '413', '415', '429'],
  'POST /api/tasks/{taskId}/claim': ['200', '400', '401', '403', '404', '409', '413', '415', '429'],
  'POST /api/tasks/{taskId}/release': ['200', '400', '401', '403', '404', '409', '413', '415', '429'],
  'POST /api/tasks/{taskId}/reassign': ['200', '400', '401', '403', '404', '409', '413', '415', '429'],
  'POST /api/tasks/{taskId}/deadline': ['200', '400', '401', '403', '404', '409', '413', '415', '429'],
  'POST /api/deputies': ['201', '400', '401', '413', '415', '429'],
  'GET /api/deputies': ['200', '400', '401', '429'],
  'DELETE /api/deputies/{id}': ['204', '400', '401', '404', '429'],
  'POST /api/events': ['202', '400', '401', '409', '413', '415', '429'],
  'POST /api/messages': ['200', '400', '401', '409', '413', '415', '429'],
  'POST /api/callbacks/{token}': ['202', '400', '404', '409', '413', '415', '429'],
  'POST /api/calendars': ['200', '201', '400', '401', '403', '413', '415', '429'],
  'GET /api/calendars': ['200', '400', '401', '429'],
  'PUT /api/calendars/{name}': ['200', '201', '400', '401', '403', '413', '415', '429'],
  'GET /api/calendars/{name}': ['200', '400', '401', '404', '429'],
  'GET /api/views': ['200', '400', '401', '429'],
  'PUT /api/views/{page}/{name}': ['200', '201', '400', '401', '404', '409', '413', '415', '429'],
  'DELETE /api/views/{page}/{name}': ['204', '400', '401', '404', '429'],
  'GET /api/analytics/workflows': ['200', '400', '401', '429'],
  'GET /healthz': ['200'],
  'GET /readyz': ['200', '503'],
  'GET /metrics': ['200'],
};

describe('the OpenAPI document', () => {
  it('documents exactly the operations of the API', () => {
    expect(operations.map((o) => o.key).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(operations.map((o) => [o.key, o] as const))('%s documents each answer that applies, with a schema and an example', (key, { op }) => {
    expect(Object.keys(op.responses).sort()).toEqual(EXPECTED[key]);
    for (const [status, response] of Object.entries(op.responses)) {
      const media = Object.values(response.content ?? {});
      // a 204 has no body to describe
      expect({ status, media: media.length }).toEqual({ status, media: status === '204' ? 0 : 1 });
      for (const m of media) {
        expect({ status, schema: m.schema }).toEqual({ status, schema: expect.any(Object) });
        const examples = m.examples ? Object.values(m.examples).map((e) => e.value) : [m.example];
        expect({ status, exampled: examples.length > 0 && examples.every((e) => e !== undefined) }).toEqual({ status, exampled: true });
      }
    }
    // behind the token: 401 and 429 always; the public operations need none
    const isPublic = Array.isArray(op.security) && op.security.length === 0;
    expect(isPublic).toBe(PUBLIC.includes(key));
    if (!isPublic) expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['401', '429']));
  });

  it.each(operations.map((o) => [o.key, o] as const))('%s: every example fits its schema', (_key, { op }) => {
    for (const [status, response] of Object.entries(op.responses)) {
      for (const m of Object.values(response.content ?? {})) {
        const examples = m.examples ? Object.entries(m.examples).map(([name, e]) => [name, e.value] as const) : [['example', m.example] as const];
        for (const [name, example] of examples) {
          expect({ status, name, problems: problems(m.schema!, example) }).toEqual({ status, name, problems: [] });
        }
      }
    }
  });

  it('gives every error answer the error shape, with the code of each example in its description', () => {
    for (const { key, op } of operations) {
      for (const [status, response] of Object.entries(op.responses)) {
        if (Number(status) < 400) continue;
        const media = response.content?.['application/json'];
        expect({ key, status, ref: media?.schema?.['$ref'] }).toEqual({ key, status, ref: '#/components/schemas/Error' });
        for (const example of Object.values(media?.examples ?? {})) {
          const code = (example.value as { error: { code: string } }).error.code;
          expect(response.description).toContain(code);
        }
      }
    }
  });

  it('lets each component schema example fit its own schema', () => {
    for (const [name, schema] of Object.entries(doc.components.schemas)) {
      for (const example of (schema['examples'] as unknown[] | undefined) ?? []) {
        expect({ name, problems: problems(schema, example) }).toEqual({ name, problems: [] });
      }
    }
  });

  it('documents every paged list as the lists are refused: INVALID_CURSOR among the 400s', () => {
    for (const key of PAGED) {
      const op = operations.find((o) => o.key === key)!.op;
      expect(Object.keys(op.responses['400']!.content!['application/json']!.examples!)).toEqual(expect.arrayContaining(['INVALID_CURSOR', 'VALIDATION_FAILED']));
    }
  });
});

describe('the documented query parameters', () => {
  const QUERIES: Record<string, ZodType> = {
    'GET /api/definitions': definitionListQuery,
    'GET /api/instances': instanceListQuery,
    'GET /api/tasks/mine': taskListQuery,
    'GET /api/tasks': openTaskListQuery,
    'GET /api/instances/{id}/history': historyQuery,
    'GET /api/instances/{id}/comments': historyQuery,
    'GET /api/deputies': historyQuery,
    'GET /api/calendars': historyQuery,
    'GET /api/analytics/workflows': analyticsQuery,
    'GET /api/views': viewListQuery,
  };
  const queryParams = (key: string) => (operations.find((o) => o.key === key)!.op.parameters ?? []).filter((p) => p.in === 'query');

  it('give limit the bounds that are enforced: 1 to 500, default 100', () => {
    for (const key of PAGED) {
      const limit = queryParams(key).find((p) => p.name === 'limit');
      expect({ key, schema: limit?.schema }).toEqual({ key, schema: { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE } });
    }
  });

  it.each(Object.entries(QUERIES))('%s accepts every integer the document allows, and nothing beyond', (key, schema) => {
    for (const param of queryParams(key).filter((p) => p.schema['type'] === 'integer')) {
      const { minimum, maximum } = param.schema as { minimum: number; maximum: number };
      for (const n of [minimum, minimum + 1, Math.floor((minimum + maximum) / 2), maximum]) {
        expect({ n, ok: schema.safeParse({ [param.name]: String(n) }).success }).toEqual({ n, ok: true });
      }
      for (const n of [minimum - 1, maximum + 1]) {
        expect({ n, ok: schema.safeParse({ [param.name]: String(n) }).success }).toEqual({ n, ok: false });
      }
    }
  });

  it.each(Object.entries(QUERIES))('%s accepts the documented enum values and refuses an undocumented parameter', (key, schema) => {
    for (const param of queryParams(key)) {
      for (const value of (param.schema['enum'] as string[] | undefined) ?? []) {
        expect({ param: param.name, value, ok: schema.safeParse({ [param.name]: value }).success }).toEqual({ param: param.name, value, ok: true });
      }
    }
    expect(schema.safeParse({ undocumented: '1' }).success).toBe(false);
  });
});

describe('messages, callbacks, calendars and deadlines', () => {
  const op = (key: string) => operations.find((o) => o.key === key)!.op;
  const codesAt = (key: string, status: string) =>
    Object.values(op(key).responses[status]?.content?.['application/json']?.examples ?? {}).map((e) => (e.value as { error: { code: string } }).error.code);

  it('documents the callback URL without a token, and its refusals by their codes', () => {
    const key = 'POST /api/callbacks/{token}';
    expect(op(key).security).toEqual([]);
    expect(codesAt(key, '404')).toEqual(['NOT_FOUND']);
    expect(codesAt(key, '409').sort()).toEqual(['CALLBACK_NOT_WAITING', 'CALLBACK_USED']);
    expect(op(key).responses['429']!.description).toMatch(/client address/);
  });

  it('documents each code of the waits where it is answered', () => {
    expect(codesAt('POST /api/messages', '400')).toEqual(expect.arrayContaining(['VALIDATION_FAILED', 'INVALID_DURATION']));
    expect(codesAt('POST /api/messages', '409')).toEqual(['MESSAGE_ID_REUSED']);
    expect(codesAt('POST /api/instances/{id}/executions/{executionId}/callback/rotate', '409')).toEqual(['NOT_WAITING_FOR_MESSAGE']);
    expect(codesAt('POST /api/calendars', '400')).toEqual(expect.arrayContaining(['INVALID_CALENDAR']));
    expect(codesAt('POST /api/calendars', '403')).toEqual(['ADMIN_REQUIRED']);
    expect(codesAt('PUT /api/calendars/{name}', '400')).toEqual(expect.arrayContaining(['INVALID_CALENDAR', 'VALIDATION_FAILED']));
    // the deadline's body comes before its task; a task that no longer waits is a 409, as for every task action
    expect(codesAt('POST /api/tasks/{taskId}/deadline', '400')).toEqual(expect.arrayContaining(['VALIDATION_FAILED', 'REASON_REQUIRED']));
    expect(codesAt('POST /api/tasks/{taskId}/deadline', '409')).toEqual(['TASK_NOT_WAITING']);
    expect(codesAt('POST /api/tasks/{taskId}/deadline', '403')).toEqual(['ADMIN_REQUIRED']);
  });

  it('describes the calendar a client sends as the engine checks it', () => {
    const input = doc.components.schemas['CalendarInput']!;
    const stored = (doc.components.schemas['Calendar']!['examples'] as { definition: unknown }[])[0]!.definition;
    expect(problems(input, stored)).toEqual([]);
    expect(calendarSchema.safeParse(stored).success).toBe(true);
    expect(problems(input, { name: 'x', timeZone: 'UTC', workingHours: { monday: [] } })).not.toEqual([]);
  });

  it('documents the calendar name in the path as it is checked', () => {
    const param = op('GET /api/calendars/{name}').parameters!.find((p) => p.name === 'name')!;
    for (const name of ['de-office', 'a.b_c', 'x'.repeat(100), 'x'.repeat(101), 'with space', '']) {
      const documented = new RegExp(param.schema['pattern'] as string).test(name);
      expect({ name, documented }).toEqual({ name, documented: calendarName.safeParse(name).success });
    }
  });

  it('documents both forms of a message\'s timeToLive and correlationKey', () => {
    const schema = (op('POST /api/messages') as unknown as { requestBody: { content: Record<string, MediaType> } }).requestBody.content['application/json']!.schema!;
    for (const body of [{ name: 'paid', correlationKey: 'SO-1', timeToLive: 'PT10M' }, { name: 'paid', correlationKey: 42, timeToLive: 600 }]) {
      expect(problems(schema, body)).toEqual([]);
      expect(messageBody.safeParse(body).success).toBe(true);
    }
    expect(problems(schema, { name: 'paid' })).not.toEqual([]);
  });
});

describe('saved views', () => {
  const op = (key: string) => operations.find((o) => o.key === key)!.op;
  const codesAt = (key: string, status: string) =>
    Object.values(op(key).responses[status]?.content?.['application/json']?.examples ?? {}).map((e) => (e.value as { error: { code: string } }).error.code);

  it('documents the limits and the rename by their codes', () => {
    expect(codesAt('PUT /api/views/{page}/{name}', '409').sort()).toEqual(['VIEW_LIMIT_REACHED', 'VIEW_NAME_TAKEN']);
    expect(codesAt('PUT /api/views/{page}/{name}', '404')).toEqual(['NOT_FOUND']);
    expect(codesAt('DELETE /api/views/{page}/{name}', '404')).toEqual(['NOT_FOUND']);
  });

  it('documents the path and the body as they are checked', () => {
    const params = op('PUT /api/views/{page}/{name}').parameters!;
    expect(params.find((p) => p.name === 'page')!.schema['enum']).toEqual(['inbox', 'tasks', 'instances', 'incidents']);
    const name = params.find((p) => p.name === 'name')!;
    for (const candidate of ['Mine', 'x'.repeat(80), 'x'.repeat(81), 'tab\there']) {
      const documented = new RegExp(name.schema['pattern'] as string, 'u').test(candidate) && candidate.length <= (name.schema['maxLength'] as number);
      expect({ candidate, documented }).toEqual({ candidate, documented: viewName.safeParse(candidate).success });
    }
    const schema = (op('PUT /api/views/{page}/{name}') as unknown as { requestBody: { content: Record<string, MediaType> } }).requestBody.content['application/json']!.schema!;
    for (const body of [{ filters: { workflowName: 'PO', urgencyLevel: ['URGENT'], mine: true, min: 5 } }, { name: 'Renamed' }, { filters: {}, position: 3 }]) {
      expect(problems(schema, body)).toEqual([]);
      expect(viewBody.safeParse(body).success).toBe(true);
    }
    for (const body of [{ filters: { nested: { a: 1 } } }, { filters: [] }, { filters: { n: null } }, { other: 1 }]) {
      expect({ body, documented: problems(schema, body).length > 0 }).toEqual({ body, documented: true });
      expect({ body, accepted: viewBody.safeParse(body).success }).toEqual({ body, accepted: false });
    }
  });
});
