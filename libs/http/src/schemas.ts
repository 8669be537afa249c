/**
 * The shape of every path id, query string, header and body of the HTTP contract (API.md).
 * Services receive what these produce; permissions, visibility and state are theirs to check.
 */

import { z } from 'zod';
import { INSTANCE_STATUSES, type JsonObject } from '@wf/engine';
import { URGENCY_LEVELS } from '@wf/runtime';

/**
 * Any 8-4-4-4-12 hex id. Postgres `uuid` accepts all of them, and the development tenant
 * (`00000000-0000-0000-0000-000000000001`) carries no RFC 4122 version, so `z.uuid()` is too strict.
 */
export const idSchema = z.guid({ error: 'must be a UUID' });

/** Longest free-text comment on a decision. */
const MAX_COMMENTS_LENGTH = 10_000;
/** Longest list page. */
export const MAX_PAGE_SIZE = 500;
export const DEFAULT_PAGE_SIZE = 100;

const isJsonObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const jsonObjectSchema = z.custom<JsonObject>(isJsonObject, { error: 'must be a JSON object' });

const nonBlank = (max: number) =>
  z.string().max(max).regex(/\S/, { error: 'must not be empty' });

// ---- query strings: every value arrives as a string (an array when repeated, which is refused)

const limitParam = z
  .string()
  .regex(/^[0-9]+$/, { error: `must be an integer from 1 to ${MAX_PAGE_SIZE}` })
  .transform(Number)
  .pipe(
    z
      .number()
      .int()
      .min(1, { error: `must be an integer from 1 to ${MAX_PAGE_SIZE}` })
      .max(MAX_PAGE_SIZE, { error: `must be an integer from 1 to ${MAX_PAGE_SIZE}` }),
  )
  .default(DEFAULT_PAGE_SIZE);

const cursorParam = z
  .string()
  .min(1)
  .max(2000)
  .optional()
  .transform((v) => v ?? null);

const pageParams = { limit: limitParam, cursor: cursorParam };

/** Unknown parameters are refused: a misspelt filter must not silently list everything. */
export const definitionListQuery = z.strictObject({
  ...pageParams,
  isActive: z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .transform((v) => v === 'true')
    .optional(),
  name: z.string().min(1).optional(),
  category: z.string().min(1).optional(),
});

export const instanceListQuery = z.strictObject({
  ...pageParams,
  status: z.enum(INSTANCE_STATUSES).optional(),
  workflowDefinitionId: idSchema.optional(),
  workflowName: z.string().min(1).optional(),
});

export const taskListQuery = z.strictObject({
  ...pageParams,
  urgencyLevel: z.enum(URGENCY_LEVELS).optional(),
});

/** Lists without filters or pages take no parameters: an unknown one is refused, as everywhere. */
export const analyticsQuery = z.strictObject({});
export const historyQuery = z.strictObject({});

// ---- bodies: unknown fields and wrongly typed ones are refused, never ignored

/** Compiled by the engine, which lists every problem; here it only has to be an object. */
export const definitionBody = jsonObjectSchema;

export const startInstanceBody = z
  .strictObject({
    workflowDefinitionId: idSchema.optional(),
    workflowName: nonBlank(1000).optional(),
    contextEntityType: z.string().max(1000).optional(),
    contextEntityId: z.string().max(1000).optional(),
    contextData: jsonObjectSchema.optional(),
  })
  .superRefine((body, ctx) => {
    const given = [body.workflowDefinitionId, body.workflowName].filter((v) => v !== undefined).length;
    if (given !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: given === 0 ? [] : ['workflowName'],
        message: 'give exactly one of workflowDefinitionId or workflowName',
      });
    }
  });

export const startInstanceHeaders = z.object({
  'Idempotency-Key': z.string().min(1, { error: 'must not be empty' }).max(200).optional(),
});

const comments = z.string().max(MAX_COMMENTS_LENGTH).optional();

/** approve and reject */
export const decisionBody = z.strictObject({ comments });

export const cancelBody = z.strictObject({ reason: z.string().trim().min(1).max(1000).optional() });

export const delegateBody = z.strictObject({
  toUserId: nonBlank(256),
  comments,
});

export const completeBody = z.strictObject({ data: jsonObjectSchema });

export const eventBody = z.strictObject({
  eventType: nonBlank(200),
  contextEntityType: z.string().max(1000).optional(),
  contextEntityId: z.string().max(1000).optional(),
  contextData: jsonObjectSchema.optional(),
});
