/** Definition builders that read like the workflow. */

/**
 * The deployment guide's Purchase Order Approval:
 *
 *   manager_approval --> amount_check --true--> cfo_approval --> complete
 *                                     \--false-------------------^
 */
export function purchaseOrderDefinition(name = 'Purchase Order Approval') {
  return {
    name,
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
}

/** start -> n set_context service tasks -> end */
export function serviceChainDefinition(name: string, steps: number) {
  const nodes = Array.from({ length: steps }, (_, i) => ({
    id: `step_${i + 1}`,
    nodeType: 'service_task',
    name: `Step ${i + 1}`,
    serviceType: 'set_context',
    serviceConfig: { values: { [`step${i + 1}`]: true } },
  }));
  const routes = nodes.slice(1).map((n, i) => ({ fromNodeId: nodes[i]!.id, toNodeId: n.id }));
  return { name, nodes, routes };
}
