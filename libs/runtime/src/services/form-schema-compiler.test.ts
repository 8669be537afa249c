import { compileFormSchema, type FormSchemaCompilation } from './form-schema-compiler';
import { toRe2Syntax } from './form-pattern-engine';

const strict = (schema: Record<string, unknown>) => compileFormSchema(schema, { strict: true });
const problemsOf = (c: FormSchemaCompilation) => (c.ok ? [] : c.problems);

describe('toRe2Syntax', () => {
  it('spells \\uXXXX and \\u{...} as RE2 does, a surrogate pair as one code point, and leaves other escapes alone', () => {
    expect(toRe2Syntax('^\\u00e9[\\u0041-\\u005A]$')).toBe('^\\x{e9}[\\x{41}-\\x{5a}]$');
    expect(toRe2Syntax('\\u{1F600}')).toBe('\\x{1F600}');
    expect(toRe2Syntax('\\uD83D\\uDE00')).toBe('\\x{1f600}');
    expect(toRe2Syntax('\\\\u0041 \\d+ \\user')).toBe('\\\\u0041 \\d+ \\user');
  });
});

describe('compileFormSchema', () => {
  it('compiles an ordinary form and checks data against it', () => {
    const c = strict({ type: 'object', required: ['code'], properties: { code: { type: 'string', pattern: '^[A-Z]{3}-\\d+$' } } });
    if (!c.ok) throw new Error(JSON.stringify(c.problems));
    expect(c.validate({ code: 'ABC-12' })).toBe(true);
    expect(c.validate({ code: 'abc' })).toBe(false);
  });

  it('matches a backtracking pattern in linear time', () => {
    const c = strict({ type: 'object', properties: { s: { type: 'string', pattern: '^(a|a)*$' } } });
    if (!c.ok) throw new Error(JSON.stringify(c.problems));
    const started = Date.now();
    expect(c.validate({ s: `${'a'.repeat(5000)}b` })).toBe(false);
    expect(c.validate({ s: 'a'.repeat(5000) })).toBe(true);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('compiles two schemas with the same $id independently', () => {
    const a = strict({ $id: 'https://forms.example/address', type: 'object', required: ['street'] });
    const b = strict({ $id: 'https://forms.example/address', type: 'object', required: ['zip'] });
    if (!a.ok || !b.ok) throw new Error('expected both to compile');
    expect(a.validate({ street: 'x' })).toBe(true);
    expect(b.validate({ street: 'x' })).toBe(false);
  });

  it('resolves $ref within the schema: JSON pointers and $ids declared inside it', () => {
    const c = strict({
      $id: 'https://forms.example/order',
      type: 'object',
      definitions: { qty: { $id: 'qty.json', type: 'integer', minimum: 1 }, name: { type: 'string' } },
      properties: { n: { $ref: '#/definitions/name' }, q: { $ref: 'https://forms.example/qty.json' }, r: { $ref: 'qty.json' } },
    });
    if (!c.ok) throw new Error(JSON.stringify(c.problems));
    expect(c.validate({ n: 'x', q: 2, r: 3 })).toBe(true);
    expect(c.validate({ q: 0 })).toBe(false);
  });

  it('refuses a remote $ref, with its path, and never fetches it', () => {
    expect(problemsOf(strict({ type: 'object', properties: { a: { $ref: 'http://127.0.0.1:9/x.json' } } }))).toEqual([
      { path: '.properties.a.$ref', message: expect.stringContaining('points outside this schema') },
    ]);
  });

  it('refuses a $ref that resolves to nothing in the schema (another form\'s $id included)', () => {
    expect(problemsOf(strict({ type: 'object', properties: { a: { $ref: '#/definitions/missing' } } }))).toEqual([
      { path: '.properties.a.$ref', message: expect.stringContaining('does not resolve within this schema') },
    ]);
    expect(problemsOf(strict({ $id: 'https://forms.example/mine', properties: { a: { $ref: 'other.json' } } }))).toEqual([
      { path: '.properties.a.$ref', message: expect.stringContaining('points outside this schema') },
    ]);
  });

  it('refuses patterns RE2 cannot run, each with its path', () => {
    const problems = problemsOf(
      strict({
        type: 'object',
        properties: { a: { type: 'string', pattern: '(?=x)y' }, b: { type: 'array', items: [{ type: 'string', pattern: '(a)\\1' }] } },
        patternProperties: { '^x(': { type: 'string' } },
      }),
    );
    expect(problems.map((p) => p.path)).toEqual(['.patternProperties["^x("]', '.properties.a.pattern', '.properties.b.items[0].pattern']);
    expect(problems[1]!.message).toMatch(/pattern "\(\?=x\)y" is not supported/);
  });

  it('reads data keywords as data: a "$ref" or "pattern" inside const is not a reference', () => {
    expect(strict({ const: { $ref: 'http://elsewhere/x', pattern: '(?=' } }).ok).toBe(true);
  });

  it('refuses what is not JSON Schema, with the path inside the schema', () => {
    expect(problemsOf(strict({ type: 'object', properties: { a: { type: 'strin' } }, allOf: [{ minimum: 'x' }] })).map((p) => p.path)).toEqual(
      expect.arrayContaining(['.properties.a.type', '.allOf[0].minimum']),
    );
  });

  it('refuses unknown keywords when strict, accepts them when lenient', () => {
    expect(problemsOf(strict({ type: 'object', requird: ['a'] }))).toEqual([{ path: '', message: expect.stringContaining('unknown keyword: "requird"') }]);
    expect(compileFormSchema({ type: 'object', requird: ['a'] }, { strict: false }).ok).toBe(true);
  });

  it('refuses an unknown $schema rather than fetching it', () => {
    expect(problemsOf(strict({ $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object' }))).toEqual([
      { path: '.$schema', message: expect.stringContaining('no schema with key or ref') },
    ]);
  });

  it('keeps format an annotation, as before', () => {
    const c = strict({ type: 'object', properties: { mail: { type: 'string', format: 'email' } } });
    expect(c.ok && c.validate({ mail: 'not an address' })).toBe(true);
  });

  it('refuses a schema over the size or nesting limit', () => {
    const big = { type: 'object', description: 'x'.repeat(70 * 1024) };
    expect(problemsOf(strict(big))).toEqual([{ path: '', message: expect.stringMatching(/is \d+ bytes; the limit is 65536/) }]);
    let deep: Record<string, unknown> = { type: 'string' };
    for (let i = 0; i < 20; i += 1) deep = { type: 'object', properties: { x: deep } };
    expect(problemsOf(strict(deep))).toEqual([{ path: '', message: 'the form schema nests deeper than 32 levels' }]);
    expect(compileFormSchema(deep, { strict: true, limits: { maxBytes: 65536, maxDepth: 64 } }).ok).toBe(true);
  });
});
