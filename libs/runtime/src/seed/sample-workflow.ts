/**
 * The deployment guide's sample workflow, seeded for the development tenant so a fresh
 * `npm start` has something to run: manager approval, an amount gateway, CFO approval above
 * 10,000, then the order is marked approved. Four eyes: whoever requests an order approves none
 * of its steps (`notStarter`).
 */
export const SAMPLE_WORKFLOW_NAME = 'Simple Purchase Approval';

export const SAMPLE_WORKFLOW = {
  name: SAMPLE_WORKFLOW_NAME,
  description: 'Purchase order approval: manager, then CFO above 10,000',
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
  notStarter: true,
  triggers: [],
} as const;
