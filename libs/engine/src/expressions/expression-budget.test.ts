import { CHARS_PER_COST_UNIT, EvaluationMeter, ExpressionBudgetExceeded, measureValue, resolveBudget } from './expression-budget';

describe('measureValue', () => {
  it('is the JSON length of plain data without escapes', () => {
    const value = { a: [1, 'xy', true, null, [], {}], b: { c: 1.5, d: 'q' }, e: '' };
    expect(measureValue(value, Infinity)).toBe(JSON.stringify(value).length);
    expect(measureValue(new Map<string, unknown>([['k', [1n, 2n]], ['j', 'x']]), Infinity)).toBe(JSON.stringify({ k: [1, 2], j: 'x' }).length);
  });

  it('stops soon after the cap instead of walking everything', () => {
    const huge = Array.from({ length: 100_000 }, () => ({ name: 'item' }));
    const sizes = new WeakMap<object, number>();
    const measured = measureValue(huge, 100, sizes);
    expect(measured).toBeGreaterThan(100);
    expect(measured).toBeLessThan(200);
    // a partial measurement is not remembered
    expect(sizes.has(huge)).toBe(false);
  });
});

describe('EvaluationMeter', () => {
  it('throws once the budget is spent, and stays spent', () => {
    const meter = new EvaluationMeter(2);
    meter.step();
    meter.chars(CHARS_PER_COST_UNIT);
    expect(meter.exceeded).toBe(false);
    expect(() => meter.chars(1)).toThrow(ExpressionBudgetExceeded);
    expect(meter.exceeded).toBe(true);
    expect(() => meter.chars(0)).toThrow('over its evaluation budget of 2 cost units');
  });

  it('charges a value by its size', () => {
    const meter = new EvaluationMeter(1);
    meter.value('x'.repeat(CHARS_PER_COST_UNIT - 2));
    expect(() => meter.value('')).toThrow(ExpressionBudgetExceeded);
  });
});

describe('resolveBudget', () => {
  it('fills in the defaults and refuses what is not a positive integer', () => {
    expect(resolveBudget({ maxCost: 10 })).toEqual({ maxCost: 10, maxResultSize: 1_048_576 });
    expect(() => resolveBudget({ maxResultSize: 1.5 })).toThrow('expression budget maxResultSize must be a positive integer, got 1.5');
  });
});
