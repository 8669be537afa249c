/**
 * CEL's `matches` on RE2 semantics, as the CEL specification requires: a linear-time search
 * (`re2js`), never JavaScript's backtracking `RegExp`, whose `^(a|a)*$` takes exponential time.
 * `matches` is a partial match: `"abc".matches("b")` is true; anchor with `^...$` for a full one.
 */
import { RE2JS } from 're2js';
import type { EvaluationMeter } from './expression-budget';

/** Compiled patterns kept for reuse; the oldest is dropped beyond this many. */
const PATTERN_CACHE_SIZE = 500;
/** Cost units per character of a pattern compiled during evaluation (not a literal). */
const DYNAMIC_PATTERN_COST_PER_CHAR = 10;

const patterns = new Map<string, RE2JS>();

/** An RE2 syntax error, with RE2's own description: `missing closing ): \`(\``. */
class InvalidPatternError extends Error {
  constructor(readonly pattern: string, reason: string) {
    super(`matches(): invalid RE2 pattern ${JSON.stringify(pattern)}: ${reason}`);
    this.name = 'InvalidPatternError';
  }
}

/** Compiles (or reuses) `pattern`; a pattern RE2 does not accept throws `InvalidPatternError`. */
export function compilePattern(pattern: string): RE2JS {
  const cached = patterns.get(pattern);
  if (cached) return cached;
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(pattern);
  } catch (err) {
    const reason = err instanceof Error ? err.message.replace(/^error parsing regexp: /, '') : String(err);
    throw new InvalidPatternError(pattern, reason);
  }
  if (patterns.size >= PATTERN_CACHE_SIZE) {
    const oldest = patterns.keys().next();
    if (!oldest.done) patterns.delete(oldest.value);
  }
  patterns.set(pattern, compiled);
  return compiled;
}

/**
 * Whether `input` contains a match of `regex`, after charging the meter for the search:
 * input length times program size, RE2's bound on the work.
 */
export function searchPattern(regex: RE2JS, input: string, meter: EvaluationMeter): boolean {
  meter.chars(input.length * regex.programSize());
  return regex.test(input);
}

/** A pattern known only at evaluation time: charged for its compilation, then searched. */
export function matchDynamic(input: string, pattern: string, meter: EvaluationMeter): boolean {
  meter.units(pattern.length * DYNAMIC_PATTERN_COST_PER_CHAR);
  return searchPattern(compilePattern(pattern), input, meter);
}
