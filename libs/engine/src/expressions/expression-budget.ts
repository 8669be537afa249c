/**
 * The evaluation budget of one CEL expression: a deterministic cost count, so the same expression
 * over the same data is always either within its budget or over it, on every worker and on every
 * retry (a wall clock would make the answer depend on the machine's load).
 *
 * Cost, in units:
 * - 1 for every AST node evaluated, so each iteration of `all`, `exists`, `exists_one`, `map` and
 *   `filter` costs the nodes of its body;
 * - 1 per 100 characters of the (approximate JSON) size of every value handed to an operator or
 *   function (`==`, `in`, `+`, `contains()`, ...) or built by one (`+`, `split()`, `join()`, ...),
 *   so one step over a large string or list costs what it works through; `size()` is exempt;
 * - for `matches`: 1 per 100 (input characters x RE2 program instructions), the bound on RE2's
 *   linear-time search, plus 10 per pattern character when the pattern is not a literal (it is
 *   compiled during evaluation; literal patterns are compiled with the expression).
 */

/** Per-evaluation limits. Every field is optional; the defaults are below. */
export interface ExpressionBudget {
  /**
   * Cost units one evaluation may spend (see the module doc); more fails the node with
   * `EXPRESSION_TOO_EXPENSIVE`. Default 100,000: a few milliseconds of work, far above what a
   * business condition over a few hundred list items needs.
   */
  maxCost?: number;
  /**
   * Largest result, in characters of its JSON form (approximately: escapes are not counted);
   * more fails the node with `EXPRESSION_RESULT_TOO_LARGE`. Default 1 MiB (1,048,576), the size of
   * the largest `database_query` result an expression might pass on.
   */
  maxResultSize?: number;
}

export const DEFAULT_EXPRESSION_BUDGET: Readonly<Required<ExpressionBudget>> = Object.freeze({
  maxCost: 100_000,
  maxResultSize: 1_048_576,
});

/** Internally cost is counted in size characters: one unit is this many. */
export const CHARS_PER_COST_UNIT = 100;

/** Validates a caller's budget against the defaults; a bad value is a programming error. */
export function resolveBudget(budget: ExpressionBudget | undefined): Readonly<Required<ExpressionBudget>> {
  if (!budget) return DEFAULT_EXPRESSION_BUDGET;
  const resolved = { ...DEFAULT_EXPRESSION_BUDGET, ...budget };
  for (const [name, value] of Object.entries(resolved)) {
    if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`expression budget ${name} must be a positive integer, got ${value}`);
  }
  return Object.freeze(resolved);
}

/** Thrown inside the interpreter when the budget runs out; `cel-expression` turns it into a NodeFailedError. */
export class ExpressionBudgetExceeded extends Error {
  constructor(readonly maxCost: number) {
    super(`over its evaluation budget of ${maxCost} cost units`);
    this.name = 'ExpressionBudgetExceeded';
  }
}

/** Counts the cost of one evaluation. Once over budget it stays over (see `exceeded`). */
export class EvaluationMeter {
  private spent = 0;
  private readonly limit: number;
  private over = false;
  /** Sizes of the lists and maps already measured in this evaluation (values are never mutated once visible). */
  private readonly sizes = new WeakMap<object, number>();

  constructor(readonly maxCost: number) {
    this.limit = maxCost * CHARS_PER_COST_UNIT;
  }

  /**
   * Whether the budget ran out at some point. CEL absorbs errors in `||`, `&&` and the
   * quantifier macros (`false || <error> || true` is `true`), so the thrown error alone may not
   * reach the caller; this flag always does.
   */
  get exceeded(): boolean {
    return this.over;
  }

  /** One AST node evaluated. */
  step(): void {
    this.spend(CHARS_PER_COST_UNIT);
  }

  /** Whole cost units (e.g. a dynamic pattern's compilation). */
  units(count: number): void {
    this.spend(count * CHARS_PER_COST_UNIT);
  }

  /** Raw size characters (100 make a unit). */
  chars(count: number): void {
    this.spend(count);
  }

  /** The size of a value handed to or built by an operator or function. */
  value(value: unknown): void {
    this.spend(measureValue(value, this.limit - this.spent, this.sizes));
  }

  private spend(chars: number): void {
    this.spent += chars;
    if (this.spent > this.limit || this.over) {
      this.over = true;
      throw new ExpressionBudgetExceeded(this.maxCost);
    }
  }
}

const OTHER_OBJECT_SIZE = 16;

function isPlainRecord(value: object): value is Record<string, unknown> {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * The approximate length of `value` as JSON (string escapes are not counted). Stops once past
 * `cap` and then returns some number above it. Lists and maps measured in full are remembered in
 * `sizes`, so a value met again costs nothing to measure.
 */
export function measureValue(value: unknown, cap: number, sizes?: WeakMap<object, number>): number {
  switch (typeof value) {
    case 'string':
      return value.length + 2;
    case 'number':
    case 'bigint':
      return String(value).length;
    case 'boolean':
      return value ? 4 : 5;
    case 'object':
      break;
    default:
      return 4;
  }
  if (value === null) return 4;
  const known = sizes?.get(value);
  if (known !== undefined) return known;
  // brackets, then a comma before every item but the first, a colon after every key
  let total = 2;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      total += (i > 0 ? 1 : 0) + measureValue(value[i], cap - total, sizes);
      if (total > cap) return total;
    }
  } else if (value instanceof Map) {
    let first = true;
    for (const [key, item] of value) {
      total += (first ? 1 : 2) + measureValue(String(key), cap - total) + measureValue(item, cap - total, sizes);
      first = false;
      if (total > cap) return total;
    }
  } else if (value instanceof Uint8Array) {
    total += value.byteLength;
  } else if (isPlainRecord(value)) {
    let first = true;
    for (const key in value) {
      total += (first ? 3 : 4) + key.length + measureValue(value[key], cap - total, sizes);
      first = false;
      if (total > cap) return total;
    }
  } else {
    total = OTHER_OBJECT_SIZE;
  }
  sizes?.set(value, total);
  return total;
}
