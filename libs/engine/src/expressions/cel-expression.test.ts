import { NodeFailedError } from '../errors/engine-errors';
import {
  DEFAULT_EXPRESSION_BUDGET,
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

/** `[1, 2, ..., 20]`: the literal list of the budget tests. */
const TWENTY = `[${Array.from({ length: 20 }, (_, i) => i + 1).join(', ')}]`;

/** `levels` nested `all()` over TWENTY: 20^levels iterations (5 levels: 3.2 million). */
function nestedAll(levels: number): string {
  const vars = Array.from({ length: levels }, (_, i) => `v${i}`);
  let body = `${vars.join(' + ')} > 0`;
  for (const v of [...vars].reverse()) body = `${TWENTY}.all(${v}, ${body})`;
  return body;
}

describe('matches (RE2)', () => {
  it('answers ^(a|a)*$ in linear time, where a backtracking RegExp takes seconds', () => {
    const started = Date.now();
    // JavaScript's RegExp needs about 6 s for these 27 characters, and doubles with each "a"
    expect(evaluateCondition("context.s.matches('^(a|a)*$')", scope({ s: `${'a'.repeat(26)}!` }))).toBe(false);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(evaluateCondition("context.s.matches('^(a|a)*$')", scope({ s: `${'a'.repeat(100_000)}!` }))).toBe(false);
    expect(evaluateCondition("context.s.matches('^(a|a)*$')", scope({ s: 'a'.repeat(100_000) }))).toBe(true);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('is a partial match, as in CEL: ^ and $ anchor a full one', () => {
    expect(evaluateCondition("'abc'.matches('b')", scope({}))).toBe(true);
    expect(evaluateCondition("'abc'.matches('^b$')", scope({}))).toBe(false);
    expect(evaluateCondition("'abc'.matches('^a.c$')", scope({}))).toBe(true);
  });

  it('has the function form too', () => {
    expect(evaluateCondition("matches(context.po, '^PO-[0-9]+$')", scope({ po: 'PO-17' }))).toBe(true);
    expect(evaluateCondition("matches(context.po, '^PO-[0-9]+$')", scope({ po: 'PO-17x' }))).toBe(false);
  });

  it('speaks RE2: inline flags work, lookahead does not exist', () => {
    expect(evaluateCondition("'ABC'.matches('(?i)^abc$')", scope({}))).toBe(true);
    expect(checkExpression("context.s.matches('a(?=b)')")).toEqual({
      ok: false,
      message: 'matches(): invalid RE2 pattern "a(?=b)": invalid or unsupported Perl syntax: `(?=`',
    });
  });

  it('refuses an invalid literal pattern when the expression is checked, in either form', () => {
    const refused = { ok: false, message: 'matches(): invalid RE2 pattern "[a-": missing closing ]: `[a-`' };
    expect(checkExpression("context.code.matches('[a-')")).toEqual(refused);
    expect(checkExpression("matches(context.code, '[a-')")).toEqual(refused);
    expect(checkExpression('context.code.matches(1)')).toEqual({ ok: false, message: 'matches(): the pattern must be a string, got int' });
    expect(checkTemplate("{{ context.code.matches('(') }}")).toEqual([
      '{{ context.code.matches(\'(\') }}: matches(): invalid RE2 pattern "(": missing closing ): `(`',
    ]);
  });

  it('fails with EXPRESSION_FAILED on an invalid pattern that comes from the data', () => {
    const err = failure(() => evaluateExpression('context.s.matches(context.p)', scope({ s: 'x', p: '(' })));
    expect(err.code).toBe('EXPRESSION_FAILED');
    expect(err.message).toBe('context.s.matches(context.p): matches(): invalid RE2 pattern "(": missing closing ): `(`');
    expect(evaluateCondition('context.s.matches(context.p)', scope({ s: 'xxabcxx', p: 'a.c' }))).toBe(true);
  });

  it('fails with EXPRESSION_FAILED on a receiver that is not a string', () => {
    const err = failure(() => evaluateExpression("context.n.matches('1')", scope({ n: 1 })));
    expect(err.code).toBe('EXPRESSION_FAILED');
    expect(err.message).toBe("context.n.matches('1'): found no matching overload for 'int.matches(string)'");
  });
});

describe('evaluation budget', () => {
  it('stops a nested all() over literal lists with EXPRESSION_TOO_EXPENSIVE, which is not retried', () => {
    const bomb = nestedAll(5);
    expect(checkExpression(bomb)).toEqual({ ok: true, type: 'bool' });
    const started = Date.now();
    // without a budget: 3.2 million iterations, seconds of work (the old evaluator answered true)
    const err = failure(() => evaluateCondition(bomb, scope({})));
    expect(Date.now() - started).toBeLessThan(2000);
    expect(err.code).toBe('EXPRESSION_TOO_EXPENSIVE');
    expect(err.kind).toBe('node_failed');
    expect(err.retryable).toBe(false);
    expect(err.message).toBe(`${bomb}: over its evaluation budget of 100000 cost units`);
    expect(err.details).toEqual({ expression: bomb, maxCost: 100_000 });
  });

  it('counts a budget overrun that || would absorb', () => {
    // CEL's `<error> || true` is true; running out of budget is not an ordinary error
    expect(failure(() => evaluateCondition(`${nestedAll(4)} || true`, scope({}))).code).toBe('EXPRESSION_TOO_EXPENSIVE');
    expect(failure(() => evaluateCondition(`true && ${TWENTY}.exists(x, ${nestedAll(4)})`, scope({}))).code).toBe('EXPRESSION_TOO_EXPENSIVE');
  });

  it('stops a string that doubles itself', () => {
    const doubling = 'cel.bind(a, context.s + context.s, cel.bind(b, a + a, cel.bind(c, b + b, cel.bind(d, c + c, d + d))))';
    expect(evaluateExpression('size(' + doubling + ')', scope({ s: 'xy' }))).toBe(64);
    expect(failure(() => evaluateExpression(doubling, scope({ s: 'x'.repeat(200_000) }))).code).toBe('EXPRESSION_TOO_EXPENSIVE');
  });

  it('charges the size of the strings a function works through', () => {
    const tight = { maxCost: 1000 };
    expect(evaluateCondition("context.s.contains('!')", scope({ s: 'a'.repeat(50_000) }), tight)).toBe(false);
    expect(failure(() => evaluateCondition("context.s.contains('!')", scope({ s: 'a'.repeat(200_000) }), tight)).code).toBe(
      'EXPRESSION_TOO_EXPENSIVE',
    );
    // size() does not read the string
    expect(evaluateCondition('context.s.size() > 0', scope({ s: 'a'.repeat(200_000) }), tight)).toBe(true);
  });

  it('leaves ordinary business conditions over a thousand items far within the default', () => {
    const items = Array.from({ length: 1000 }, (_, i) => ({ sku: `SKU-${i}`, qty: i % 7, price: i * 1.5 }));
    const data = scope({ items, blocked: ['SKU-999', 'SKU-2000'], region: 'EU' });
    expect(evaluateCondition('context.items.exists(i, i.sku in context.blocked)', data)).toBe(true);
    expect(evaluateCondition('context.items.all(i, i.qty >= 0 && i.price >= 0.0)', data)).toBe(true);
    expect(evaluateExpression('context.items.filter(i, i.qty > 5).map(i, i.sku).size()', data)).toBe(142);
    expect(evaluateExpression("context.items.map(i, i.price * i.qty).exists(t, t > 7000.0) && context.region == 'EU'", data)).toBe(
      true,
    );
    expect(evaluateCondition(nestedAll(2), scope({}))).toBe(true);
  });

  it('takes a budget from the caller and names it in the error', () => {
    expect(evaluateCondition('[1, 2, 3].all(x, x > 0)', scope({}))).toBe(true);
    const err = failure(() => evaluateCondition('[1, 2, 3].all(x, x > 0)', scope({}), { maxCost: 5 }));
    expect(err.code).toBe('EXPRESSION_TOO_EXPENSIVE');
    expect(err.message).toBe('[1, 2, 3].all(x, x > 0): over its evaluation budget of 5 cost units');
    expect(() => evaluateExpression('1', scope({}), { maxCost: 0 })).toThrow(RangeError);
  });

  it('gives the same verdict every time for the same expression and data', () => {
    const verdicts = Array.from({ length: 3 }, () => failure(() => evaluateCondition(nestedAll(3), scope({}), { maxCost: 5000 })).code);
    expect(verdicts).toEqual(['EXPRESSION_TOO_EXPENSIVE', 'EXPRESSION_TOO_EXPENSIVE', 'EXPRESSION_TOO_EXPENSIVE']);
    expect(evaluateCondition(nestedAll(3), scope({}), { maxCost: 100_000 })).toBe(true);
  });

  it('has documented defaults', () => {
    expect(DEFAULT_EXPRESSION_BUDGET).toEqual({ maxCost: 100_000, maxResultSize: 1_048_576 });
  });
});

describe('result size limit', () => {
  it('fails a result over the limit with EXPRESSION_RESULT_TOO_LARGE', () => {
    const err = failure(() => evaluateExpression('context.s + context.s', scope({ s: 'x'.repeat(600_000) })));
    expect(err.code).toBe('EXPRESSION_RESULT_TOO_LARGE');
    expect(err.retryable).toBe(false);
    expect(err.message).toBe('context.s + context.s: the result is larger than 1048576 characters as JSON');
    expect(err.details).toEqual({ expression: 'context.s + context.s', maxResultSize: 1_048_576 });
  });

  it('measures lists and maps by their JSON size', () => {
    const rows = Array.from({ length: 20 }, (_, i) => ({ id: i, name: `row ${i}` }));
    const size = JSON.stringify(rows).length;
    expect(evaluateExpression('context.rows', scope({ rows }), { maxResultSize: size })).toEqual(rows);
    expect(failure(() => evaluateExpression('context.rows', scope({ rows }), { maxResultSize: size - 1 })).code).toBe(
      'EXPRESSION_RESULT_TOO_LARGE',
    );
  });

  it('holds a rendered template as a whole to the limit', () => {
    const budget = { maxResultSize: 100 };
    const data = scope({ a: 'x'.repeat(60) });
    expect(renderTemplate('{{ context.a }}', data, budget)).toBe('x'.repeat(60));
    const err = failure(() => renderTemplate('{{ context.a }}{{ context.a }}', data, budget));
    expect(err.code).toBe('EXPRESSION_RESULT_TOO_LARGE');
    expect(err.message).toBe('rendered template: the result is larger than 100 characters as JSON');
  });
});
