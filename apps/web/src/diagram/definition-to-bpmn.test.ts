import { bpmnElementOf, bpmnIdOf, definitionToBpmn, routeLabel, startNodeOf, xmlEscape } from './definition-to-bpmn';
import { markerOf, nodeStates, stateOf, takenFlows } from './diagram-status';

const purchaseOrder = {
  name: 'Purchase <Order> & "Co"',
  startNodeId: 'manager_approval',
  nodes: [
    { id: 'manager_approval', nodeType: 'approval', name: 'Manager Approval' },
    { id: 'amount_check', nodeType: 'gateway', name: 'Check Amount', conditionExpression: 'context.amount > 10000' },
    { id: 'cfo_approval', nodeType: 'approval', name: 'CFO Approval' },
    { id: 'complete', nodeType: 'service_task', name: 'Complete Order' },
  ],
  routes: [
    { fromNodeId: 'manager_approval', toNodeId: 'amount_check' },
    { fromNodeId: 'amount_check', toNodeId: 'cfo_approval', condition: 'true' },
    { fromNodeId: 'amount_check', toNodeId: 'complete', condition: 'false' },
    { fromNodeId: 'cfo_approval', toNodeId: 'complete' },
  ],
};

/** Element name -> attribute maps, read back with a tiny regex parser (enough for what we write). */
function elements(xml: string, tag: string): Record<string, string>[] {
  const found: Record<string, string>[] = [];
  const re = new RegExp(`<bpmn:${tag}((?:\\s+[\\w:]+="[^"]*")*)\\s*/?>`, 'g');
  for (const m of xml.matchAll(re)) {
    const attrs: Record<string, string> = {};
    for (const a of (m[1] ?? '').matchAll(/([\w:]+)="([^"]*)"/g)) attrs[a[1] as string] = a[2] as string;
    found.push(attrs);
  }
  return found;
}

describe('bpmnIdOf', () => {
  it('prefixes the ids the engine allows, which makes them valid NCNames', () => {
    expect(bpmnIdOf('manager_approval')).toBe('Node_manager_approval');
    expect(bpmnIdOf('1st.step-a')).toBe('Node_1st.step-a');
  });

  it('hex-encodes anything else, so distinct ids stay distinct and valid', () => {
    const odd = bpmnIdOf('a b<c>');
    expect(odd).toMatch(/^NodeX_[0-9a-f]+$/);
    expect(odd).not.toBe(bpmnIdOf('a_b_c_'));
    expect(bpmnIdOf('é')).toBe('NodeX_c3a9');
  });
});

describe('xmlEscape', () => {
  it('escapes the five XML entities and drops control characters', () => {
    expect(xmlEscape(`<script>&"'`)).toBe('&lt;script&gt;&amp;&quot;&apos;');
    expect(xmlEscape('a\u0000b\u0007c\td')).toBe('abc\td');
  });
});

describe('bpmnElementOf', () => {
  it.each([
    ['approval', {}, 'userTask'],
    ['user_task', {}, 'userTask'],
    ['service_task', {}, 'serviceTask'],
    ['gateway', {}, 'exclusiveGateway'],
    ['gateway', { gatewayType: 'parallel' }, 'parallelGateway'],
    ['gateway', { gatewayType: 'parallel', join: true }, 'parallelGateway'],
    ['sub_workflow', {}, 'callActivity'],
    ['timer', {}, 'intermediateCatchEvent'],
    ['receive', {}, 'intermediateCatchEvent'],
    ['something_new', {}, 'task'],
  ])('%s %j is a bpmn:%s', (nodeType, extra, element) => {
    expect(bpmnElementOf({ id: 'x', nodeType, ...extra })).toBe(element);
  });
});

describe('routeLabel and startNodeOf', () => {
  it('labels a route by its condition, none without one', () => {
    expect(routeLabel(undefined)).toBeNull();
    expect(routeLabel('  ')).toBeNull();
    expect(routeLabel(' rejected ')).toBe('rejected');
  });

  it('takes the given start node, else the first node no route enters', () => {
    expect(startNodeOf(purchaseOrder)).toBe('manager_approval');
    expect(startNodeOf({ ...purchaseOrder, startNodeId: undefined, nodes: [...purchaseOrder.nodes].reverse() })).toBe('manager_approval');
    expect(startNodeOf({ ...purchaseOrder, startNodeId: 'nope' })).toBe('manager_approval');
    expect(startNodeOf({ name: 'empty', nodes: [], routes: [] })).toBeNull();
  });
});

describe('definitionToBpmn', () => {
  const out = definitionToBpmn(purchaseOrder);

  it('writes one BPMN element per node, of the node type’s kind, with the node’s name', () => {
    expect(elements(out.xml, 'userTask').map((e) => [e['id'], e['name']])).toEqual([
      ['Node_manager_approval', 'Manager Approval'],
      ['Node_cfo_approval', 'CFO Approval'],
    ]);
    expect(elements(out.xml, 'exclusiveGateway').map((e) => e['id'])).toEqual(['Node_amount_check']);
    expect(elements(out.xml, 'serviceTask').map((e) => e['id'])).toEqual(['Node_complete']);
    expect(out.xml).toContain('<bpmn:documentation>context.amount &gt; 10000</bpmn:documentation>');
  });

  it('adds a start event into the start node and an end event after each node without a route out', () => {
    expect(elements(out.xml, 'startEvent').map((e) => e['id'])).toEqual(['StartEvent']);
    expect(elements(out.xml, 'endEvent').map((e) => e['id'])).toEqual(['End_Node_complete']);
    const flows = elements(out.xml, 'sequenceFlow');
    expect(flows.find((f) => f['id'] === 'Flow_start')).toMatchObject({ sourceRef: 'StartEvent', targetRef: 'Node_manager_approval' });
    expect(flows.find((f) => f['id'] === 'Flow_end_Node_complete')).toMatchObject({ sourceRef: 'Node_complete', targetRef: 'End_Node_complete' });
  });

  it('writes each route as a sequence flow named by its condition, with the condition as its expression', () => {
    const flows = elements(out.xml, 'sequenceFlow');
    expect(flows).toHaveLength(6);
    expect(flows.find((f) => f['targetRef'] === 'Node_cfo_approval')).toMatchObject({ name: 'true', sourceRef: 'Node_amount_check' });
    expect(out.xml).toContain('<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">false</bpmn:conditionExpression>');
    expect(out.flows.map((f) => [f.from, f.to, f.label])).toEqual([
      [null, 'manager_approval', null],
      ['manager_approval', 'amount_check', null],
      ['amount_check', 'cfo_approval', 'true'],
      ['amount_check', 'complete', 'false'],
      ['cfo_approval', 'complete', null],
      ['complete', null, null],
    ]);
  });

  it('lists every flow as incoming and outgoing of the elements it joins', () => {
    expect(out.xml).toMatch(
      /<bpmn:exclusiveGateway id="Node_amount_check"[^>]*><bpmn:documentation>[^<]*<\/bpmn:documentation><bpmn:incoming>Flow_1<\/bpmn:incoming><bpmn:outgoing>Flow_2<\/bpmn:outgoing><bpmn:outgoing>Flow_3<\/bpmn:outgoing>/,
    );
  });

  it('escapes names and conditions, so a definition cannot write markup into the diagram', () => {
    const evil = definitionToBpmn({
      name: 'x',
      nodes: [
        { id: 'a', nodeType: 'approval', name: '"><script>alert(1)</script>' },
        { id: 'b', nodeType: 'service_task', name: 'B' },
      ],
      routes: [{ fromNodeId: 'a', toNodeId: 'b', condition: 'context.x < 3 && "y" != \'z\'' }],
    });
    expect(evil.xml).not.toContain('<script');
    expect(evil.xml).toContain('name="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(evil.xml).toContain('name="context.x &lt; 3 &amp;&amp; &quot;y&quot; != &apos;z&apos;"');
    expect(out.xml).toContain('<bpmn:process id="Process_1" name="Purchase &lt;Order&gt; &amp; &quot;Co&quot;"');
  });

  it('draws timers, receive nodes, sub-workflows and parallel gateways as their BPMN kinds', () => {
    const waits = definitionToBpmn({
      name: 'waits',
      nodes: [
        { id: 'fork', nodeType: 'gateway', gatewayType: 'parallel' },
        { id: 'wait', nodeType: 'timer', name: 'Wait a day' },
        { id: 'paid', nodeType: 'receive', name: 'Payment' },
        { id: 'child', nodeType: 'sub_workflow', name: 'Child' },
        { id: 'join', nodeType: 'gateway', gatewayType: 'parallel', join: true },
      ],
      routes: [
        { fromNodeId: 'fork', toNodeId: 'wait' },
        { fromNodeId: 'fork', toNodeId: 'paid' },
        { fromNodeId: 'wait', toNodeId: 'join' },
        { fromNodeId: 'paid', toNodeId: 'join' },
        { fromNodeId: 'join', toNodeId: 'child' },
      ],
    });
    expect(waits.xml).toMatch(/<bpmn:intermediateCatchEvent id="Node_wait" name="Wait a day">.*<bpmn:timerEventDefinition \/><\/bpmn:intermediateCatchEvent>/);
    expect(waits.xml).toMatch(/<bpmn:intermediateCatchEvent id="Node_paid" name="Payment">.*<bpmn:messageEventDefinition \/><\/bpmn:intermediateCatchEvent>/);
    expect(elements(waits.xml, 'callActivity').map((e) => e['id'])).toEqual(['Node_child']);
    expect(elements(waits.xml, 'parallelGateway').map((e) => [e['id'], e['name']])).toEqual([
      ['Node_fork', 'fork'],
      ['Node_join', 'join'],
    ]);
  });

  it('maps element ids and node ids both ways, and leaves out routes to nodes that do not exist', () => {
    const broken = definitionToBpmn({ name: 'x', nodes: [{ id: 'a', nodeType: 'approval' }], routes: [{ fromNodeId: 'a', toNodeId: 'ghost' }] });
    expect(broken.flows.map((f) => f.id)).toEqual(['Flow_start', 'Flow_end_Node_a']);
    expect(out.elementIds.get('cfo_approval')).toBe('Node_cfo_approval');
    expect(out.nodeIds.get('Node_cfo_approval')).toBe('cfo_approval');
  });
});

describe('node states and the path taken', () => {
  const { flows } = definitionToBpmn(purchaseOrder);

  it('names each execution status as a diagram state with its marker class', () => {
    expect(['completed', 'waiting', 'running', 'ready', 'failed', 'cancelled', 'skipped', 'odd'].map(stateOf)).toEqual([
      'done',
      'active',
      'active',
      'active',
      'failed',
      'cancelled',
      'cancelled',
      'not-reached',
    ]);
    expect(markerOf('failed')).toBe('wf-failed');
  });

  it('colours a node by its latest execution', () => {
    const states = nodeStates([
      { nodeId: 'manager_approval', status: 'failed' },
      { nodeId: 'manager_approval', status: 'completed' },
      { nodeId: 'amount_check', status: 'running' },
    ]);
    expect(Object.fromEntries(states)).toEqual({ manager_approval: 'done', amount_check: 'active' });
  });

  it('highlights the flows between nodes that ran, from the start and into the end', () => {
    const small = takenFlows(flows, [
      { nodeId: 'manager_approval', status: 'completed' },
      { nodeId: 'amount_check', status: 'completed' },
      { nodeId: 'complete', status: 'completed' },
    ]);
    expect([...small].sort()).toEqual(['Flow_1', 'Flow_3', 'Flow_end_Node_complete', 'Flow_start']);
    const midway = takenFlows(flows, [
      { nodeId: 'manager_approval', status: 'completed' },
      { nodeId: 'amount_check', status: 'completed' },
      { nodeId: 'cfo_approval', status: 'waiting' },
    ]);
    expect([...midway].sort()).toEqual(['Flow_1', 'Flow_2', 'Flow_start']);
    expect(takenFlows(flows, [])).toEqual(new Set());
  });

  it('takes the flow from the latest predecessor that completed, not every route out of a gateway', () => {
    const big = takenFlows(flows, [
      { nodeId: 'manager_approval', status: 'completed' },
      { nodeId: 'amount_check', status: 'completed' },
      { nodeId: 'cfo_approval', status: 'completed' },
      { nodeId: 'complete', status: 'completed' },
    ]);
    expect([...big].sort()).toEqual(['Flow_1', 'Flow_2', 'Flow_4', 'Flow_end_Node_complete', 'Flow_start']);
  });

  it('takes every completed branch into a parallel join', () => {
    const parallel = definitionToBpmn({
      name: 'p',
      nodes: [
        { id: 'fork', nodeType: 'gateway', gatewayType: 'parallel' },
        { id: 'a', nodeType: 'approval' },
        { id: 'b', nodeType: 'service_task' },
        { id: 'join', nodeType: 'gateway', gatewayType: 'parallel', join: true },
      ],
      routes: [
        { fromNodeId: 'fork', toNodeId: 'a' },
        { fromNodeId: 'fork', toNodeId: 'b' },
        { fromNodeId: 'a', toNodeId: 'join' },
        { fromNodeId: 'b', toNodeId: 'join' },
      ],
    });
    const runs = [
      { nodeId: 'fork', status: 'completed' },
      { nodeId: 'a', status: 'completed' },
      { nodeId: 'b', status: 'completed' },
      { nodeId: 'join', status: 'completed' },
    ];
    expect(parallel.joinNodeIds).toEqual(new Set(['join']));
    expect([...takenFlows(parallel.flows, runs, parallel.joinNodeIds)].sort()).toEqual(['Flow_1', 'Flow_2', 'Flow_3', 'Flow_4', 'Flow_end_Node_join', 'Flow_start']);
    expect(takenFlows(parallel.flows, runs).has('Flow_3')).toBe(false);
  });
});
