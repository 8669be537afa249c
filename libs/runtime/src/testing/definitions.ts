import { SAMPLE_WORKFLOW } from '../seed/sample-workflow';

/** Definition builders that read like the workflow. */

/**
 * The deployment guide's Purchase Order Approval:
 *
 *   manager_approval --> amount_check --true--> cfo_approval --> complete
 *                                     \--false-------------------^
 */
export function purchaseOrderDefinition(name = 'Purchase Order Approval') {
  // the sample the engine seeds is this very workflow
  return { ...structuredClone(SAMPLE_WORKFLOW), name, description: 'Multi-level PO approval workflow' };
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
