import { compileDefinition } from './compile-definition';
import type { CompiledDefinition, DefinitionProblem } from './definition.types';

type RawNode = Record<string, unknown> & { id: string };
type RawRoute = { fromNodeId: string; toNodeId: string; condition?: string };

/** A small builder: nodes and routes in the order a reader draws them. */
class DefinitionBuilder {
  private readonly nodes: RawNode[] = [];
  private readonly routes: RawRoute[] = [];
  private readonly extra: Record<string, unknown> = {};

  constructor(private readonly name = 'Test Workflow') {}

  approval(id: string, fields: Record<string, unknown> = { approverRole: 'manager' }): this {
    return this.node({ id, nodeType: 'approval', name: id, ...fields });
  }

  userTask(id: string, fields: Record<string, unknown> = { assigneeRole: 'clerk' }): this {
    return this.node({ id, nodeType: 'user_task', name: id, ...fields });
  }

  service(id: string, serviceType: string, serviceConfig: Record<string, unknown> = {}): this {
    return this.node({ id, nodeType: 'service_task', name: id, serviceType, serviceConfig });
  }

  setContext(id: string, values: Record<string, unknown> = { done: true }): this {
    return this.service(id, 'set_context', { values });
  }

  gateway(id: string, conditionExpression: string): this {
    return this.node({ id, nodeType: 'gateway', name: id, conditionExpression });
  }

  parallel(id: string): this {
    return this.node({ id, nodeType: 'gateway', name: id, gatewayType: 'parallel' });
  }

  node(node: RawNode): this {
    this.nodes.push(node);
    return this;
  }

  route(fromNodeId: string, toNodeId: string, condition?: string): this {
    this.routes.push(condition === undefined ? { fromNodeId, toNodeId } : { fromNodeId, toNodeId, condition });
    return this;
  }

  with(fields: Record<string, unknown>): this {
    Object.assign(this.extra, fields);
    return this;
  }

  build(): Record<string, unknown> {
    return { name: this.name, nodes: this.nodes, routes: this.routes, ...this.extra };
  }
}

const definition = (name?: string) => new DefinitionBuilder(name);

function compiled(raw: unknown): CompiledDefinition {
  const result = compileDefinition(raw);
  if (!result.ok) throw new Error(`expected a valid definition, got ${JSON.stringify(result.problems, null, 2)}`);
  return result.definition;
}

function problems(raw: unknown, options?: Parameters<typeof compileDefinition>[1]): DefinitionProblem[] {
  const result = compileDefinition(raw, options);
  if (result.ok) throw new Error('expected problems, the definition compiled');
  return result.problems;
}

const paths = (list: DefinitionProblem[]) => list.map((problem) => problem.path);

/** The example from API.md, verbatim. */
const purchaseOrderApproval = {
  name: 'Purchase Order Approval',
  description: 'Multi-level PO approval workflow',
  category: 'approval',
  nodes: [
    { id: 'manager_approval', nodeType: 'approval', name: 'Manager Approval', approverRole: 'manager', slaHours: 24 },
    { id: 'amount_check', nodeType: 'gateway', name: 'Check Amount', conditionExpression: 'context.amount > 10000' },
    { id: 'cfo_approval', nodeType: 'approval', name: 'CFO Approval', approverRole: 'cfo', slaHours: 48 },
    {
      id: 'complete',
      nodeType: 'service_task',
      name: 'Complete Order',
      serviceType: 'set_context',
      serviceConfig: { values: { orderStatus: 'approved' } },
    },
  ],
  routes: [
    { fromNodeId: 'manager_approval', toNodeId: 'amount_check' },
    { fromNodeId: 'amount_check', toNodeId: 'cfo_approval', condition: 'true' },
    { fromNodeId: 'amount_check', toNodeId: 'complete', condition: 'false' },
    { fromNodeId: 'cfo_approval', toNodeId: 'complete' },
  ],
  slaHours: 72,
  escalationEnabled: true,
  triggers: [],
};

describe('compileDefinition: the purchase order approval', () => {
  //   manager_approval -> amount_check --true--> cfo_approval -> complete
  //                                    --false-----------------> complete
  const po = compiled(purchaseOrderApproval);

  it('starts at the node without incoming routes', () => {
    expect(po.startNodeId).toBe('manager_approval');
    expect(po.input.startNodeId).toBe('manager_approval');
  });

  it('classifies the gateway routes as when_true / when_false', () => {
    const gateway = po.nodes.get('amount_check');
    expect(gateway?.gatewayType).toBe('exclusive');
    expect(gateway?.outgoing.map((route) => [route.toNodeId, route.kind])).toEqual([
      ['cfo_approval', 'when_true'],
      ['complete', 'when_false'],
    ]);
    expect(po.nodes.get('manager_approval')?.outgoing.map((route) => route.kind)).toEqual(['always']);
  });

  it('keeps nodes in definition order with every field filled', () => {
    expect([...po.nodes.keys()]).toEqual(['manager_approval', 'amount_check', 'cfo_approval', 'complete']);
    expect(po.nodes.get('complete')).toMatchObject({
      serviceType: 'set_context',
      serviceConfig: { values: { orderStatus: 'approved' } },
      join: false,
      approverRole: null,
      conditionExpression: null,
      slaHours: null,
      incomingFrom: ['amount_check', 'cfo_approval'],
      outgoing: [],
    });
    expect(po.nodes.get('manager_approval')).toMatchObject({ approverRole: 'manager', slaHours: 24, incomingFrom: [] });
  });

  it('normalises the input with defaults filled', () => {
    const minimal = compiled(definition('Minimal').approval('a').build());
    expect(minimal.input).toEqual({
      name: 'Minimal',
      description: null,
      category: null,
      startNodeId: 'a',
      nodes: [{ id: 'a', nodeType: 'approval', name: 'a', approverRole: 'manager' }],
      routes: [],
      slaHours: null,
      escalationEnabled: false,
      escalationRole: null,
      triggers: [],
    });
    expect(po.slaHours).toBe(72);
    expect(po.escalationEnabled).toBe(true);
  });

  it('is frozen and leaves the caller’s object alone', () => {
    const raw = structuredClone(purchaseOrderApproval);
    const result = compiled(raw);
    expect(Object.isFrozen(result)).toBe(true);
    expect(Object.isFrozen(result.nodes.get('complete'))).toBe(true);
    expect(Object.isFrozen(result.input.nodes[3]?.serviceConfig)).toBe(true);
    expect(Object.isFrozen(raw.nodes[3]?.serviceConfig)).toBe(false);
  });

  it('keeps unknown node keys as the client wrote them', () => {
    const raw = definition().approval('a', { approverRole: 'manager', uiPosition: { x: 1, y: 2 } }).build();
    expect(compiled(raw).input.nodes[0]).toEqual({
      id: 'a',
      nodeType: 'approval',
      name: 'a',
      approverRole: 'manager',
      uiPosition: { x: 1, y: 2 },
    });
  });
});

describe('compileDefinition: every problem at once', () => {
  //   review -> check --true--> ghost (no such node)
  //   orphan (no incoming route, but startNodeId names review)
  it('reports an unknown route target, an unreachable node, a bad expression and a missing approver', () => {
    const raw = definition()
      .approval('review', {})
      .gateway('check', 'context.amount >')
      .setContext('orphan')
      .route('review', 'check')
      .route('check', 'ghost', 'true')
      .with({ startNodeId: 'review' })
      .build();
    expect(problems(raw)).toEqual([
      { path: 'routes[1].toNodeId', message: 'unknown node id "ghost"' },
      { path: 'nodes[0].approverRole', message: 'an approval needs approverRole or approverUserId' },
      { path: 'nodes[1].conditionExpression', message: 'invalid expression: Unexpected token: EOF' },
      { path: 'nodes[2]', message: 'node "orphan" is unreachable from the start node "review"' },
    ]);
  });

  it('reports shape problems with their paths and still checks the rest of the graph', () => {
    const raw = {
      name: '',
      slaHours: -1,
      nodes: [
        { id: 'a', nodeType: 'approval', name: 'A', approverRole: 7 },
        { id: 'has space', nodeType: 'robot', name: 'B' },
      ],
      // the route into the broken node still counts: it is no second start node
      routes: [
        { fromNodeId: 'a', toNodeId: 'nowhere' },
        { fromNodeId: 'a', toNodeId: 'has space' },
      ],
      triggers: [{ type: 'cron', cron: 'every day' }, { type: 'event', eventType: '' }],
    };
    expect(paths(problems(raw))).toEqual([
      'name',
      'slaHours',
      'triggers[0].cron',
      'triggers[1].eventType',
      'nodes[0].approverRole',
      'nodes[1].id',
      'nodes[1].nodeType',
      'routes[0].toNodeId',
    ]);
  });

  it('refuses a body that is not an object', () => {
    expect(problems(null)).toEqual([{ path: '', message: 'Invalid input: expected object, received null' }]);
    expect(paths(problems({ name: 'x' }))).toEqual(['nodes', 'routes']);
  });

  it('reports duplicate node ids', () => {
    const raw = definition().approval('a').approval('a').build();
    expect(problems(raw)).toEqual([{ path: 'nodes[1].id', message: 'duplicate node id "a" (first used at nodes[0])' }]);
  });

  it('refuses a definition past its limits', () => {
    const raw = definition().approval('a').approval('b').approval('c').route('a', 'b').route('b', 'c').build();
    const limits = { maxNodes: 2, maxRoutes: 1, maxExpressionLength: 10 };
    expect(problems(raw, { limits })).toEqual([
      { path: 'nodes', message: 'too many nodes: 3 (at most 2)' },
      { path: 'routes', message: 'too many routes: 2 (at most 1)' },
    ]);
  });

  it('refuses an expression longer than the limit', () => {
    const raw = definition().gateway('g', 'context.amount > 100000').setContext('x').route('g', 'x').build();
    expect(problems(raw, { limits: { maxNodes: 10, maxRoutes: 10, maxExpressionLength: 10 } })).toEqual([
      { path: 'nodes[0].conditionExpression', message: 'expression is longer than 10 characters' },
    ]);
  });
});

describe('compileDefinition: the start node', () => {
  it('reports several start nodes', () => {
    //   a -> c <- b
    const raw = definition().approval('a').approval('b').approval('c').route('a', 'c').route('b', 'c').build();
    expect(problems(raw)).toEqual([
      {
        path: 'nodes',
        message: 'several start nodes ("a", "b"): give all but one an incoming route, or name one with startNodeId',
      },
    ]);
  });

  //   draft -> review --rejected--> draft
  //            review -> publish
  const loop = () =>
    definition()
      .userTask('draft')
      .approval('review')
      .setContext('publish')
      .route('draft', 'review')
      .route('review', 'draft', 'rejected')
      .route('review', 'publish');

  it('reports no start node when a loop leads back to the first node', () => {
    expect(problems(loop().build())).toEqual([
      { path: 'nodes', message: 'no start node: every node has an incoming route; name one with startNodeId' },
    ]);
  });

  it('compiles the loop once startNodeId names the start', () => {
    const result = compiled(loop().with({ startNodeId: 'draft' }).build());
    expect(result.startNodeId).toBe('draft');
    expect(result.nodes.get('review')?.outgoing.map((route) => [route.toNodeId, route.kind])).toEqual([
      ['draft', 'on_rejected'],
      ['publish', 'always'],
    ]);
    expect(result.nodes.get('draft')?.incomingFrom).toEqual(['review']);
  });

  it('reports a startNodeId that names no node', () => {
    expect(problems(loop().with({ startNodeId: 'nope' }).build())).toEqual([
      { path: 'startNodeId', message: 'unknown node id "nope"' },
    ]);
  });
});

describe('compileDefinition: gateways', () => {
  //   split ==> left, right (parallel) -> done (join)
  it('compiles a parallel split with a join', () => {
    const raw = definition()
      .parallel('split')
      .setContext('left')
      .setContext('right')
      .node({
        id: 'done',
        nodeType: 'service_task',
        name: 'done',
        serviceType: 'set_context',
        serviceConfig: { values: {} },
        join: true,
      })
      .route('split', 'left')
      .route('split', 'right')
      .route('left', 'done')
      .route('right', 'done')
      .build();
    const result = compiled(raw);
    expect(result.nodes.get('split')).toMatchObject({ gatewayType: 'parallel', conditionExpression: null });
    expect(result.nodes.get('done')?.join).toBe(true);
  });

  it('refuses conditions on routes leaving a parallel gateway', () => {
    const raw = definition()
      .parallel('split')
      .setContext('left')
      .setContext('right')
      .route('split', 'left', 'true')
      .route('split', 'right', 'context.go')
      .build();
    expect(problems(raw)).toEqual([
      { path: 'routes[0].condition', message: 'routes leaving the parallel gateway "split" take no condition' },
      { path: 'routes[1].condition', message: 'routes leaving the parallel gateway "split" take no condition' },
    ]);
  });

  it('reports gateways with no way out', () => {
    //   a -> g (exclusive, no routes out)
    //   a -> p (parallel, no routes out)
    const raw = definition()
      .approval('a')
      .gateway('g', 'context.ok')
      .parallel('p')
      .route('a', 'g')
      .route('a', 'p')
      .build();
    expect(problems(raw)).toEqual([
      { path: 'nodes[1]', message: 'gateway with no way out: add a route from "g"' },
      { path: 'nodes[2]', message: 'gateway with no way out: add a route from "p"' },
    ]);
  });

  it('needs a boolean conditionExpression on an exclusive gateway', () => {
    const raw = definition()
      .gateway('g', 'context.amount + 1 > 5')
      .node({ id: 'h', nodeType: 'gateway', name: 'h' })
      .gateway('i', '"yes"')
      .route('g', 'h')
      .route('h', 'i')
      .route('i', 'g', 'true')
      .with({ startNodeId: 'g' })
      .build();
    expect(problems(raw)).toEqual([
      { path: 'nodes[1].conditionExpression', message: 'an exclusive gateway needs conditionExpression' },
      { path: 'nodes[2].conditionExpression', message: 'expression must give a bool, not string' },
    ]);
  });

  it('compiles expression routes and a default route out of an exclusive gateway', () => {
    const raw = definition()
      .gateway('g', 'context.tier == "gold"')
      .setContext('big')
      .setContext('small')
      .route('g', 'big', 'context.amount > 1000')
      .route('g', 'small')
      .build();
    expect(compiled(raw).nodes.get('g')?.outgoing.map((route) => route.kind)).toEqual(['expression', 'always']);
  });
});

describe('compileDefinition: route conditions', () => {
  it('allows "rejected" on a route leaving an approval', () => {
    const raw = definition().approval('a').setContext('rework').route('a', 'rework', 'rejected').build();
    expect(compiled(raw).routes[0]).toEqual({
      fromNodeId: 'a',
      toNodeId: 'rework',
      condition: 'rejected',
      kind: 'on_rejected',
    });
  });

  it('refuses "rejected" and "true" on routes leaving a service task', () => {
    const raw = definition()
      .setContext('s')
      .setContext('t')
      .setContext('u')
      .route('s', 't', 'rejected')
      .route('s', 'u', 'true')
      .build();
    expect(problems(raw)).toEqual([
      {
        path: 'routes[0].condition',
        message: 'condition "rejected" only applies to routes leaving an approval or a sub_workflow',
      },
      { path: 'routes[1].condition', message: 'condition "true" only applies to routes leaving an exclusive gateway' },
    ]);
  });

  it('treats any other condition as an expression, also on non-gateway nodes', () => {
    const raw = definition().approval('a').setContext('b').route('a', 'b', 'context.amount > 5').build();
    expect(compiled(raw).routes[0]?.kind).toBe('expression');
  });

  it('reports expression type errors and non-boolean conditions', () => {
    const raw = definition()
      .approval('a')
      .setContext('b')
      .setContext('c')
      .setContext('d')
      .setContext('e')
      .route('a', 'b', '1 + "a"')
      .route('a', 'c', 'context.amount + "x"')
      .route('a', 'd', 'size(context.items)')
      .route('a', 'e', 'context.flag')
      .build();
    // A context field is dyn, so `context.amount + "x"` checks, as a string; `context.flag` stays dyn
    // and is checked for a boolean when it runs.
    expect(problems(raw)).toEqual([
      { path: 'routes[0].condition', message: 'invalid expression: no such overload: int + string' },
      { path: 'routes[1].condition', message: 'expression must give a bool, not string' },
      { path: 'routes[2].condition', message: 'expression must give a bool, not int' },
    ]);
  });
});

describe('compileDefinition: required fields by node type', () => {
  it('refuses an approval with both approverRole and approverUserId', () => {
    const raw = definition().approval('a', { approverRole: 'manager', approverUserId: 'u1' }).build();
    expect(problems(raw)).toEqual([
      { path: 'nodes[0].approverUserId', message: 'give approverRole or approverUserId, not both' },
    ]);
  });

  it('needs an assignee on a user task', () => {
    expect(problems(definition().userTask('t', {}).build())).toEqual([
      { path: 'nodes[0].assigneeRole', message: 'a user_task needs assigneeRole or assigneeUserId' },
    ]);
  });

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
    const withPlugin = compileDefinition(definition().service('s', 'fax_send').build(), {
      serviceTypes: new Set(['fax_send']),
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
    expect(compiled(raw).nodes.get('h')?.serviceConfig).toEqual({
      url: '{{ context.callbackUrl }}',
      method: 'POST',
      body: { po: '{{ context.po }}' },
    });
  });

  it('needs a child workflow and checkable output mappings on a sub_workflow', () => {
    const raw = definition()
      .node({
        id: 'child',
        nodeType: 'sub_workflow',
        name: 'child',
        outputMapping: { total: 'context.sum', bad: 'context.sum +' },
      })
      .node({
        id: 'ok',
        nodeType: 'sub_workflow',
        name: 'ok',
        subWorkflowName: 'Credit Check',
        outputMapping: { score: 'context.score' },
      })
      .route('child', 'ok')
      .build();
    expect(problems(raw)).toEqual([
      { path: 'nodes[0].subWorkflowName', message: 'a sub_workflow needs subWorkflowName or subWorkflowDefinitionId' },
      { path: 'nodes[0].outputMapping.bad', message: 'invalid expression: Unexpected token: EOF' },
    ]);
  });
});

describe('compileDefinition: triggers', () => {
  it('fills contextData and accepts 5- and 6-field cron with names', () => {
    const raw = definition()
      .approval('a')
      .with({
        triggers: [
          { type: 'cron', cron: '0 9 * * MON-FRI', timezone: 'Europe/Berlin' },
          { type: 'cron', cron: '*/30 0 8 1 JAN *', contextData: { batch: true } },
          { type: 'event', eventType: 'order.created' },
        ],
      })
      .build();
    expect(compiled(raw).triggers).toEqual([
      { type: 'cron', cron: '0 9 * * MON-FRI', timezone: 'Europe/Berlin', contextData: {} },
      { type: 'cron', cron: '*/30 0 8 1 JAN *', contextData: { batch: true } },
      { type: 'event', eventType: 'order.created' },
    ]);
  });

  it('reports a malformed cron, an unknown time zone and an unknown trigger type', () => {
    const raw = definition()
      .approval('a')
      .with({
        triggers: [
          { type: 'cron', cron: '0 9 * *' },
          { type: 'cron', cron: '0 MON * * *', timezone: 'Mars/Olympus' },
          { type: 'webhook' },
        ],
      })
      .build();
    expect(paths(problems(raw))).toEqual([
      'triggers[0].cron',
      'triggers[1].cron',
      'triggers[1].timezone',
      'triggers[2].type',
    ]);
  });
});
