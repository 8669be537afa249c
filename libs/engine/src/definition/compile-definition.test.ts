import { compileDefinition } from './compile-definition';
import { NODE_COMMON_FIELDS, NODE_FIELDS, nodeSchema } from './definition.schema';
import type { CompiledDefinition, DefinitionProblem } from './definition.types';
import { compiledNode } from '../testing/compiled-node';
import { definition, type NodeJson } from '@wf/testkit/definitions';

function compiled(raw: unknown, options?: Parameters<typeof compileDefinition>[1]): CompiledDefinition {
  const result = compileDefinition(raw, options);
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
    const gateway = compiledNode(po, 'amount_check', 'gateway');
    expect(gateway?.gatewayType).toBe('exclusive');
    expect(gateway?.outgoing.map((route) => [route.toNodeId, route.kind])).toEqual([
      ['cfo_approval', 'when_true'],
      ['complete', 'when_false'],
    ]);
    expect(po.nodes.get('manager_approval')?.outgoing.map((route) => route.kind)).toEqual(['always']);
  });

  it('keeps nodes in definition order, each with its own type’s fields filled and no other type’s', () => {
    expect([...po.nodes.keys()]).toEqual(['manager_approval', 'amount_check', 'cfo_approval', 'complete']);
    expect(po.nodes.get('complete')).toMatchObject({
      serviceType: 'set_context',
      serviceConfig: { values: { orderStatus: 'approved' } },
      join: false,
      incomingFrom: ['amount_check', 'cfo_approval'],
      outgoing: [],
    });
    for (const field of ['approverRole', 'conditionExpression', 'slaHours']) expect(po.nodes.get('complete')).not.toHaveProperty(field);
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
      contextSchema: null,
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

  it('keeps unknown node keys as the client wrote them when not strict (a stored definition)', () => {
    const raw = definition().approval('a', { approverRole: 'manager', uiPosition: { x: 1, y: 2 } }).build();
    expect(compiled(raw, { strict: false }).input.nodes[0]).toEqual({
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
      { path: 'nodes[0].approverRole', message: 'an approval needs approverRole, approverUserId or approverExpression' },
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
      { path: 'nodes[0].approverUserId', message: 'give one of approverRole, approverUserId and approverExpression, not several' },
    ]);
  });

  it('needs an assignee on a user task', () => {
    expect(problems(definition().userTask('t', {}).build())).toEqual([
      { path: 'nodes[0].assigneeRole', message: 'a user_task needs assigneeRole, assigneeUserId or assigneeExpression' },
    ]);
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

describe('compileDefinition: unknown and misplaced fields (strict, at save)', () => {
  it('refuses unknown fields on nodes, routes, triggers and the definition, suggesting the name meant', () => {
    const raw = definition()
      .approval('a', { approverRole: 'manager', slaHour: 3, uiPosition: { x: 1 } })
      .setContext('b')
      .route('a', 'b')
      .with({
        routes: [{ fromNodeId: 'a', toNodeId: 'b', conditon: 'context.ok' }],
        triggers: [{ type: 'cron', cron: '0 7 * * MON', timeZone: 'Europe/Berlin' }, { type: 'event', eventTyp: 'x' }],
        escalationEnable: true,
      })
      .build();
    expect(problems(raw)).toEqual([
      { path: 'triggers[1].eventType', message: 'Invalid input: expected string, received undefined' },
      { path: 'escalationEnable', message: 'unknown field "escalationEnable" (did you mean "escalationEnabled"?)' },
      { path: 'nodes[0].slaHour', message: 'unknown field "slaHour" (did you mean "slaHours"?)' },
      { path: 'nodes[0].uiPosition', message: 'unknown field "uiPosition"' },
      { path: 'routes[0].conditon', message: 'unknown field "conditon" (did you mean "condition"?)' },
      { path: 'triggers[0].timeZone', message: 'unknown field "timeZone" (did you mean "timezone"?)' },
      { path: 'triggers[1].eventTyp', message: 'unknown field "eventTyp" (did you mean "eventType"?)' },
    ]);
  });

  it('refuses fields of another node type', () => {
    const raw = definition()
      .node({
        id: 's',
        nodeType: 'service_task',
        name: 's',
        serviceType: 'set_context',
        serviceConfig: { values: {} },
        approverRole: 'manager',
        slaHours: 4,
      })
      .node({ id: 'p', nodeType: 'gateway', name: 'p', gatewayType: 'parallel', conditionExpression: 'context.ok' })
      .setContext('x')
      .route('s', 'p')
      .route('p', 'x')
      .build();
    expect(problems(raw)).toEqual([
      { path: 'nodes[0].approverRole', message: 'field "approverRole" does not apply to a service_task node (only to approval)' },
      {
        path: 'nodes[0].slaHours',
        message: 'field "slaHours" does not apply to a service_task node (only to approval, user_task)',
      },
      {
        path: 'nodes[1].conditionExpression',
        message: 'field "conditionExpression" does not apply to a parallel gateway, which takes every route',
      },
    ]);
  });

  it('ignores what a GET answer adds, so a definition read back can be posted as its next version', () => {
    const raw = definition()
      .approval('a')
      .with({ id: '5f0c8d9e-2b1a-4c3d-8e7f-6a5b4c3d2e1f', version: 3, isActive: true, createdBy: 'alice' })
      .build();
    expect(compiled(raw).input).not.toHaveProperty('version');
  });

  it('keeps accepting them when recompiling a stored definition (strict: false, or serviceTypes "any")', () => {
    const raw = definition().approval('a', { approverRole: 'manager', slaHour: 3 }).with({ slaHour: 1 }).build();
    expect(compileDefinition(raw, { strict: false }).ok).toBe(true);
    expect(compileDefinition(raw, { serviceTypes: 'any' }).ok).toBe(true);
    expect(compileDefinition(raw, { serviceTypes: 'any', strict: true }).ok).toBe(false);
  });

  it('knows every node field the schema has, each for at least one node type', () => {
    const listed = new Set<string>([...NODE_COMMON_FIELDS, ...Object.values(NODE_FIELDS).flat()]);
    expect([...listed].sort()).toEqual(Object.keys(nodeSchema.shape).sort());
  });
});

describe('compileDefinition: parallel branches that meet (strict, at save)', () => {
  const joinNode = (id: string) => ({
    id,
    nodeType: 'service_task',
    name: id,
    serviceType: 'set_context',
    serviceConfig: { values: {} },
    join: true,
  });

  //   split ==> left  --> done --> after
  //         ==> right --> done
  it('refuses the node where the branches of a parallel gateway meet without join, and only that one', () => {
    const raw = definition()
      .parallel('split')
      .setContext('left')
      .setContext('right')
      .setContext('done')
      .setContext('after')
      .route('split', 'left')
      .route('split', 'right')
      .route('left', 'done')
      .route('right', 'done')
      .route('done', 'after')
      .build();
    expect(problems(raw)).toEqual([
      {
        path: 'nodes[3].join',
        message: 'branches of the parallel gateway "split" meet at "done", which would run once per branch: mark it "join": true',
      },
    ]);
    expect(compileDefinition(raw, { strict: false }).ok).toBe(true);
  });

  //   split ==> a --> m1 --> m2
  //         ==> b --> m1
  //             a ---------> m2
  it('names every node that needs join, also one after a join that a branch reaches around it', () => {
    const build = (m1: NodeJson) =>
      definition()
        .parallel('split')
        .setContext('a')
        .setContext('b')
        .node(m1)
        .setContext('m2')
        .route('split', 'a')
        .route('split', 'b')
        .route('a', 'm1')
        .route('b', 'm1')
        .route('m1', 'm2')
        .route('a', 'm2')
        .build();
    const plain = { id: 'm1', nodeType: 'service_task', name: 'm1', serviceType: 'set_context', serviceConfig: { values: {} } };
    expect(paths(problems(build(plain)))).toEqual(['nodes[3].join', 'nodes[4].join']);
    expect(problems(build(joinNode('m1')))).toEqual([
      {
        path: 'nodes[4].join',
        message: 'branches of the parallel gateway "split" meet at "m2", which would run once per branch: mark it "join": true',
      },
    ]);
  });

  //   review --> notify --> archive
  //          --> log ----> archive
  it('treats a node that takes every route without a condition as a fork', () => {
    const raw = definition()
      .approval('review')
      .setContext('notify')
      .setContext('log')
      .setContext('archive')
      .route('review', 'notify')
      .route('review', 'log', 'context.audit')
      .route('notify', 'archive')
      .route('log', 'archive')
      .build();
    expect(problems(raw)).toEqual([
      {
        path: 'nodes[3].join',
        message:
          'routes leaving "review" may all be taken and meet again at "archive", which would run once per route taken: mark it "join": true',
      },
    ]);
  });

  //   check --true--> big --> done          review --approved--> publish
  //         --false---------> done          review --rejected--> fix --> publish
  it('lets exclusive choices meet without join: an exclusive gateway, and approve against reject', () => {
    expect(compileDefinition(purchaseOrderApproval).ok).toBe(true);
    const raw = definition()
      .approval('review')
      .setContext('fix')
      .setContext('publish')
      .route('review', 'publish')
      .route('review', 'fix', 'rejected')
      .route('fix', 'publish')
      .build();
    expect(compiled(raw).nodes.get('publish')?.join).toBe(false);
  });

  //   split ==> legal   --> join (parallel gateway, join) --> notify
  //         ==> finance --> join
  //   with finance --rejected--> split (a rework loop back to the fork)
  it('compiles joined branches, and a loop back to the fork', () => {
    const raw = definition()
      .parallel('split')
      .approval('legal', { approverRole: 'legal' })
      .approval('finance', { approverRole: 'finance' })
      .node({ id: 'join', nodeType: 'gateway', name: 'join', gatewayType: 'parallel', join: true })
      .setContext('notify')
      .route('split', 'legal')
      .route('split', 'finance')
      .route('legal', 'join')
      .route('finance', 'join')
      .route('finance', 'split', 'rejected')
      .route('join', 'notify')
      .with({ startNodeId: 'split' })
      .build();
    expect(compiled(raw).nodes.get('join')?.join).toBe(true);
  });
});

describe('compileDefinition: upper bounds on durations (strict, at save)', () => {
  it('refuses slaHours beyond ten years on the definition and on a node', () => {
    const raw = definition()
      .approval('a', { approverRole: 'manager', slaHours: 1e10 })
      .userTask('b', { assigneeRole: 'clerk', slaHours: 87_601 })
      .approval('c', { approverRole: 'manager', slaHours: 87_600 })
      .route('a', 'b')
      .route('b', 'c')
      .with({ slaHours: 2_300_000_000 })
      .build();
    expect(problems(raw)).toEqual([
      { path: 'slaHours', message: 'slaHours must be at most 87600 (ten years)' },
      { path: 'nodes[0].slaHours', message: 'slaHours must be at most 87600 (ten years)' },
      { path: 'nodes[1].slaHours', message: 'slaHours must be at most 87600 (ten years)' },
    ]);
    expect(compileDefinition(raw, { strict: false }).ok).toBe(true);
  });

});

describe('compileDefinition: contextSchema', () => {
  const orderSchema = {
    type: 'object',
    properties: {
      amount: { type: 'number' },
      region: { type: 'string' },
      urgent: { type: 'boolean' },
      buyer: { type: 'object', properties: { email: { type: 'string' } }, additionalProperties: false },
    },
  };

  it('accepts expressions that fit it, reads unlisted keys as dyn and keeps the schema', () => {
    const raw = definition()
      .gateway('large', 'context.amount >= 10000 && context.amount == 15000 && !context.urgent')
      .setContext('yes')
      .approval('no')
      .node({ id: 'child', nodeType: 'sub_workflow', name: 'child', subWorkflowName: 'Credit Check', outputMapping: { s: 'context.score + "x"' } })
      .route('large', 'yes', 'true')
      .route('large', 'no', 'context.payable == true')
      .route('no', 'child', 'context.amount * 1.1 > 5')
      .with({ contextSchema: orderSchema })
      .build();
    const result = compiled(raw);
    expect(result.contextSchema).toEqual(orderSchema);
    expect(result.input.contextSchema).toEqual(orderSchema);
  });

  it('reports a contextSchema it cannot use, with paths inside it', () => {
    const raw = definition()
      .approval('a')
      .with({ contextSchema: { type: 'array', properties: { amount: { type: 'numbr' }, tags: { type: ['string', 7] } } } })
      .build();
    expect(problems(raw)).toEqual([
      { path: 'contextSchema.type', message: 'the context is an object: type must be "object"' },
      {
        path: 'contextSchema.properties.amount.type',
        message:
          'unknown type "numbr" (did you mean "number"?); known: object, array, string, number, integer, boolean, null',
      },
      {
        path: 'contextSchema.properties.tags.type[1]',
        message: 'unknown type 7; known: object, array, string, number, integer, boolean, null',
      },
    ]);
  });

  it('is not checked against when a stored definition is recompiled', () => {
    const raw = definition()
      .gateway('g', 'context.amount > "x"')
      .setContext('x')
      .route('g', 'x', 'true')
      .with({ contextSchema: orderSchema })
      .build();
    expect(compileDefinition(raw, { strict: false }).ok).toBe(true);
  });
});

describe('compileDefinition: recompiling a stored definition', () => {
  //   split ==> left --> done (no join)
  //         ==> right -> done
  it('never refuses what was accepted before the strict checks came in', () => {
    const stored = definition()
      .parallel('split')
      .approval('left', { approverRole: 'manager', slaHour: 3, slaHours: 1e10 })
      .setContext('right')
      .setContext('done')
      .route('split', 'left')
      .route('split', 'right')
      .route('left', 'done')
      .route('right', 'done')
      .with({ slaHours: 2_300_000_000 })
      .build();
    // what the store passes when it loads a row
    const result = compileDefinition(stored, { serviceTypes: 'any' });
    expect(result.ok).toBe(true);
    expect(paths(problems(stored))).toEqual(['nodes[1].slaHour', 'slaHours', 'nodes[1].slaHours', 'nodes[3].join']);
  });
});
