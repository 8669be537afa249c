import { NodeFailedError } from '../errors/engine-errors';
import {
  checkExpression,
  checkTemplate,
  evaluateCondition,
  evaluateExpression,
  renderTemplate,
  type ExpressionScope,
} from './cel-expression';

const scope = (context: Record<string, unknown>, instance: Record<string, unknown> = {}): ExpressionScope => ({
  context,
  instance,
});

function failure(fn: () => unknown): NodeFailedError {
  try {
    fn();
  } catch (err) {
    if (err instanceof NodeFailedError) return err;
    throw err;
  }
  throw new Error('expected a NodeFailedError');
}

describe('checkExpression', () => {
  it('types a gateway condition over the context as bool', () => {
    expect(checkExpression('context.amount > 10000')).toEqual({ ok: true, type: 'bool' });
  });

  it('types a bare context field as dyn', () => {
    expect(checkExpression('context.customer.tier')).toEqual({ ok: true, type: 'dyn' });
  });

  it('reports a type error with the summary line only', () => {
    expect(checkExpression('1 + "a"')).toEqual({ ok: false, message: 'no such overload: int + string' });
  });

  it('reports a syntax error', () => {
    expect(checkExpression('context.amount >')).toEqual({ ok: false, message: 'Unexpected token: EOF' });
  });

  it('reports variables other than context and instance', () => {
    expect(checkExpression('order.amount > 1')).toEqual({ ok: false, message: 'Unknown variable: order' });
  });

  it('refuses expressions past the structural limits', () => {
    const deep = `${'('.repeat(60)}1${')'.repeat(60)}`;
    expect(checkExpression(deep)).toEqual({ ok: false, message: 'Exceeded maxDepth (50)' });
    const long = `1${' + 1'.repeat(600)}`;
    expect(checkExpression(long)).toEqual({ ok: false, message: 'Exceeded maxAstNodes (1000)' });
  });
});

describe('evaluateExpression', () => {
  it('adds an int literal to an integral JSON number and returns a JS number', () => {
    expect(evaluateExpression('context.amount + 1', scope({ amount: 15000 }))).toBe(15001);
  });

  it('mixes ints and doubles like JSON numbers', () => {
    expect(evaluateExpression('context.amount * 1.5', scope({ amount: 2 }))).toBe(3);
    expect(evaluateExpression('context.amount + 1', scope({ amount: 2.5 }))).toBe(3.5);
    expect(evaluateExpression('context.a + context.b', scope({ a: 1, b: 0.5 }))).toBe(1.5);
  });

  it('converts ints back to numbers through lists and maps', () => {
    expect(evaluateExpression('{"total": context.items.size(), "ids": [1, 2]}', scope({ items: ['a', 'b'] }))).toEqual({
      total: 2,
      ids: [1, 2],
    });
  });

  it('reads the instance', () => {
    expect(evaluateExpression('instance.id', scope({}, { id: 'i-1' }))).toBe('i-1');
  });

  it('fails on a missing key with EXPRESSION_FAILED naming the expression', () => {
    const err = failure(() => evaluateExpression('context.missing > 1', scope({})));
    expect(err.code).toBe('EXPRESSION_FAILED');
    expect(err.message).toBe('context.missing > 1: No such key: missing');
  });

  it('fails on a syntax error the same way', () => {
    const err = failure(() => evaluateExpression('context.amount >', scope({ amount: 1 })));
    expect(err.code).toBe('EXPRESSION_FAILED');
    expect(err.message).toBe('context.amount >: Unexpected token: EOF');
  });

  it('fails on integer division by zero', () => {
    expect(failure(() => evaluateExpression('context.n / 0', scope({ n: 4 }))).message).toBe(
      'context.n / 0: division by zero',
    );
  });

  it('gives the same answer from a cached program', () => {
    expect(evaluateExpression('context.n * 2', scope({ n: 2 }))).toBe(4);
    expect(evaluateExpression('context.n * 2', scope({ n: 5 }))).toBe(10);
  });

  it('does not change the scope it is given', () => {
    const context = { amount: 5, nested: { list: [1, 2] } };
    evaluateExpression('context.amount + 1', scope(context));
    expect(context).toEqual({ amount: 5, nested: { list: [1, 2] } });
  });
});

describe('evaluateCondition', () => {
  it('routes on a comparison', () => {
    expect(evaluateCondition('context.amount > 10000', scope({ amount: 15000 }))).toBe(true);
    expect(evaluateCondition('context.amount > 10000', scope({ amount: 500.5 }))).toBe(false);
  });

  it('refuses a non-boolean result', () => {
    const err = failure(() => evaluateCondition('context.amount', scope({ amount: 3 })));
    expect(err.code).toBe('CONDITION_NOT_BOOLEAN');
    expect(err.message).toBe('context.amount: expected a boolean result, got number');
  });
});

describe('renderTemplate', () => {
  it('returns a string without {{ unchanged', () => {
    expect(renderTemplate('https://example.com/orders', scope({}))).toBe('https://example.com/orders');
  });

  it('puts strings in as they are and other values as JSON', () => {
    const rendered = renderTemplate(
      'PO {{ context.po }} for {{context.amount}} ({{ context.lines }}, {{ context.amount > 10 }})',
      scope({ po: 'PO-7', amount: 12, lines: [1, 'a'] }),
    );
    expect(rendered).toBe('PO PO-7 for 12 ([1,"a"], true)');
  });

  it('fails when an embedded expression fails', () => {
    expect(failure(() => renderTemplate('Hi {{ context.name }}', scope({}))).code).toBe('EXPRESSION_FAILED');
  });
});

describe('checkTemplate', () => {
  it('accepts plain strings and good expressions', () => {
    expect(checkTemplate('no expressions')).toEqual([]);
    expect(checkTemplate('Order {{ context.id }} of {{ string(context.amount) }}')).toEqual([]);
  });

  it('lists every bad expression', () => {
    expect(checkTemplate('{{ 1 + "a" }} and {{ context. }} and {{ context.ok }}')).toEqual([
      '{{ 1 + "a" }}: no such overload: int + string',
      expect.stringMatching(/^\{\{ context\. \}\}: /),
    ]);
  });

  it('reports an unclosed {{', () => {
    expect(checkTemplate('Hello {{ context.name')).toEqual(['"{{" without a closing "}}"']);
  });
});
