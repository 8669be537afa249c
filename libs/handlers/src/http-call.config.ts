/** `http_call`'s `serviceConfig`: the one place its rules are written, checked at save, trusted at run. */

import { z } from 'zod';
import { withCelTemplates } from '@wf/engine';

const HTTP_CALL_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** The most `timeoutMs` may be: 300000 ms, five minutes (a step holds a lease that long). */
const MAX_HTTP_TIMEOUT_MS = 300_000;

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

const NEEDS_URL = 'http_call needs serviceConfig.url, a string';

/** A template is checked when it renders; a literal must be an http(s) URL already. */
const url = z.string({ error: NEEDS_URL }).superRefine((value, ctx) => {
  if (value.trim() === '') ctx.addIssue({ code: 'custom', message: NEEDS_URL });
  else if (!value.includes('{{') && !isHttpUrl(value)) {
    ctx.addIssue({ code: 'custom', message: 'serviceConfig.url must be an http or https URL', params: { errorCode: 'INVALID_URL' } });
  }
});

const HEADERS = 'serviceConfig.headers must be an object of strings';
const headers = z.custom<Record<string, string>>(
  (value) =>
    typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((item) => typeof item === 'string'),
  { error: HEADERS },
);

const POSITIVE = 'serviceConfig.timeoutMs must be a positive number';

const RESULT_VARIABLE = 'serviceConfig.resultVariable must be a non-empty string';

export const httpCallConfig = withCelTemplates(
  z.looseObject({
    url,
    /** default `GET` */
    method: z.enum(HTTP_CALL_METHODS, { error: `serviceConfig.method must be one of ${HTTP_CALL_METHODS.join(', ')}` }).default('GET'),
    headers: headers.optional(),
    /** a string is sent as text/plain, anything else as JSON; every string in it is a template */
    body: z.unknown().optional(),
    /** the budget of the whole call, redirects included; default the handler's `defaultTimeoutMs` (10000) */
    timeoutMs: z
      .number({ error: POSITIVE })
      .positive({ error: POSITIVE })
      .max(MAX_HTTP_TIMEOUT_MS, { error: `serviceConfig.timeoutMs must be at most ${MAX_HTTP_TIMEOUT_MS} (five minutes)` })
      .optional(),
    /** the context key the response body goes to */
    resultVariable: z.string({ error: RESULT_VARIABLE }).refine((value) => value.trim() !== '', { error: RESULT_VARIABLE }).optional(),
  }),
);

export type HttpCallConfig = z.output<typeof httpCallConfig>;
