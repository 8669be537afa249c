/**
 * The built-in handlers' config schemas as a save applies them: compiled with the catalog the API
 * compiles against (these cases were the engine's own until each service type got one home).
 */
import { definition } from '@wf/testkit/definitions';
import { compileDefinition, type CompiledDefinition, type DefinitionProblem } from '@wf/engine';
import { compiledNode } from '@wf/engine/testing';
import { createDatabaseQueryHandler } from './database-query.handler';
import { createEmailSendHandler } from './email-send.handler';
import type { HandlerLog } from './handler-log';
import { HandlerRegistry } from './handler-registry';
import { createHttpCallHandler } from './http-call.handler';
import { loadSqlParser } from './sql-statement-check';

const log: HandlerLog = { debug() {}, info() {}, warn() {} };
const builtIns = new HandlerRegistry()
  .register(createHttpCallHandler({ allowedHosts: [], log }))
  .register(createEmailSendHandler({ smtpUrl: null, log }))
  .register(
    createDatabaseQueryHandler({
      sql: { query: () => Promise.reject(new Error('a save runs no statement')) },
      statementTimeoutMs: 1000,
      maxRows: 10,
    }),
  );

type Options = Parameters<typeof compileDefinition>[1];

function compiled(raw: unknown, options: Options = { serviceTypes: builtIns }): CompiledDefinition {
  const result = compileDefinition(raw, options);
  if (!result.ok) throw new Error(`expected a valid definition, got ${JSON.stringify(result.problems, null, 2)}`);
  return result.definition;
}

function problems(raw: unknown, options: Options = { serviceTypes: builtIns }): DefinitionProblem[] {
  const result = compileDefinition(raw, options);
  if (result.ok) throw new Error('expected problems, the definition compiled');
  return result.problems;
}

beforeAll(() => loadSqlParser());

describe('compileDefinition with the built-in handlers', () => {
  it('needs a known service type', () => {
    const raw = definition()
      .service('s', 'fax_send')
      .node({ id: 't', nodeType: 'service_task', name: 't' })
      .route('s', 't')
      .build();
    expect(problems(raw)).toEqual([
      {
        path: 'nodes[0].serviceType',
        message: 'unknown service type "fax_send" (known: database_query, email_send, http_call, set_context)',
      },
      { path: 'nodes[1].serviceType', message: 'a service_task needs serviceType' },
    ]);
    const plugin = new HandlerRegistry().register({ type: 'fax_send', execute: async () => ({}) });
    const withPlugin = compileDefinition(definition().service('s', 'fax_send').build(), {
      serviceTypes: plugin,
    });
    expect(withPlugin.ok).toBe(true);
  });

  it('checks the built-in service configs', () => {
    const raw = definition()
      .service('set', 'set_context', { values: [1] })
      .service('http', 'http_call', {
        url: 'ftp://x',
        method: 'FETCH',
        headers: { 'X-Po': '{{ context.po }}', Bad: '{{ 1 + "a" }}' },
      })
      .service('mail', 'email_send', { to: 'a@example.com', subject: 'PO {{ context.po', body: 3 })
      .service('db', 'database_query', { sql: 'select $1', params: ['context.id', 'context.', 4] })
      .route('set', 'http')
      .route('http', 'mail')
      .route('mail', 'db')
      .build();
    expect(problems(raw)).toEqual([
      {
        path: 'nodes[0].serviceConfig.values',
        message: 'set_context needs serviceConfig.values, an object of context keys to set',
      },
      { path: 'nodes[1].serviceConfig.url', message: 'serviceConfig.url must be an http or https URL' },
      {
        path: 'nodes[1].serviceConfig.method',
        message: 'serviceConfig.method must be one of GET, POST, PUT, PATCH, DELETE',
      },
      {
        path: 'nodes[1].serviceConfig.headers.Bad',
        message: 'invalid template: {{ 1 + "a" }}: no such overload: int + string',
      },
      { path: 'nodes[2].serviceConfig.body', message: 'email_send needs serviceConfig.body, a string' },
      { path: 'nodes[2].serviceConfig.subject', message: 'invalid template: "{{" without a closing "}}"' },
      { path: 'nodes[3].serviceConfig.params[1]', message: expect.stringMatching(/^invalid expression: /) },
      { path: 'nodes[3].serviceConfig.params[2]', message: 'a parameter is an expression, written as a string' },
    ]);
  });

  it('compiles an http call whose url is a template', () => {
    const raw = definition()
      .service('h', 'http_call', { url: '{{ context.callbackUrl }}', method: 'POST', body: { po: '{{ context.po }}' } })
      .build();
    expect(compiledNode(compiled(raw), 'h', 'service_task')?.serviceConfig).toEqual({
      url: '{{ context.callbackUrl }}',
      method: 'POST',
      body: { po: '{{ context.po }}' },
    });
  });

  it('keeps each config as its schema parsed it, defaults filled, and the input as written', () => {
    const raw = definition()
      .service('h', 'http_call', { url: 'https://erp.example.com/po' })
      .service('q', 'database_query', { sql: 'SELECT 1' })
      .route('h', 'q')
      .build();
    const def = compiled(raw);
    expect(compiledNode(def, 'h', 'service_task')?.serviceConfig).toEqual({ url: 'https://erp.example.com/po', method: 'GET' });
    expect(compiledNode(def, 'q', 'service_task')?.serviceConfig).toEqual({ sql: 'SELECT 1', params: [] });
    expect(Object.isFrozen(compiledNode(def, 'q', 'service_task')?.serviceConfig['params'])).toBe(true);
    expect(def.input.nodes[0]?.['serviceConfig']).toEqual({ url: 'https://erp.example.com/po' });
  });

  it('refuses a statement the PostgreSQL parser does not allow, and a literal sender off the list', () => {
    const mail = new HandlerRegistry().register(createEmailSendHandler({ smtpUrl: null, allowedFrom: ['ops@example.com'], log }));
    expect(problems(definition().service('q', 'database_query', { sql: 'DROP TABLE orders' }).build())).toEqual([
      { path: 'nodes[0].serviceConfig.sql', message: 'DROP statements are not allowed (only SELECT, INSERT, UPDATE, DELETE, MERGE, WITH, VALUES, TABLE)' },
    ]);
    const from = (sender: string) => definition().service('m', 'email_send', { to: 'a@example.com', subject: 's', body: 'b', from: sender }).build();
    expect(problems(from('ceo@example.com'), { serviceTypes: mail })).toEqual([
      {
        path: 'nodes[0].serviceConfig.from',
        message: '"ceo@example.com" is not an allowed sender (SMTP_ALLOWED_FROM: workflow-engine@localhost, ops@example.com)',
      },
    ]);
    expect(compileDefinition(from('ops@example.com'), { serviceTypes: mail }).ok).toBe(true);
  });

  it('refuses an http_call timeoutMs beyond five minutes', () => {
    const call = (timeoutMs: number) =>
      definition().service('h', 'http_call', { url: 'https://erp.example.com/po', timeoutMs }).build();
    expect(problems(call(300_001))).toEqual([
      { path: 'nodes[0].serviceConfig.timeoutMs', message: 'serviceConfig.timeoutMs must be at most 300000 (five minutes)' },
    ]);
    expect(compiledNode(compiled(call(300_000)), 'h', 'service_task')?.serviceConfig['timeoutMs']).toBe(300_000);
    expect(compileDefinition(call(1e10), { serviceTypes: builtIns, strict: false }).ok).toBe(true);
  });

  it('loads a stored config that no longer fits as written, leaving it to fail when its step runs', () => {
    const stored = definition().service('h', 'http_call', { url: 'https://erp.example.com/po', timeoutMs: 1e10 }).build();
    expect(compiledNode(compiled(stored, { serviceTypes: builtIns, strict: false }), 'h', 'service_task')?.serviceConfig).toEqual({
      url: 'https://erp.example.com/po',
      timeoutMs: 1e10,
    });
  });
});

describe('compileDefinition with the built-in handlers: contextSchema', () => {
  const orderSchema = {
    type: 'object',
    properties: {
      amount: { type: 'number' },
      region: { type: 'string' },
      urgent: { type: 'boolean' },
      buyer: { type: 'object', properties: { email: { type: 'string' } }, additionalProperties: false },
    },
  };

  it('type-checks conditions, route conditions, templates and query params against it', () => {
    const raw = definition()
      .gateway('large', 'context.amount > "x"')
      .setContext('yes')
      .service('mail', 'email_send', { to: '{{ context.buyer.mail }}', subject: 'PO', body: '{{ context.amount * 2 }}' })
      .service('db', 'database_query', { sql: 'select $1', params: ['context.region + 1'] })
      .approval('ok')
      .route('large', 'yes', 'true')
      .route('large', 'mail', 'context.region')
      .route('large', 'db')
      .route('db', 'ok')
      .with({ contextSchema: orderSchema })
      .build();
    expect(problems(raw)).toEqual([
      { path: 'routes[1].condition', message: 'expression must give a bool, not string' },
      {
        path: 'nodes[0].conditionExpression',
        message: 'expression does not fit contextSchema: no such overload: double > string',
      },
      {
        path: 'nodes[2].serviceConfig.to',
        message: 'invalid template: {{ context.buyer.mail }}: does not fit contextSchema: No such key: mail',
      },
      {
        path: 'nodes[3].serviceConfig.params[0]',
        message: 'expression does not fit contextSchema: no such overload: string + int',
      },
    ]);
  });

  it('compiles configs whose expressions fit it, keeping their parsed form', () => {
    const raw = definition()
      .service('db', 'database_query', { sql: 'select $1', params: ['context.region + "x"'], resultVariable: 'rows' })
      .with({ contextSchema: orderSchema })
      .build();
    expect(compiledNode(compiled(raw), 'db', 'service_task')?.serviceConfig).toEqual({ sql: 'select $1', params: ['context.region + "x"'], resultVariable: 'rows' });
  });
});
