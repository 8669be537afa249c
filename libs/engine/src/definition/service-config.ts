/**
 * A service task's `serviceConfig` against its handler's `configSchema` (zod): checked with every
 * issue and its path when a definition is compiled, parsed again (cheaply) when a step runs, so a
 * stored config that no longer fits fails the step instead of reaching the handler.
 *
 * CEL in a config is marked in the schema: `celExpression()` for a string that is one expression,
 * `withCelTemplates(schema)` for a value whose strings may all embed `{{ expr }}`. Those marks
 * check nothing at run time (templates are rendered then); while a definition is compiled they
 * check the syntax and length of each expression and hand the compiler what it type-checks
 * against `contextSchema`. A zod check is not told its path (the path is added as its issues
 * bubble up), so an expression to type-check is reported as an issue carrying `TYPED_CHECK` in its
 * params, which the compiler takes out of the list and keeps, path and all.
 */

import { z } from 'zod';
import { NodeFailedError } from '../errors/engine-errors';
import { checkExpression, checkTemplate, templateExpressions } from '../expressions/cel-expression';
import { DEFAULT_DEFINITION_LIMITS } from './definition.types';
import { formatPath } from './format-path';

/** One thing wrong with a `serviceConfig`; `path` is relative to it (`sql`, `headers.x`). */
export interface ConfigProblem {
  readonly path: string;
  readonly message: string;
}

/** What the marks check while a definition is compiled; null the rest of the time (a step running). */
interface CompileScope {
  readonly maxExpressionLength: number;
  /** report each expression that parsed, for the type check against `contextSchema` */
  readonly typed: boolean;
}

let compileScope: CompileScope | null = null;

const TYPED_CHECK = 'wf.typedCheck';

interface TypedCheckMark {
  readonly source: string;
  readonly inTemplate: boolean;
}

function typedCheck(source: string, inTemplate: boolean, path: PropertyKey[] = []): z.core.$ZodSuperRefineIssue {
  const mark: TypedCheckMark = { source, inTemplate };
  return { code: 'custom', message: 'to type-check', path, params: { [TYPED_CHECK]: mark }, continue: true };
}

/**
 * A string that is one CEL expression over `{ context, instance }` (a `database_query` param, say).
 * `notAString` is the message when it is something else.
 */
export function celExpression(notAString = 'an expression is written as a string'): z.ZodString {
  return z.string({ error: notAString }).superRefine((source, ctx) => {
    const scope = compileScope;
    if (!scope) return;
    if (source.length > scope.maxExpressionLength) {
      ctx.addIssue({ code: 'custom', message: `expression is longer than ${scope.maxExpressionLength} characters` });
      return;
    }
    const checked = checkExpression(source);
    if (!checked.ok) ctx.addIssue({ code: 'custom', message: `invalid expression: ${checked.message}` });
    else if (scope.typed) ctx.addIssue(typedCheck(source, false));
  });
}

/**
 * `schema` with a rule checked only while a definition is compiled: for what the handler judges
 * again, on the rendered value, when it runs (a literal sender off `email_send`'s list).
 */
export function refinedAtSave<T extends z.ZodType>(schema: T, check: (value: z.output<T>, ctx: z.core.$RefinementCtx<z.output<T>>) => void): T {
  return schema.superRefine((value, ctx) => {
    if (compileScope) check(value, ctx);
  });
}

/** Deeper than this, a config's strings are not searched for templates. */
const MAX_TEMPLATE_DEPTH = 20;

/**
 * `schema`, with every string anywhere in its value allowed to embed `{{ expr }}` templates
 * (`http_call`, `email_send`). Checked after the schema's own rules, also when those failed.
 */
export function withCelTemplates<T extends z.ZodType>(schema: T): T {
  return schema.superRefine(
    (value, ctx) => {
      const scope = compileScope;
      if (!scope) return;
      const stack: { value: unknown; path: PropertyKey[] }[] = [{ value, path: [] }];
      // depth first, in key order, as the config reads
      for (let item = stack.pop(); item; item = stack.pop()) {
        const { path } = item;
        if (path.length > MAX_TEMPLATE_DEPTH) continue;
        if (typeof item.value === 'string') {
          checkTemplateString(item.value, path, scope, ctx);
        } else if (Array.isArray(item.value)) {
          for (let i = item.value.length - 1; i >= 0; i--) stack.push({ value: item.value[i], path: [...path, i] });
        } else if (item.value !== null && typeof item.value === 'object') {
          const entries = Object.entries(item.value);
          for (let i = entries.length - 1; i >= 0; i--) {
            const [key, child] = entries[i] as [string, unknown];
            stack.push({ value: child, path: [...path, key] });
          }
        }
      }
    },
    { when: () => true },
  );
}

function checkTemplateString(value: string, path: PropertyKey[], scope: CompileScope, ctx: z.core.$RefinementCtx): void {
  const expressions = templateExpressions(value);
  if (expressions.some((expression) => expression.length > scope.maxExpressionLength)) {
    ctx.addIssue({ code: 'custom', message: `expression is longer than ${scope.maxExpressionLength} characters`, path, continue: true });
    return;
  }
  const messages = checkTemplate(value);
  for (const message of messages) ctx.addIssue({ code: 'custom', message: `invalid template: ${message}`, path, continue: true });
  if (messages.length === 0 && scope.typed) {
    for (const source of expressions) ctx.addIssue(typedCheck(source, true, path));
  }
}

/** A config problem for the compiler: `path` as segments under `serviceConfig`. */
interface ServiceConfigIssue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

/** An expression found in a config, to type-check against `contextSchema`. */
interface ServiceConfigExpression {
  readonly path: readonly PropertyKey[];
  readonly source: string;
  readonly inTemplate: boolean;
}

export type ServiceConfigCheck =
  | { readonly ok: true; readonly config: unknown; readonly expressions: readonly ServiceConfigExpression[] }
  | { readonly ok: false; readonly problems: readonly ServiceConfigIssue[]; readonly expressions: readonly ServiceConfigExpression[] };

function parseWithCel<C>(schema: z.ZodType<C>, raw: unknown, scope: CompileScope | null): z.ZodSafeParseResult<C> {
  const outer = compileScope;
  compileScope = scope;
  try {
    return schema.safeParse(raw);
  } finally {
    compileScope = outer;
  }
}

/** `serviceConfig` against `schema`, as the compiler checks it: every issue, and the CEL to type-check. */
export function checkServiceConfig(schema: z.ZodType, raw: unknown, opts: { maxExpressionLength: number; typed: boolean }): ServiceConfigCheck {
  const parsed = parseWithCel(schema, raw, opts);
  if (parsed.success) return { ok: true, config: parsed.data, expressions: [] };
  const problems: ServiceConfigIssue[] = [];
  const expressions: ServiceConfigExpression[] = [];
  for (const issue of parsed.error.issues) {
    const mark = issue.code === 'custom' ? (issue.params?.[TYPED_CHECK] as TypedCheckMark | undefined) : undefined;
    if (mark) expressions.push({ path: issue.path, source: mark.source, inTemplate: mark.inTemplate });
    else problems.push({ path: issue.path, message: issue.message });
  }
  if (problems.length > 0) return { ok: false, problems, expressions };
  // only marks: the config fits; parse it again, unmarked, for its value
  const again = parseWithCel(schema, raw, null);
  if (!again.success) return { ok: false, problems: again.error.issues.map((i) => ({ path: i.path, message: i.message })), expressions };
  return { ok: true, config: again.data, expressions };
}

/** The run-time parses that succeeded, by config object and schema. */
const parsedAtRun = new WeakMap<object, Map<z.ZodType, unknown>>();

/**
 * `serviceConfig` as a step runs it: the parsed, defaulted config, or a `NodeFailedError` with the
 * first issue's `params.errorCode` (default `INVALID_CONFIG`) and its message, prefixed with the
 * service type (`http_call: serviceConfig.timeoutMs must be at most 300000 (five minutes)`).
 */
export function parseServiceConfig<C>(type: string, schema: z.ZodType<C>, raw: unknown): C {
  const memo = raw !== null && typeof raw === 'object' ? parsedAtRun.get(raw) : undefined;
  if (memo?.has(schema)) return memo.get(schema) as C;
  const parsed = parseWithCel(schema, raw, null);
  if (parsed.success) {
    // a compiled definition is cached, and so is its config object: parse it once per process,
    // not on every step (set_context runs on the hot path). Handlers treat their config as read-only.
    if (raw !== null && typeof raw === 'object') {
      const bySchema = memo ?? new Map<z.ZodType, unknown>();
      bySchema.set(schema, parsed.data);
      parsedAtRun.set(raw, bySchema);
    }
    return parsed.data;
  }
  const [first] = parsed.error.issues;
  const code = first?.code === 'custom' && typeof first.params?.['errorCode'] === 'string' ? first.params['errorCode'] : 'INVALID_CONFIG';
  const problems = parsed.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
  throw new NodeFailedError(code, `${type}: ${first?.message ?? 'invalid serviceConfig'}`, { problems });
}

/**
 * What the compiler would report for `config` (CEL syntax included, no `contextSchema`), with
 * paths relative to `serviceConfig`: for testing a handler's schema.
 */
export function serviceConfigProblems(schema: z.ZodType, config: unknown, maxExpressionLength = DEFAULT_DEFINITION_LIMITS.maxExpressionLength): ConfigProblem[] {
  const checked = checkServiceConfig(schema, config, { maxExpressionLength, typed: false });
  return checked.ok ? [] : checked.problems.map((p) => ({ path: formatPath(p.path), message: p.message }));
}
