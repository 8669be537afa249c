/**
 * The shape of every path id, query string, header and body of the HTTP contract (API.md).
 * Services receive what these produce; permissions, visibility and state are theirs to check.
 */

import { z } from 'zod';
import { durationToMs, INSTANCE_STATUSES, parseIsoDuration, type JsonObject } from '@wf/engine';
import { MAX_SAVED_VIEW_FILTER_BYTES, MAX_SAVED_VIEW_NAME_LENGTH, MAX_SAVED_VIEWS_PER_PAGE, SAVED_VIEW_PAGES, URGENCY_LEVELS } from '@wf/runtime';

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

/** An ISO-8601 instant with its offset (`2026-12-01T09:00:00Z`), or a date (midnight UTC). */
const instantParam = z
  .string()
  .refine((v) => /^\d{4}-\d{2}-\d{2}([T ][0-9:.]+(Z|[+-]\d{2}:?\d{2}))?$/.test(v) && !Number.isNaN(Date.parse(v)), {
    error: 'must be an ISO-8601 date or date-time with offset, such as 2026-12-01 or 2026-12-01T09:00:00Z',
  })
  .transform((v) => new Date(v));

const instantRange = <F extends string, T extends string>(from: F, to: T) =>
  (q: Partial<Record<F | T, Date>>, ctx: z.RefinementCtx) => {
    const a = q[from];
    const b = q[to];
    if (a && b && b <= a) ctx.addIssue({ code: 'custom', path: [to], message: `must be after ${from}` });
  };

export const instanceListQuery = z
  .strictObject({
    ...pageParams,
    status: z.enum(INSTANCE_STATUSES).optional(),
    workflowDefinitionId: idSchema.optional(),
    workflowName: z.string().min(1).optional(),
    contextEntityType: z.string().min(1).max(1000).optional(),
    contextEntityId: z.string().min(1).max(1000).optional(),
    startedBy: z.string().min(1).max(256).optional(),
    startedFrom: instantParam.optional(),
    startedTo: instantParam.optional(),
    completedFrom: instantParam.optional(),
    completedTo: instantParam.optional(),
  })
  .superRefine(instantRange('startedFrom', 'startedTo'))
  .superRefine(instantRange('completedFrom', 'completedTo'));

export const taskListQuery = z.strictObject({
  ...pageParams,
  urgencyLevel: z.enum(URGENCY_LEVELS).optional(),
  workflowName: z.string().min(1).optional(),
  contextEntityType: z.string().min(1).max(1000).optional(),
  contextEntityId: z.string().min(1).max(1000).optional(),
});

const booleanParam = z
  .enum(['true', 'false'], { error: 'must be true or false' })
  .transform((v) => v === 'true');

/** The operator view: every open task of the tenant. */
export const openTaskListQuery = z.strictObject({
  ...pageParams,
  workflowName: z.string().min(1).optional(),
  nodeId: z.string().min(1).optional(),
  role: z.string().min(1).optional(),
  assignee: z.string().min(1).optional(),
  urgencyLevel: z.enum(URGENCY_LEVELS).optional(),
  overdue: booleanParam.optional(),
  contextEntityType: z.string().min(1).max(1000).optional(),
  contextEntityId: z.string().min(1).max(1000).optional(),
  olderThanHours: z
    .string()
    .regex(/^[0-9]+(\.[0-9]+)?$/, { error: 'must be a number of hours' })
    .transform(Number)
    .pipe(z.number().min(0).max(87_600))
    .optional(),
});

/** Lists without filters or pages take no parameters: an unknown one is refused, as everywhere. */
export const analyticsQuery = z
  .strictObject({
    from: instantParam.optional(),
    to: instantParam.optional(),
    detail: booleanParam.optional(),
  })
  .superRefine(instantRange('from', 'to'));
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

/** send back for revision: the reviewer says what to revise (missing or blank: 400 COMMENTS_REQUIRED from the engine) */
export const returnBody = z.strictObject({ comments: z.string().max(MAX_COMMENTS_LENGTH).default('') });

/** claim and release */
export const handOverBody = z.strictObject({ comments });

export const reassignBody = z
  .strictObject({ toUserId: nonBlank(256).optional(), toRole: nonBlank(256).optional(), comments })
  .superRefine((body, ctx) => {
    if ((body.toUserId === undefined) === (body.toRole === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['toUserId'], message: 'give exactly one of toUserId or toRole' });
    }
  });

/** Tasks one bulk request may name. */
export const MAX_BULK_TASKS = 100;

export const bulkTaskBody = z.strictObject({
  action: z.enum(['approve', 'reject', 'claim', 'release']),
  taskIds: z
    .array(idSchema)
    .min(1, { error: 'name at least one task' })
    .max(MAX_BULK_TASKS, { error: `at most ${MAX_BULK_TASKS} tasks per request` }),
  comments,
});

export const commentBody = z.strictObject({ text: nonBlank(MAX_COMMENTS_LENGTH) });

const nameList = z.array(z.string().min(1).max(200)).max(100);

export const deputyBody = z
  .strictObject({
    userId: nonBlank(256).optional(),
    deputyUserId: nonBlank(256),
    startsAt: instantParam,
    endsAt: instantParam,
    workflows: nameList.optional(),
    roles: nameList.optional(),
  });

export const eventBody = z.strictObject({
  eventType: nonBlank(200),
  contextEntityType: z.string().max(1000).optional(),
  contextEntityId: z.string().max(1000).optional(),
  contextData: jsonObjectSchema.optional(),
});

/** Longest a buffered message is kept: 30 days. */
const MAX_MESSAGE_TTL_MS = 30 * 24 * 3_600_000;

/** `timeToLive`: an ISO-8601 duration (`PT10M`) or a number of seconds; kept this long when nobody waits yet. */
const timeToLive = z
  .union([
    z.number().int().min(0).transform((seconds) => seconds * 1000),
    z.string().transform((text, ctx) => {
      const parsed = parseIsoDuration(text);
      if (!parsed.ok) {
        ctx.addIssue({ code: 'custom', message: parsed.problem });
        return z.NEVER;
      }
      // years and months have no fixed length: 400 INVALID_DURATION, said plainly
      return durationToMs(text);
    }),
  ])
  .pipe(z.number().max(MAX_MESSAGE_TTL_MS, { error: 'a message is kept at most 30 days (P30D)' }));

export const messageBody = z.strictObject({
  name: nonBlank(200),
  correlationKey: z.union([nonBlank(500), z.number().finite().transform(String)]),
  data: jsonObjectSchema.optional(),
  messageId: nonBlank(200).optional(),
  timeToLive: timeToLive.optional(),
});

/** A callback's body is the data it delivers: a JSON object (an absent body delivers none). */
export const callbackBody = jsonObjectSchema;

export const calendarName = z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/, { error: 'a calendar name is 1 to 100 letters, digits, "_", "." or "-"' });

export const deadlineBody = z.strictObject({
  slaDeadline: instantParam,
  reason: nonBlank(1000),
});

// ---- saved views (/api/views)

/** The page a saved view belongs to, in the path and in `GET /api/views?page=`. */
export const viewPage = z.enum(SAVED_VIEW_PAGES, { error: `must be one of ${SAVED_VIEW_PAGES.join(', ')}` });

const VIEW_NAME_PROBLEM = `a view name is 1 to ${MAX_SAVED_VIEW_NAME_LENGTH} characters (after trimming), without control characters`;

/** A saved view's name: trimmed, 1 to 80 characters, no control characters. */
export const viewName = z
  .string({ error: VIEW_NAME_PROBLEM })
  .trim()
  .min(1, { error: VIEW_NAME_PROBLEM })
  .max(MAX_SAVED_VIEW_NAME_LENGTH, { error: VIEW_NAME_PROBLEM })
  .regex(/^[^\p{Cc}]*$/u, { error: VIEW_NAME_PROBLEM });

/** `/api/views/:page/:name`: each problem at `page` or `name`. */
export const viewPath = z.object({ page: viewPage, name: viewName });

export const viewListQuery = z.strictObject({ page: viewPage.optional() });

const FILTER_VALUE_PROBLEM = 'a filter is a string, a number, a boolean or a list of strings';

/** The filters of a saved view: a JSON object of strings, numbers, booleans and string lists, at most 4 KiB as JSON. */
const viewFilters = z
  .record(
    z.string().min(1, { error: 'a filter name is 1 to 100 characters' }).max(100, { error: 'a filter name is 1 to 100 characters' }),
    z.union([z.string(), z.number(), z.boolean(), z.array(z.string())], { error: FILTER_VALUE_PROBLEM }),
    { error: 'must be a JSON object' },
  )
  .superRefine((filters, ctx) => {
    const bytes = Buffer.byteLength(JSON.stringify(filters), 'utf8');
    if (bytes > MAX_SAVED_VIEW_FILTER_BYTES) {
      ctx.addIssue({ code: 'custom', message: `the filters are ${bytes} bytes as JSON; the most is ${MAX_SAVED_VIEW_FILTER_BYTES} (4 KiB)` });
    }
  });

/** `PUT /api/views/:page/:name`: `filters` (required to create), `name` to rename, `position` to reorder. */
export const viewBody = z.strictObject({
  filters: viewFilters.optional(),
  name: viewName.optional(),
  position: z
    .int({ error: `must be an integer from 0 to ${MAX_SAVED_VIEWS_PER_PAGE - 1}` })
    .min(0, { error: `must be an integer from 0 to ${MAX_SAVED_VIEWS_PER_PAGE - 1}` })
    .max(MAX_SAVED_VIEWS_PER_PAGE - 1, { error: `must be an integer from 0 to ${MAX_SAVED_VIEWS_PER_PAGE - 1}` })
    .optional(),
});
