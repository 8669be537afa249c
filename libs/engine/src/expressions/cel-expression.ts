/**
 * CEL (Common Expression Language) over `{ context, instance }`: the one place the engine talks to
 * `@marcbachmann/cel-js`. CEL is interpreted, side-effect free and not Turing-complete, so a
 * definition's expressions can never run arbitrary code (no `eval`, `new Function` or `vm`).
 *
 * Two adjustments make CEL fit JSON data, where a number is just a number:
 * - integral JSON numbers are handed to CEL as `int` (BigInt), so `context.amount + 1` works, and
 *   `int` results come back as JS numbers;
 * - mixed `int`/`double` arithmetic (`+ - * /`) is allowed and yields a `double`, so
 *   `context.amount * 1.1` works whether the amount arrived as `15000` or `15000.5`
 *   (standard CEL refuses it: "no such overload: int * double");
 * - list and map literals may mix value types, as JSON does.
 */
import { Environment } from '@marcbachmann/cel-js';
import { NodeFailedError } from '../errors/engine-errors';

/** What an expression sees: the instance's context data and facts about the instance. */
export interface ExpressionScope {
  context: Record<string, unknown>;
  instance: Record<string, unknown>;
}

export type ExpressionCheck = { ok: true; type: string } | { ok: false; message: string };

/** Parsed programs kept for reuse; the oldest is dropped beyond this many. */
const PROGRAM_CACHE_SIZE = 1000;

const environment = createEnvironment();
const programs = new Map<string, (vars: Record<string, unknown>) => unknown>();

function createEnvironment(): Environment {
  const env = new Environment({
    // JSON objects mix value types, so literals may too: `{"total": 1, "ids": [1, 2]}`.
    homogeneousAggregateLiterals: false,
    // Far below the library defaults (100000 nodes, depth 250): a condition is a line, not a program.
    limits: { maxAstNodes: 1000, maxDepth: 50 },
  })
    .registerVariable('context', 'map')
    .registerVariable('instance', 'map');
  const arithmetic: Record<string, (a: number, b: number) => number> = {
    '+': (a, b) => a + b,
    '-': (a, b) => a - b,
    '*': (a, b) => a * b,
    '/': (a, b) => a / b,
  };
  for (const [op, apply] of Object.entries(arithmetic)) {
    env.registerOperator(`int ${op} double: double`, (a: bigint, b: number) => apply(Number(a), b));
    env.registerOperator(`double ${op} int: double`, (a: number, b: bigint) => apply(a, Number(b)));
  }
  return env;
}

/** The library's messages carry a source excerpt after the first line; keep the summary. */
function summarize(err: unknown): string {
  if (err instanceof Error) {
    const summary = (err as { summary?: unknown }).summary;
    if (typeof summary === 'string' && summary) return summary;
    return err.message.split('\n')[0] ?? err.message;
  }
  return String(err);
}

/** Parses and type-checks `source` against `{ context: map, instance: map }`. Never throws. */
export function checkExpression(source: string): ExpressionCheck {
  try {
    const result = environment.check(source);
    if (result.valid) return { ok: true, type: result.type ?? 'dyn' };
    return { ok: false, message: result.error ? summarize(result.error) : 'invalid expression' };
  } catch (err) {
    return { ok: false, message: summarize(err) };
  }
}

function program(source: string): (vars: Record<string, unknown>) => unknown {
  const cached = programs.get(source);
  if (cached) return cached;
  const parsed = environment.parse(source);
  if (programs.size >= PROGRAM_CACHE_SIZE) {
    const oldest = programs.keys().next();
    if (!oldest.done) programs.delete(oldest.value);
  }
  programs.set(source, parsed);
  return parsed;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Integral JSON numbers become CEL ints (BigInt); everything else stays as it is. */
function toCel(value: unknown): unknown {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(toCel);
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = toCel(item);
    return out;
  }
  return value;
}

/** CEL ints (BigInt) become JS numbers, so results are plain JSON-friendly values. */
function fromCel(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(fromCel);
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = fromCel(item);
    return out;
  }
  return value;
}

/**
 * Evaluates `source` over the scope. Any parse or evaluation failure (a missing key such as
 * `context.missing > 1`, a type mismatch, division by zero) throws
 * `NodeFailedError('EXPRESSION_FAILED')` naming the expression.
 */
export function evaluateExpression(source: string, scope: ExpressionScope): unknown {
  let result: unknown;
  try {
    result = program(source)({ context: toCel(scope.context), instance: toCel(scope.instance) });
  } catch (err) {
    throw new NodeFailedError('EXPRESSION_FAILED', `${source}: ${summarize(err)}`, { expression: source });
  }
  return fromCel(result);
}

/** Evaluates a condition; a non-boolean result is `NodeFailedError('CONDITION_NOT_BOOLEAN')`. */
export function evaluateCondition(source: string, scope: ExpressionScope): boolean {
  const result = evaluateExpression(source, scope);
  if (typeof result !== 'boolean') {
    const got = result === null ? 'null' : Array.isArray(result) ? 'list' : typeof result;
    throw new NodeFailedError('CONDITION_NOT_BOOLEAN', `${source}: expected a boolean result, got ${got}`, {
      expression: source,
    });
  }
  return result;
}

const TEMPLATE_EXPRESSION = /\{\{([\s\S]*?)\}\}/g;

/** The expressions embedded in a template as `{{ expr }}`, trimmed, in order. */
export function templateExpressions(template: string): string[] {
  if (!template.includes('{{')) return [];
  return [...template.matchAll(TEMPLATE_EXPRESSION)].map((match) => (match[1] ?? '').trim());
}

/**
 * Replaces each `{{ expr }}` with its value: strings as they are, anything else as JSON.
 * A string without `{{` comes back unchanged.
 */
export function renderTemplate(template: string, scope: ExpressionScope): string {
  if (!template.includes('{{')) return template;
  return template.replace(TEMPLATE_EXPRESSION, (_match, expression: string) => {
    const value = evaluateExpression(expression.trim(), scope);
    if (typeof value === 'string') return value;
    return JSON.stringify(value) ?? 'null';
  });
}

/** One message per embedded expression that does not parse or type-check. */
export function checkTemplate(template: string): string[] {
  const problems: string[] = [];
  if (template.replace(TEMPLATE_EXPRESSION, '').includes('{{')) problems.push('"{{" without a closing "}}"');
  for (const expression of templateExpressions(template)) {
    const checked = checkExpression(expression);
    if (!checked.ok) problems.push(`{{ ${expression} }}: ${checked.message}`);
  }
  return problems;
}
