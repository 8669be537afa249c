import { checkExpressionsAgainstContext, contextSchemaProblems } from './cel-type-check';

/** The type of each expression, or its error message. */
function check(schema: Record<string, unknown>, ...sources: string[]): string[] {
  return checkExpressionsAgainstContext(schema, sources).map((result) => (result.ok ? result.type : `error: ${result.message}`));
}

const order = {
  type: 'object',
  properties: {
    amount: { type: 'number' },
    count: { type: 'integer' },
    region: { type: 'string' },
    urgent: { type: 'boolean' },
    note: { type: ['string', 'null'] },
    lines: { type: 'array', items: { type: 'object', properties: { sku: { type: 'string' }, qty: { type: 'integer' } } } },
    tags: { type: 'array', items: { type: 'string' } },
    scores: { type: 'object', additionalProperties: { type: 'number' } },
    buyer: {
      type: 'object',
      properties: { email: { type: 'string' }, address: { type: 'object', properties: { zip: { type: 'integer' } } } },
      additionalProperties: false,
    },
  },
};

describe('checkExpressionsAgainstContext', () => {
  it('types the context by its JSON Schema', () => {
    expect(
      check(
        order,
        'context.amount',
        'context.count',
        'context.region',
        'context.urgent',
        'context.note',
        'context.lines[0].qty',
        'context.tags',
        'context.scores["a"]',
        'context.buyer.address.zip',
      ),
    ).toEqual(['double', 'int', 'string', 'bool', 'dyn', 'int', 'list<string>', 'double', 'int']);
  });

  it('refuses what cannot fit the types', () => {
    expect(
      check(
        order,
        'context.amount > "x"',
        'context.region == 1',
        'context.lines.exists(l, l.qty > "2")',
        'size(context.tags) > "a"',
        'context.buyer.address.zip + "1"',
      ),
    ).toEqual([
      'error: no such overload: double > string',
      'error: no such overload: string == int',
      'error: no such overload: int > string',
      'error: no such overload: int > string',
      'error: no such overload: int + string',
    ]);
  });

  it('lets a number meet an int as the runtime does, but keeps % for integers', () => {
    // a JSON number arrives as an int when integral: 15000 == 15000 must keep working
    expect(
      check(
        order,
        'context.amount == 15000',
        'context.amount != 0',
        'context.amount in [100, 200]',
        'context.count in [1.5, 2.5]',
        'context.amount * 1.1 + context.count',
        'context.count % 2 == 0',
        'context.amount % 2 == 0',
      ),
    ).toEqual(['bool', 'bool', 'bool', 'bool', 'double', 'bool', 'error: no such overload: double % int']);
  });

  it('reads keys the schema does not list as dyn, unless additionalProperties is false', () => {
    expect(check(order, 'context.payable == true', 'context.http.status > 200', 'context.buyer.phone == "1"')).toEqual([
      'bool',
      'bool',
      'error: No such key: phone',
    ]);
    expect(check({ type: 'object', properties: {}, additionalProperties: false }, 'context.anything')).toEqual([
      'error: No such key: anything',
    ]);
    expect(check({ type: 'object' }, 'context.a.b.c > 1')).toEqual(['bool']);
  });

  it('gives unlisted keys the type of an additionalProperties schema', () => {
    const schema = { type: 'object', properties: { id: { type: 'string' } }, additionalProperties: { type: 'integer' } };
    expect(check(schema, 'context.id + "x"', 'context.other + 1', 'context.other + "x"')).toEqual([
      'string',
      'int',
      'error: no such overload: int + string',
    ]);
  });

  it('treats what it does not model as dyn: no type, $ref, anyOf, a tuple', () => {
    const schema = {
      type: 'object',
      properties: {
        a: {},
        b: { $ref: '#/definitions/x' },
        c: { anyOf: [{ type: 'string' }, { type: 'integer' }] },
        d: { type: 'array', items: [{ type: 'string' }] },
      },
    };
    // the library writes list<dyn> as "list"
    expect(check(schema, 'context.a', 'context.b', 'context.c', 'context.d')).toEqual(['dyn', 'dyn', 'dyn', 'list']);
  });

  it('copes with property names that are no CEL identifiers and types of the same name', () => {
    const schema = {
      type: 'object',
      properties: {
        'unit price': { type: 'number' },
        a_b: { type: 'object', properties: { x: { type: 'string' } } },
        'a b': { type: 'object', properties: { x: { type: 'integer' } } },
      },
    };
    expect(check(schema, 'context["unit price"] > 1', 'context.a_b.x + "s"', 'context["a b"].x + 1')).toEqual([
      'bool',
      'string',
      'int',
    ]);
  });

  it('reports an expression that does not parse', () => {
    expect(check(order, 'context.amount >')).toEqual(['error: Unexpected token: EOF']);
  });
});

describe('contextSchemaProblems', () => {
  it('accepts an object schema and refuses anything else', () => {
    expect(contextSchemaProblems(order)).toEqual([]);
    expect(contextSchemaProblems({ type: 'string' })).toEqual([
      { path: ['type'], message: 'the context is an object: type must be "object"' },
    ]);
    expect(contextSchemaProblems([])).toEqual([{ path: [], message: 'contextSchema must be a JSON Schema object' }]);
  });

  it('checks the keywords the typing reads, wherever they are', () => {
    const schema = {
      properties: {
        lines: { type: 'array', items: { type: 'strin' } },
        extra: 3,
      },
      additionalProperties: 'no',
    };
    expect(contextSchemaProblems(schema)).toEqual([
      {
        path: ['properties', 'lines', 'items', 'type'],
        message: 'unknown type "strin" (did you mean "string"?); known: object, array, string, number, integer, boolean, null',
      },
      { path: ['properties', 'extra'], message: 'a property is a schema (an object)' },
      { path: ['additionalProperties'], message: 'additionalProperties must be a schema (an object) or a boolean' },
    ]);
  });

  it('refuses nesting beyond 32 levels', () => {
    let schema: Record<string, unknown> = { type: 'string' };
    for (let i = 0; i < 40; i += 1) schema = { type: 'object', properties: { x: schema } };
    const problems = contextSchemaProblems(schema);
    expect(problems).toHaveLength(1);
    expect(problems[0]?.message).toBe('nested deeper than 32 levels');
  });
});
