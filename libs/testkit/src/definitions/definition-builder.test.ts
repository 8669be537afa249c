/**
 * The builder writes the API's definition JSON as a reader would by hand:
 *
 *   fork --> legal --+
 *       \-> finance -+--> join --> notify
 */
import { definition } from './definition-builder';

describe('definition builder', () => {
  it('writes each node type with the fields the API names, the node id as its name unless given', () => {
    const raw = definition('Contract')
      .parallel('fork')
      .approval('legal', { approverRole: 'legal', slaHours: 24 })
      .userTask('finance', { name: 'Finance review', assigneeRole: 'finance' })
      .join('join')
      .setContext('notify', { signed: true })
      .route('fork', 'legal')
      .route('fork', 'finance')
      .chain('legal', 'join', 'notify')
      .route('finance', 'join')
      .with({ slaHours: 72, triggers: [{ type: 'event', eventType: 'contract.signed' }] })
      .build();
    expect(raw).toEqual({
      name: 'Contract',
      slaHours: 72,
      triggers: [{ type: 'event', eventType: 'contract.signed' }],
      nodes: [
        { id: 'fork', nodeType: 'gateway', name: 'fork', gatewayType: 'parallel' },
        { id: 'legal', nodeType: 'approval', name: 'legal', approverRole: 'legal', slaHours: 24 },
        { id: 'finance', nodeType: 'user_task', name: 'Finance review', assigneeRole: 'finance' },
        { id: 'join', nodeType: 'gateway', name: 'join', gatewayType: 'parallel', join: true },
        { id: 'notify', nodeType: 'service_task', name: 'notify', serviceType: 'set_context', serviceConfig: { values: { signed: true } } },
      ],
      routes: [
        { fromNodeId: 'fork', toNodeId: 'legal' },
        { fromNodeId: 'fork', toNodeId: 'finance' },
        { fromNodeId: 'legal', toNodeId: 'join' },
        { fromNodeId: 'join', toNodeId: 'notify' },
        { fromNodeId: 'finance', toNodeId: 'join' },
      ],
    });
  });

  it('writes gateways, sub-workflows and conditional routes, and defaults an approval to the manager role', () => {
    const raw = definition()
      .approval('ok')
      .gateway('big', 'context.amount > 1000')
      .subWorkflow('risk', 'Risk assessment', { outputMapping: { risk: 'context.level' } })
      .route('ok', 'big')
      .route('big', 'risk', 'true')
      .build();
    expect(raw.name).toBe('Test Workflow');
    expect(raw.nodes).toEqual([
      { id: 'ok', nodeType: 'approval', name: 'ok', approverRole: 'manager' },
      { id: 'big', nodeType: 'gateway', name: 'big', conditionExpression: 'context.amount > 1000' },
      { id: 'risk', nodeType: 'sub_workflow', name: 'risk', subWorkflowName: 'Risk assessment', outputMapping: { risk: 'context.level' } },
    ]);
    expect(raw.routes[1]).toEqual({ fromNodeId: 'big', toNodeId: 'risk', condition: 'true' });
  });

  it('builds a fresh copy each time, so changing one leaves the builder and the next copy alone', () => {
    const builder = definition('Copy').setContext('a');
    const first = builder.build();
    first.nodes[0]!['serviceConfig'] = { values: { changed: true } };
    first.nodes.push({ id: 'b', nodeType: 'approval', name: 'b' });
    expect(builder.build().nodes).toEqual([{ id: 'a', nodeType: 'service_task', name: 'a', serviceType: 'set_context', serviceConfig: { values: { done: true } } }]);
  });
});
