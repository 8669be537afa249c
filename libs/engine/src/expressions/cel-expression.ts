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
 *
 * Every evaluation runs on a budget (`expression-budget.ts`): a deterministic count of nodes
 * evaluated and of the sizes of values worked through, so a nested `all()` over literal lists
 * fails fast with `EXPRESSION_TOO_EXPENSIVE` instead of running for seconds inside a step; and
 * every result has a size limit (`EXPRESSION_RESULT_TOO_LARGE`). `matches` runs on RE2 (linear
 * time, as the CEL specification says), and a literal pattern RE2 refuses is reported when the
 * definition is saved. Both failures are `NodeFailedError`s: retrying cannot change them.
 */
import { Environment } from '@marcbachmann/cel-js';
import { NodeFailedError } from '../errors/engine-errors';
import {
  DEFAULT_EXPRESSION_BUDGET,
  EvaluationMeter,
  measureValue,
  resolveBudget,
  type ExpressionBudget,
} from './expression-budget';
import { currentMeter, meterProgram, runMetered } from './metered-program';
import { matchDynamic } from './re2-matches';

export { DEFAULT_EXPRESSION_BUDGET, type ExpressionBudget };

/** What an expression sees: the instance's context data and facts about the instance. */
export interface ExpressionScope {
  context: Record<string, unknown>;
  instance: Record<string, unknown>;
}

export type ExpressionCheck = { ok: true; type: string } | { ok: false; message: string };

/** Parsed programs kept for reuse; the oldest is dropped beyond this many. */
const PROGRAM_CACHE_SIZE = 1000;

/** A parsed, type-checked and metered expression. */
interface Program {
  readonly type: string;
  run(vars: Record<string, unknown>): unknown;
}

const environment = createEnvironment();
const programs = new Map<string, Program>();

function createEnvironment(): Environment {
  const env = new Environment({
    // JSON objects mix value types, so literals may too: `{"total": 1, "ids": [1, 2]}`.
    homogeneousAggregateLiterals: false,
    // Far below the library defaults (100000 nodes, depth 250): a condition is a line, not a program.
    limits: { maxAstNodes: 1000, maxDepth: 50 },
  })
    .registerVariable('context', 'map')
    .registerVariable('instance', 'map')
    // CEL's function form of `matches`, which cel-js lacks; both forms run on RE2 (metered-program.ts).
    .registerFunction('matches(string, string): bool', (input: string, pattern: string) => matchDynamic(input, pattern, currentMeter()));
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

/**
 * Parses, type-checks and meters `source`, or reuses the program from an earlier call. Throws
 * the library's parse or type error, or `InvalidPatternError` for a literal `matches` pattern.
 */
function program(source: string): Program {
  const cached = programs.get(source);
  if (cached) return cached;
  const parsed = environment.parse(source);
  const checked = parsed.check();
  if (!checked.valid) throw checked.error ?? new Error('invalid expression');
  meterProgram(parsed.ast);
  const compiled: Program = { type: checked.type ?? 'dyn', run: (vars) => parsed(vars) };
  if (programs.size >= PROGRAM_CACHE_SIZE) {
    const oldest = programs.keys().next();
    if (!oldest.done) programs.delete(oldest.value);
  }
  programs.set(source, compiled);
  return compiled;
}

/**
 * Parses and type-checks `source` against `{ context: map, instance: map }`, and compiles its
 * literal `matches` patterns with RE2. Never throws.
 */
export function checkExpression(source: string): ExpressionCheck {
  try {
    return { ok: true, type: program(source).type };
  } catch (err) {
    return { ok: false, message: summarize(err) };
  }
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

function tooExpensive(source: string, maxCost: number): NodeFailedError {
  return new NodeFailedError('EXPRESSION_TOO_EXPENSIVE', `${source}: over its evaluation budget of ${maxCost} cost units`, {
    expression: source,
    maxCost,
  });
}

function tooLarge(what: string, maxResultSize: number, expression?: string): NodeFailedError {
  return new NodeFailedError('EXPRESSION_RESULT_TOO_LARGE', `${what}: the result is larger than ${maxResultSize} characters as JSON`, {
    ...(expression === undefined ? {} : { expression }),
    maxResultSize,
  });
}

/**
 * Evaluates `source` over the scope, within `budget` (defaults in `DEFAULT_EXPRESSION_BUDGET`).
 * Fails with a `NodeFailedError` naming the expression:
 * - `EXPRESSION_FAILED`: a parse or evaluation failure (a missing key such as
 *   `context.missing > 1`, a type mismatch, division by zero, an invalid `matches` pattern);
 * - `EXPRESSION_TOO_EXPENSIVE`: the evaluation spent more than `budget.maxCost`;
 * - `EXPRESSION_RESULT_TOO_LARGE`: the result is over `budget.maxResultSize` characters as JSON.
 */
export function evaluateExpression(source: string, scope: ExpressionScope, budget?: ExpressionBudget): unknown {
  const limits = resolveBudget(budget);
  const meter = new EvaluationMeter(limits.maxCost);
  let result: unknown;
  try {
    const compiled = program(source);
    const vars = { context: toCel(scope.context), instance: toCel(scope.instance) };
    result = runMetered(meter, () => compiled.run(vars));
  } catch (err) {
    if (meter.exceeded) throw tooExpensive(source, limits.maxCost);
    throw new NodeFailedError('EXPRESSION_FAILED', `${source}: ${summarize(err)}`, { expression: source });
  }
  // CEL absorbs errors in `||`, `&&` and quantifiers, so running out may not have thrown this far.
  if (meter.exceeded) throw tooExpensive(source, limits.maxCost);
  if (measureValue(result, limits.maxResultSize) > limits.maxResultSize) throw tooLarge(source, limits.maxResultSize, source);
  return fromCel(result);
}

/** Evaluates a condition; a non-boolean result is `NodeFailedError('CONDITION_NOT_BOOLEAN')`. */
export function evaluateCondition(source: string, scope: ExpressionScope, budget?: ExpressionBudget): boolean {
  const result = evaluateExpression(source, scope, budget);
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
 * A string without `{{` comes back unchanged. Each expression has its own `budget`; the rendered
 * text as a whole is held to `budget.maxResultSize` characters (`EXPRESSION_RESULT_TOO_LARGE`).
 */
export function renderTemplate(template: string, scope: ExpressionScope, budget?: ExpressionBudget): string {
  if (!template.includes('{{')) return template;
  const { maxResultSize } = resolveBudget(budget);
  const rendered = template.replace(TEMPLATE_EXPRESSION, (_match, expression: string) => {
    const value = evaluateExpression(expression.trim(), scope, budget);
    if (typeof value === 'string') return value;
    return JSON.stringify(value) ?? 'null';
  });
  if (rendered.length > maxResultSize) throw tooLarge('rendered template', maxResultSize);
  return rendered;
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
