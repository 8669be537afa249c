/**
 * The workflows the chaos suite drives. Conventions the invariants rely on:
 * - every service step writes its own node id into the context (`set_context` values and the
 *   ledger's context update), so a completed step leaves a visible mark;
 * - ledger steps (plugin type `ledger`, a side effect with a unique key) have ids `ledger_*`;
 * - no workflow loops, so each node runs at most once per instance.
 */

export const APPROVER_ROLE = 'chaos-approver';
export const RACER_ROLE = 'chaos-racer';
const SLA_OWNER = 'sla-owner';
export const ESCALATION_ROLE = 'director';
const CRON_EXPRESSION = '*/2 * * * * *';
export const CRON_PERIOD_MS = 2000;

const ledger = (id: string, delayMs: number) => ({
  id,
  nodeType: 'service_task',
  name: `Ledger ${id}`,
  serviceType: 'ledger',
  serviceConfig: { delayMs },
});
const mark = (id: string) => ({ id, nodeType: 'service_task', name: `Mark ${id}`, serviceType: 'set_context', serviceConfig: { values: { [id]: true } } });
const route = (fromNodeId: string, toNodeId: string, condition?: string) => ({ fromNodeId, toNodeId, ...(condition ? { condition } : {}) });

/** ledger_c1 -> set_c2 -> ledger_c3 -> set_c4 -> ledger_c5 */
export const chainDefinition = {
  name: 'chaos-chain',
  nodes: [ledger('ledger_c1', 150), mark('set_c2'), ledger('ledger_c3', 250), mark('set_c4'), ledger('ledger_c5', 100)],
  routes: [route('ledger_c1', 'set_c2'), route('set_c2', 'ledger_c3'), route('ledger_c3', 'set_c4'), route('set_c4', 'ledger_c5')],
};

/**
 *   set_a1 -> approve_a2 --approved--> ledger_a3
 *                        \--rejected--> set_a4
 */
export const approvalDefinition = {
  name: 'chaos-approval',
  nodes: [mark('set_a1'), { id: 'approve_a2', nodeType: 'approval', name: 'Approve', approverRole: APPROVER_ROLE }, ledger('ledger_a3', 200), mark('set_a4')],
  routes: [route('set_a1', 'approve_a2'), route('approve_a2', 'ledger_a3'), route('approve_a2', 'set_a4', 'rejected')],
};

/** ledger_k1 -> set_k2 (started by chaos-parent) */
export const childDefinition = {
  name: 'chaos-child',
  nodes: [ledger('ledger_k1', 150), mark('set_k2')],
  routes: [route('ledger_k1', 'set_k2')],
};

/** set_p1 -> sub_p2 (chaos-child) -> ledger_p3 */
export const parentDefinition = {
  name: 'chaos-parent',
  nodes: [mark('set_p1'), { id: 'sub_p2', nodeType: 'sub_workflow', name: 'Child', subWorkflowName: 'chaos-child' }, ledger('ledger_p3', 100)],
  routes: [route('set_p1', 'sub_p2'), route('sub_p2', 'ledger_p3')],
};

/**
 *             +--> approve_f1 ------------------+
 *   fork_f0 --+                                 +--> join_fj (join) --> ledger_f4
 *             +--> ledger_f2 --> set_f3 --------+
 */
export const forkDefinition = {
  name: 'chaos-fork',
  nodes: [
    { id: 'fork_f0', nodeType: 'gateway', name: 'Fork', gatewayType: 'parallel' },
    { id: 'approve_f1', nodeType: 'approval', name: 'Approve branch', approverRole: APPROVER_ROLE },
    ledger('ledger_f2', 200),
    mark('set_f3'),
    { id: 'join_fj', nodeType: 'gateway', name: 'Join', gatewayType: 'parallel', join: true },
    ledger('ledger_f4', 100),
  ],
  routes: [
    route('fork_f0', 'approve_f1'),
    route('fork_f0', 'ledger_f2'),
    route('ledger_f2', 'set_f3'),
    route('approve_f1', 'join_fj'),
    route('set_f3', 'join_fj'),
    route('join_fj', 'ledger_f4'),
  ],
};

/** approve_s1 (deadline after 1.8 s, escalated to the director) -> ledger_s2 */
export const slaDefinition = {
  name: 'chaos-sla',
  escalationEnabled: true,
  escalationRole: ESCALATION_ROLE,
  nodes: [
    { id: 'approve_s1', nodeType: 'approval', name: 'Approve in time', approverUserId: SLA_OWNER, slaHours: 0.0005, escalationRole: ESCALATION_ROLE },
    ledger('ledger_s2', 50),
  ],
  routes: [route('approve_s1', 'ledger_s2')],
};

/** fired every two seconds: set_t1 -> ledger_t2 */
export function cronDefinition(scenario: string) {
  return {
    name: 'chaos-cron',
    triggers: [{ type: 'cron', cron: CRON_EXPRESSION, contextData: { chaosScenario: scenario, cron: true } }],
    nodes: [mark('set_t1'), ledger('ledger_t2', 50)],
    routes: [route('set_t1', 'ledger_t2')],
  };
}

/** approve_r1 (raced by many deciders) -> ledger_r2; a rejection ends the instance */
export const raceDefinition = {
  name: 'chaos-race',
  nodes: [{ id: 'approve_r1', nodeType: 'approval', name: 'Race', approverRole: RACER_ROLE }, ledger('ledger_r2', 50)],
  routes: [route('approve_r1', 'ledger_r2')],
};

/** The steady mix: what the load driver starts, with weights. */
export const MIX = [
  { kind: 'chain', definition: 'chaos-chain', weight: 35 },
  { kind: 'approval', definition: 'chaos-approval', weight: 25 },
  { kind: 'subworkflow', definition: 'chaos-parent', weight: 20 },
  { kind: 'fork', definition: 'chaos-fork', weight: 20 },
] as const;
