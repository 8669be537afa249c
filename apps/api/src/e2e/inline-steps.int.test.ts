/**
 * Steps without I/O run inline in the transaction of the step that readied them. Run that way, an
 * instance must leave exactly the rows, history and follow-up work it leaves with one
 * transaction per step; only the number of transactions differs.
 *
 *   fork --> left  (set_context) --> join --> review (approval)
 *        \-> right (set_context) --^
 */
import { executeNode, type Actor, type NodeJob, type SlaCheck } from '@wf/engine';
import { createHarness, sqlAsOwner, TENANT_A, type Harness } from '../testing/engine-harness';

let h: Harness;
const admin: Actor = { tenantId: TENANT_A, userId: 'admin', roles: ['admin'] };
const jobs: NodeJob[] = [];
const slaChecks: SlaCheck[] = [];

beforeAll(async () => {
  h = await createHarness({ worker: false });
  // the jobs a transaction leaves are collected here and run by the test, one at a time
  (h.rt.ports as { dispatcher: unknown }).dispatcher = {
    dispatch: async (js: readonly NodeJob[]) => void jobs.push(...js),
    scheduleSlaChecks: async (cs: readonly SlaCheck[]) => void slaChecks.push(...cs),
  };
  const def = await h.rt.services.definitions.create(admin, {
    name: 'Fan in',
    escalationEnabled: true,
    escalationRole: 'lead',
    nodes: [
      { id: 'fork', nodeType: 'gateway', name: 'Fork', gatewayType: 'parallel' },
      { id: 'left', nodeType: 'service_task', name: 'Left', serviceType: 'set_context', serviceConfig: { values: { left: 1 } } },
      { id: 'right', nodeType: 'service_task', name: 'Right', serviceType: 'set_context', serviceConfig: { values: { right: 2 } } },
      { id: 'join', nodeType: 'gateway', name: 'Join', gatewayType: 'parallel', join: true },
      { id: 'review', nodeType: 'approval', name: 'Review', approverRole: 'reviewer', slaHours: 0.01 },
    ],
    routes: [
      { fromNodeId: 'fork', toNodeId: 'left' },
      { fromNodeId: 'fork', toNodeId: 'right' },
      { fromNodeId: 'left', toNodeId: 'join' },
      { fromNodeId: 'right', toNodeId: 'join' },
      { fromNodeId: 'join', toNodeId: 'review' },
    ],
  });
  await h.rt.services.definitions.setActive(admin, def.id, true);
});

afterAll(() => h.close());

/** Start an instance and run its jobs to quiescence; returns how many transactions that took. */
async function runInstance(maxInlineSteps: number): Promise<{ id: string; transactions: number; slaChecks: number }> {
  jobs.length = 0;
  slaChecks.length = 0;
  const { instance } = await h.rt.services.instances.start(admin, { workflowName: 'Fan in' });
  let transactions = 0;
  for (let job = jobs.shift(); job; job = jobs.shift()) {
    await executeNode(h.rt.ports, job, { attempt: 1, finalAttempt: true, maxInlineSteps });
    transactions += 1;
  }
  return { id: instance.id, transactions, slaChecks: slaChecks.length };
}

async function sql<T>(text: string, params: unknown[]): Promise<T[]> {
  return sqlAsOwner<T>(h.db.url, text, params);
}

/** Everything an instance wrote, without ids and timestamps (which differ between runs) */
async function footprint(id: string) {
  const [instance] = await sql(
    `SELECT status, context_data, step_count, open_executions, completed_at IS NULL AS open FROM workflow_instances WHERE id = $1`,
    [id],
  );
  const nodes = await sql(
    `SELECT node_id, status, waiting_for, generation, attempts, assigned_role, output, error, decision,
       ready_at IS NOT NULL AS has_ready_at, started_at IS NOT NULL AS has_started_at,
       completed_at IS NOT NULL AS has_completed_at, sla_deadline IS NOT NULL AS has_deadline
     FROM workflow_instance_nodes WHERE instance_id = $1 ORDER BY node_id`,
    [id],
  );
  const history = await sql<{ event_type: string; node_id: string | null }>(
    `SELECT h.event_type, n.node_id FROM workflow_instance_history h
     LEFT JOIN workflow_instance_nodes n ON n.id = h.node_execution_id
     WHERE h.instance_id = $1 ORDER BY h.seq`,
    [id],
  );
  return { instance, nodes, history: history.map((r) => `${r.event_type}:${r.node_id ?? '-'}`) };
}

describe('steps without I/O running on in one transaction', () => {
  it('leave the rows, history and follow-up work of one transaction per step, in one transaction', async () => {
    const perStep = await runInstance(1);
    const runOn = await runInstance(20);

    expect(perStep.transactions).toBe(5);
    expect(runOn.transactions).toBe(1);
    const a = await footprint(perStep.id);
    const b = await footprint(runOn.id);
    expect(b).toEqual(a);
    expect(a.instance).toMatchObject({ status: 'running', context_data: { left: 1, right: 2 }, step_count: 5, open_executions: 1 });
    expect(a.history).toEqual([
      'instance_started:-',
      'node_started:fork', 'node_completed:fork',
      'node_started:left', 'node_completed:left',
      'node_started:right', 'node_completed:right',
      'node_started:join', 'node_completed:join',
      'node_started:review', 'task_created:review',
    ]);
    // the parked task's deadline is watched either way
    expect(runOn.slaChecks).toBe(perStep.slaChecks);
    expect(runOn.slaChecks).toBe(1);

    const token = h.token('admin', ['admin']);
    for (const id of [perStep.id, runOn.id]) {
      const verify = await h.http().get(`/api/instances/${id}/history/verify`).set({ Authorization: `Bearer ${token}` });
      expect(verify.body).toMatchObject({ valid: true, checked: 11 });
    }
    const queue = await h.http().get('/api/tasks/mine').set({ Authorization: `Bearer ${h.token('rita', ['reviewer'])}` });
    expect(queue.body.items.map((t: { instanceId: string }) => t.instanceId).sort()).toEqual([perStep.id, runOn.id].sort());
  });

  it('stops at the maxInlineSteps and leaves the rest to the queue', async () => {
    const run = await runInstance(2);
    // fork + left, then right + join, then review: three transactions of at most two steps
    expect(run.transactions).toBe(3);
    expect((await footprint(run.id)).instance).toMatchObject({ step_count: 5, open_executions: 1 });
  });
});
