/**
 * Turns a parsed and type-checked `@marcbachmann/cel-js` AST into one that charges an
 * `EvaluationMeter` for every node it evaluates, and whose `matches` runs on RE2.
 *
 * This is the one file that knows the library's AST internals (checked against cel-js 8.0): a
 * node is an `ASTNode` with `op`, `args` and a `meta` holding its `evaluate` function or the
 * node (`alternate`) or macro object (`macro`) it stands for, and every node is evaluated through
 * its own `evaluate(evaluator, node, ctx)` property, children through `evaluator.run(child, ctx)`.
 * Each node gets an own `evaluate` property that charges the meter and then does what the
 * library would. A library upgrade that changes this shape fails the tests in
 * `cel-expression.test.ts` (budget, `matches`), not silently.
 */
import type { RE2JS } from 're2js';
import type { EvaluationMeter } from './expression-budget';
import { compilePattern, matchDynamic, searchPattern } from './re2-matches';

interface CelEvaluator {
  run(node: CelNode, ctx: unknown): unknown;
}

type EvaluateFn = (ev: CelEvaluator, node: CelNode, ctx: unknown) => unknown;

interface CelMacro {
  evaluate: (ev: CelEvaluator, macro: CelMacro, ctx: unknown) => unknown;
}

interface CelNode {
  readonly op: string;
  readonly args: unknown;
  readonly meta: { evaluate: EvaluateFn; alternate?: CelNode; macro?: CelMacro };
  evaluate: EvaluateFn;
}

/** Operators and calls whose work grows with their operands' size: those operands are charged. */
const CONSUMERS = new Set(['call', 'rcall', '==', '!=', 'in', '+', '-', '*', '/', '%', '<', '<=', '>', '>=']);
/** Nodes that may build a new string or list: their results are charged. */
const PRODUCERS = new Set(['call', 'rcall', '+']);
/** Calls that do not look at their operand's content. */
const SIZE_BLIND_CALLS = new Set(['size']);

let activeMeter: EvaluationMeter | null = null;

/** The meter of the evaluation under way; metered programs run only inside `runMetered`. */
export function currentMeter(): EvaluationMeter {
  if (!activeMeter) throw new Error('a metered CEL program ran outside runMetered()');
  return activeMeter;
}

const meter = currentMeter;

/** Runs `fn` with `m` as the meter that metered programs charge. */
export function runMetered<T>(m: EvaluationMeter, fn: () => T): T {
  const previous = activeMeter;
  activeMeter = m;
  try {
    return fn();
  } finally {
    activeMeter = previous;
  }
}

/** The CEL type name of a runtime value, for error messages. */
function celTypeName(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'bigint':
      return 'int';
    case 'number':
      return 'double';
    case 'boolean':
      return 'bool';
    default:
      if (value === null) return 'null';
      if (Array.isArray(value)) return 'list';
      if (value instanceof Uint8Array) return 'bytes';
      return 'map';
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** What the library's own `ASTNode.evaluate` would run for `node` (read once it is type-checked). */
function libraryEvaluate(node: CelNode): EvaluateFn {
  const { alternate, macro, evaluate } = node.meta;
  if (alternate) return (ev, _node, ctx) => alternate.evaluate(ev, alternate, ctx);
  if (macro) return (ev, _node, ctx) => macro.evaluate(ev, macro, ctx);
  return evaluate;
}

/**
 * `input.matches(pattern)` or `matches(input, pattern)` on RE2. A literal pattern was compiled
 * with the expression (`literal`); any other is compiled, and charged for, at evaluation.
 */
function matchesEvaluate(inputNode: CelNode, patternNode: CelNode, literal: RE2JS | null, receiverForm: boolean): EvaluateFn {
  return (ev, _node, ctx) => {
    const input = ev.run(inputNode, ctx);
    const pattern = literal ? null : ev.run(patternNode, ctx);
    if (typeof input !== 'string' || (!literal && typeof pattern !== 'string')) {
      const types = `${celTypeName(input)}, ${literal ? 'string' : celTypeName(pattern)}`;
      const shown = receiverForm ? `${celTypeName(input)}.matches(${literal ? 'string' : celTypeName(pattern)})` : `matches(${types})`;
      throw new Error(`found no matching overload for '${shown}'`);
    }
    return literal ? searchPattern(literal, input, meter()) : matchDynamic(input, pattern as string, meter());
  };
}

/** The RE2 form of a `matches` node, or null when the node is something else. */
function matchesOverride(node: CelNode): EvaluateFn | null {
  const args = node.args as unknown[];
  let input: CelNode | undefined;
  let pattern: CelNode | undefined;
  if (node.op === 'rcall' && args[0] === 'matches' && Array.isArray(args[2]) && args[2].length === 1) {
    input = args[1] as CelNode;
    pattern = args[2][0] as CelNode;
  } else if (node.op === 'call' && args[0] === 'matches' && Array.isArray(args[1]) && args[1].length === 2) {
    [input, pattern] = args[1] as CelNode[];
  }
  if (!input || !pattern) return null;
  if (pattern.op === 'value' && typeof pattern.args !== 'string') {
    // `dyn.matches(1)` passes cel-js's type check; it could never succeed
    throw new Error(`matches(): the pattern must be a string, got ${celTypeName(pattern.args)}`);
  }
  const literal = pattern.op === 'value' ? compilePattern(pattern.args as string) : null;
  return matchesEvaluate(input, pattern, literal, node.op === 'rcall');
}

/**
 * Instruments every node reachable from `root` (the tree, macro expansions and constants).
 * Throws for a literal `matches` pattern RE2 refuses (`InvalidPatternError`) or that is not a string.
 */
export function meterProgram(root: unknown): void {
  const nodeProto: unknown = Object.getPrototypeOf(root);
  const isNode = (value: unknown): value is CelNode =>
    value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === nodeProto;
  const seen = new Set<unknown>();

  const visitNode = (node: CelNode, isOperand: boolean): void => {
    if (seen.has(node)) return;
    seen.add(node);
    const args = node.args;
    const { alternate, macro } = node.meta;
    // A macro call (`all`, `map`, `has`, `cel.bind`, ...) stands for its expansion, which is
    // charged node by node: its arguments are not operands and its result is not built at once.
    const expanded = Boolean(alternate || macro);
    const call = node.op === 'call' || node.op === 'rcall';
    const consumes = !expanded && CONSUMERS.has(node.op) && !(call && SIZE_BLIND_CALLS.has((args as unknown[])[0] as string));
    visitValue(args, consumes);
    if (alternate) visitNode(alternate, false);
    if (macro) visitValue(macro, false);

    const inner = matchesOverride(node) ?? libraryEvaluate(node);
    const charged = isOperand || (!expanded && PRODUCERS.has(node.op));
    node.evaluate = charged
      ? (ev, n, ctx) => {
          const m = meter();
          m.step();
          const value = inner(ev, n, ctx);
          m.value(value);
          return value;
        }
      : (ev, n, ctx) => {
          meter().step();
          return inner(ev, n, ctx);
        };
  };

  // Children sit in `args` (a node, a list of nodes, `[key, value]` pairs, or a comprehension's
  // plain object) and in macro objects; contexts and types are class instances and are skipped.
  const visitValue = (value: unknown, isOperand: boolean): void => {
    if (isNode(value)) visitNode(value, isOperand);
    else if (Array.isArray(value)) for (const item of value) visitValue(item, isOperand);
    else if (isPlainObject(value) && !seen.has(value)) {
      seen.add(value);
      for (const item of Object.values(value)) visitValue(item, false);
    }
  };

  if (!isNode(root)) throw new Error('not a cel-js AST node');
  visitNode(root, false);
}
