import { FormValidator } from './form-validator';
import { compileFormSchema } from './form-schema-compiler';

const form = { type: 'object', required: ['amount'], properties: { amount: { type: 'number', minimum: 0 }, code: { type: 'string', pattern: '^(a|a)*$' } } };
const key = (definitionId: string, nodeId = 'fill') => ({ definitionId, nodeId });

describe('FormValidator', () => {
  it('passes matching data, and nothing at all when the node has no form', () => {
    const v = new FormValidator();
    expect(() => v.validate(key('d1'), form, { amount: 3, code: 'aaa' })).not.toThrow();
    expect(() => v.validate(key('d1'), null, { anything: true })).not.toThrow();
  });

  it('refuses data that does not match with FORM_VALIDATION_FAILED, listing each problem', () => {
    const v = new FormValidator();
    let thrown: unknown;
    try {
      v.validate(key('d1'), form, { amount: -1, code: `${'a'.repeat(40)}b` });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toMatchObject({
      kind: 'validation',
      code: 'FORM_VALIDATION_FAILED',
      details: [
        { path: 'data.amount', message: 'must be >= 0' },
        { path: 'data.code', message: 'must match pattern "^(a|a)*$"' },
      ],
    });
  });

  it('keeps one compiled form per definition version and node: the same $id in two versions is no clash', () => {
    const v = new FormValidator();
    const withId = (required: string) => ({ $id: 'https://forms.example/x', type: 'object', required: [required] });
    expect(() => v.validate(key('v1'), withId('a'), { a: 1 })).not.toThrow();
    expect(() => v.validate(key('v2'), withId('b'), { b: 1 })).not.toThrow();
    expect(() => v.validate(key('v2'), withId('b'), { a: 1 })).toThrow(expect.objectContaining({ code: 'FORM_VALIDATION_FAILED' }));
  });

  it('answers FORM_SCHEMA_INVALID (422) for a stored form that cannot be compiled', () => {
    const v = new FormValidator();
    const bad = { type: 'object', properties: { a: { $ref: 'https://elsewhere.example/a.json' } } };
    expect(() => v.validate(key('old'), bad, {})).toThrow(
      expect.objectContaining({ kind: 'unprocessable', code: 'FORM_SCHEMA_INVALID', details: [expect.objectContaining({ path: 'formSchema.properties.a.$ref' })] }),
    );
  });

  it('drops the least recently used form beyond its cache size', () => {
    const v = new FormValidator({ cacheSize: 1 });
    v.validate(key('a'), { type: 'object', required: ['x'] }, { x: 1 });
    // a different schema under a key that was dropped is compiled afresh
    v.validate(key('b'), { type: 'object' }, {});
    expect(() => v.validate(key('a'), { type: 'object', required: ['y'] }, { x: 1 })).toThrow(expect.objectContaining({ code: 'FORM_VALIDATION_FAILED' }));
  });

  it('uses the validators compiled when the definition was saved, compiling nothing again', () => {
    const v = new FormValidator();
    const saved = compileFormSchema(form, { strict: true });
    const context = compileFormSchema({ type: 'object', required: ['orderId'] }, { strict: true });
    if (!saved.ok || !context.ok) throw new Error('the schemas compile');
    v.adopt('d9', { context: context.validate, forms: new Map([['fill', saved.validate]]) });
    // the schema handed in is not compiled: the adopted validator (minimum 0) judges the data
    expect(() => v.validate(key('d9'), { type: 'object' }, { amount: -1 })).toThrow(expect.objectContaining({ code: 'FORM_VALIDATION_FAILED' }));
    expect(() => v.validate(key('d9'), { type: 'object' }, { amount: 1 })).not.toThrow();
    expect(() => v.validateContext('d9', { type: 'object' }, {})).toThrow(expect.objectContaining({ code: 'CONTEXT_VALIDATION_FAILED' }));
  });
});
