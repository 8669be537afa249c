/**
 * A service task's `serviceConfig` is checked by its handler's `configSchema` when the definition
 * is compiled (each issue a problem at `nodes[i].serviceConfig...`), and the compiled node keeps
 * what the schema parsed. A stored config that no longer fits loads (strict: false) and fails its
 * step when it runs.
 */
import { z } from 'zod';
import { definition } from '@wf/testkit/definitions';
import { EngineError } from '../errors/engine-errors';
import type { ServiceCatalog, ServiceType } from '../runtime/service-handler';
import { compileDefinition } from './compile-definition';
import type { CompiledDefinition, DefinitionProblem } from './definition.types';
import { compiledNode } from '../testing/compiled-node';
import { celExpression, parseServiceConfig, refinedAtSave, serviceConfigProblems, withCelTemplates } from './service-config';

/** A plugin's schema: `{ channel, text, retries? }`, `text` a template, `when` an expression. */
const notifySchema = withCelTemplates(
  z.looseObject({
    channel: z.enum(['chat', 'pager'], { error: 'channel must be chat or pager' }),
    text: z.string({ error: 'notify needs text' }),
    retries: z.number().int().min(0).max(5, { error: 'retries must be at most 5' }).default(1),
    when: celExpression().optional(),
  }),
);

function catalogOf(types: Record<string, ServiceType>): ServiceCatalog {
  return { get: (type) => types[type], types: () => new Set(Object.keys(types)) };
}

const plugins = catalogOf({ notify: { configSchema: notifySchema }, anything: {} });

function compiled(raw: unknown, options: Parameters<typeof compileDefinition>[1] = { serviceTypes: plugins }): CompiledDefinition {
  const result = compileDefinition(raw, options);
  if (!result.ok) throw new Error(`expected a valid definition, got ${JSON.stringify(result.problems, null, 2)}`);
  return result.definition;
}

function problems(raw: unknown, options: Parameters<typeof compileDefinition>[1] = { serviceTypes: plugins }): DefinitionProblem[] {
  const result = compileDefinition(raw, options);
  if (result.ok) throw new Error('expected problems, the definition compiled');
  return result.problems;
}

describe('serviceConfig at save: the handler’s schema', () => {
  it('refuses a plugin config its schema refuses, every problem with its path', () => {
    const raw = definition()
      .setContext('start')
      .service('ping', 'notify', { channel: 'fax', retries: 9, when: 'context.' })
      .chain('start', 'ping')
      .build();
    expect(problems(raw)).toEqual([
      { path: 'nodes[1].serviceConfig.channel', message: 'channel must be chat or pager' },
      { path: 'nodes[1].serviceConfig.text', message: 'notify needs text' },
      { path: 'nodes[1].serviceConfig.retries', message: 'retries must be at most 5' },
      { path: 'nodes[1].serviceConfig.when', message: expect.stringMatching(/^invalid expression: /) },
    ]);
  });

  it('accepts a plugin config its schema accepts, and keeps it parsed, defaults filled', () => {
    const raw = definition().service('ping', 'notify', { channel: 'chat', text: 'PO {{ context.po }} approved', extra: true }).build();
    const node = compiledNode(compiled(raw), 'ping', 'service_task');
    expect(node?.serviceConfig).toEqual({ channel: 'chat', text: 'PO {{ context.po }} approved', retries: 1, extra: true });
    expect(Object.isFrozen(node?.serviceConfig)).toBe(true);
    expect(compiled(raw).input.nodes[0]?.['serviceConfig']).toEqual({ channel: 'chat', text: 'PO {{ context.po }} approved', extra: true });
  });

  it('checks the templates a schema marks, after its own rules', () => {
    const raw = definition().service('ping', 'notify', { channel: 'chat', text: 'PO {{ context.po' }).build();
    expect(problems(raw)).toEqual([{ path: 'nodes[0].serviceConfig.text', message: 'invalid template: "{{" without a closing "}}"' }]);
    const long = definition().service('ping', 'notify', { channel: 'chat', text: '{{ context.amount > 100000 }}' }).build();
    expect(problems(long, { serviceTypes: plugins, limits: { maxNodes: 10, maxRoutes: 10, maxExpressionLength: 10 } })).toEqual([
      { path: 'nodes[0].serviceConfig.text', message: 'expression is longer than 10 characters' },
    ]);
  });

  it('type-checks the marked expressions against contextSchema, with their paths', () => {
    const raw = definition()
      .service('ping', 'notify', { channel: 'chat', text: 'total {{ context.amount + "x" }}', when: 'context.missing' })
      .with({ contextSchema: { type: 'object', properties: { amount: { type: 'number' } }, additionalProperties: false } })
      .build();
    // the schema's own fields first, then the templates found anywhere in the config
    expect(problems(raw)).toEqual([
      { path: 'nodes[0].serviceConfig.when', message: 'expression does not fit contextSchema: No such key: missing' },
      { path: 'nodes[0].serviceConfig.text', message: 'invalid template: {{ context.amount + "x" }}: does not fit contextSchema: no such overload: double + string' },
    ]);
  });

  it('accepts any object for a type registered without a schema, as written', () => {
    expect(compiledNode(compiled(definition().service('x', 'anything', { whatever: [1, { a: 2 }] }).build()), 'x', 'service_task')?.serviceConfig).toEqual({
      whatever: [1, { a: 2 }],
    });
  });

  it('checks set_context, the engine’s own, with or without a catalog', () => {
    const raw = definition().service('set', 'set_context', { values: 'no' }).build();
    const expected = [{ path: 'nodes[0].serviceConfig.values', message: 'set_context needs serviceConfig.values, an object of context keys to set' }];
    expect(problems(raw, {})).toEqual(expected);
    expect(problems(raw, { serviceTypes: 'any', strict: true })).toEqual(expected);
  });

  it('names the known types, the engine’s own included, for an unknown one', () => {
    expect(problems(definition().service('x', 'fax').build())).toEqual([
      { path: 'nodes[0].serviceType', message: 'unknown service type "fax" (known: anything, notify, set_context)' },
    ]);
  });
});

describe('serviceConfig of a stored definition (strict: false)', () => {
  const stored = definition().service('ping', 'notify', { channel: 'fax', text: 'hi' }).build();

  it('loads a config that no longer fits, as written', () => {
    expect(compiledNode(compiled(stored, { serviceTypes: plugins, strict: false }), 'ping', 'service_task')?.serviceConfig).toEqual({ channel: 'fax', text: 'hi' });
    expect(compileDefinition(stored, { serviceTypes: 'any' }).ok).toBe(true);
  });

  it('fails it when the step runs: INVALID_CONFIG, or the code the schema gives, with the first issue', () => {
    let err: unknown;
    try {
      parseServiceConfig('notify', notifySchema, { channel: 'fax', text: 'hi' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(EngineError);
    expect(err).toMatchObject({ code: 'INVALID_CONFIG', message: 'notify: channel must be chat or pager', retryable: false });
    expect((err as EngineError).details).toEqual({ problems: [{ path: 'channel', message: 'channel must be chat or pager' }] });
    const coded = z.looseObject({ n: z.number().refine((n) => n < 3, { error: 'too big', params: { errorCode: 'TOO_BIG' } }) });
    expect(() => parseServiceConfig('count', coded, { n: 4 })).toThrow(expect.objectContaining({ code: 'TOO_BIG', message: 'count: too big' }));
  });

  it('parses a compiled config once, however many steps run it, and a failing one every time', () => {
    let parses = 0;
    const counted = z.looseObject({ text: z.string().transform((t) => (parses++, t)) });
    const config = { text: 'hi' };
    const first = parseServiceConfig('count', counted, config);
    expect(parseServiceConfig('count', counted, config)).toBe(first);
    expect(parses).toBe(1);
    const broken = { channel: 'fax', text: 'hi' };
    expect(() => parseServiceConfig('notify', notifySchema, broken)).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
    expect(() => parseServiceConfig('notify', notifySchema, broken)).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
  });

  it('checks neither CEL nor save-only rules at run time', () => {
    const atSave = z.looseObject({ to: refinedAtSave(z.string(), (to, ctx) => (to.endsWith('@evil.test') ? ctx.addIssue({ code: 'custom', message: 'not allowed' }) : undefined)) });
    expect(serviceConfigProblems(atSave, { to: 'x@evil.test' })).toEqual([{ path: 'to', message: 'not allowed' }]);
    expect(parseServiceConfig('mail', atSave, { to: 'x@evil.test' })).toEqual({ to: 'x@evil.test' });
    expect(parseServiceConfig('notify', notifySchema, { channel: 'chat', text: 'PO {{ context.po' })).toEqual({ channel: 'chat', text: 'PO {{ context.po', retries: 1 });
  });
});
