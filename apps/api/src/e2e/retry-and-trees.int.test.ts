/**
 * A retry brings back everything a failure closed, so an instance completes only through the
 * decisions its definition requires (a regression test, then a property over generated parallel
 * definitions); and the whole tree of sub-workflows under one instance is bounded.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { createHarness, eventually, type Harness } from '../testing/engine-harness';

let h: Harness;
let admin: string;
let port: number;
/** per path: how many more requests answer 503 */
const failuresLeft = new Map<string, number>();
const server: Server = createServer((req, res) => {
  const left = failuresLeft.get(req.url ?? '') ?? 0;
  if (left > 0) {
    failuresLeft.set(req.url ?? '', left - 1);
    res.writeHead(503).end('down');
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
});

const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

beforeAll(async () => {
  port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
  h = await createHarness({
    env: {
      HTTP_CALL_ALLOWED_HOSTS: `127.0.0.1:${port}`,
      WORKFLOW_MAX_RETRIES: '0',
      WORKFLOW_RETRY_BACKOFF_MS: '10',
      WORKFLOW_MAX_INSTANCES_PER_TREE: '7',
      WORKFLOW_MAX_SUBWORKFLOW_DEPTH: '10',
    },
  });
  admin = h.token('admin', ['admin']);
});

afterAll(async () => {
  await h.close();
  server.close();
});

interface NodeDto {
  id: string;
  nodeId: string;
  status: string;
  decision: string | null;
  error: { code?: string } | null;
}
interface InstanceDto {
  id: string;
  status: string;
  nodes: NodeDto[];
}

async function define(body: object): Promise<string> {
  const res = await h.http().post('/api/definitions').set(auth(admin)).send(body);
  if (res.status !== 201) throw new Error(`definition refused: ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

async function start(definitionId: string): Promise<string> {
  const res = await h.http().post('/api/instances').set(auth(admin)).send({ workflowDefinitionId: definitionId, contextData: {} });
  if (res.status !== 201) throw new Error(`start refused: ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

async function get(id: string): Promise<InstanceDto> {
  return (await h.http().get(`/api/instances/${id}`).set(auth(admin))).body as InstanceDto;
}

async function untilStatus(id: string, statuses: string[]): Promise<InstanceDto> {
  return eventually(async () => {
    const i = await get(id);
    return statuses.includes(i.status) ? i : undefined;
  }, 15_000, `instance ${id} to be ${statuses.join('/')}`);
}

async function waitingTask(role: string, instanceId: string): Promise<string | undefined> {
  const res = await h.http().get('/api/tasks/mine').set(auth(h.token(`${role}-user`, [role])));
  return (res.body.items as { taskId: string; instanceId: string }[]).find((t) => t.instanceId === instanceId)?.taskId;
}

describe('retry after a failure in a parallel flow', () => {
  it('returns the approval the failure cancelled to its queue: the instance completes only once it is given', async () => {
    const path = `/erp-${Date.now()}`;
    failuresLeft.set(path, 1);
    const defId = await define({
      name: 'Parallel approval and ERP call',
      nodes: [
        { id: 'fork', nodeType: 'gateway', name: 'Fork', gatewayType: 'parallel' },
        { id: 'approve', nodeType: 'approval', name: 'Approve', approverRole: 'approver' },
        { id: 'erp', nodeType: 'service_task', name: 'ERP', serviceType: 'http_call', serviceConfig: { url: `http://127.0.0.1:${port}${path}`, method: 'POST' } },
        { id: 'join', nodeType: 'gateway', name: 'Join', gatewayType: 'parallel', join: true },
        { id: 'done', nodeType: 'service_task', name: 'Done', serviceType: 'set_context', serviceConfig: { values: { done: true } } },
      ],
      routes: [
        { fromNodeId: 'fork', toNodeId: 'approve' },
        { fromNodeId: 'fork', toNodeId: 'erp' },
        { fromNodeId: 'approve', toNodeId: 'join' },
        { fromNodeId: 'erp', toNodeId: 'join' },
        { fromNodeId: 'join', toNodeId: 'done' },
      ],
    });
    const id = await start(defId);
    const failed = await untilStatus(id, ['failed']);
    expect(failed.nodes.find((n) => n.nodeId === 'approve')!.status).toBe('cancelled');
    expect(await waitingTask('approver', id)).toBeUndefined();

    const retried = await h.http().post(`/api/instances/${id}/retry`).set(auth(admin)).send({});
    expect(retried.status).toBe(200);
    // the ERP call now succeeds and reaches the join, which must keep waiting for the approval
    await eventually(async () => ((await get(id)).nodes.some((n) => n.nodeId === 'erp' && n.status === 'completed') ? true : undefined), 10_000, 'erp step');
    const taskId = await eventually(() => waitingTask('approver', id), 10_000, 'the approval back in its queue');
    await new Promise((r) => setTimeout(r, 300));
    const midway = await get(id);
    expect(midway.status).toBe('running');
    expect(midway.nodes.filter((n) => n.nodeId === 'done')).toHaveLength(0);

    const approved = await h.http().post(`/api/tasks/${taskId}/approve`).set(auth(h.token('approver-user', ['approver']))).send({});
    expect(approved.status).toBe(200);
    const done = await untilStatus(id, ['completed']);
    expect(done.nodes.filter((n) => n.nodeId === 'done')).toHaveLength(1);
    expect(done.nodes.find((n) => n.nodeId === 'approve' && n.decision === 'approved')).toBeDefined();
    const history = (await h.http().get(`/api/instances/${id}/history`).set(auth(admin))).body.items as { eventType: string; details: Record<string, unknown> }[];
    const retry = history.find((e) => e.eventType === 'instance_retried')!;
    expect(retry.details['restoredExecutionIds']).toEqual([failed.nodes.find((n) => n.nodeId === 'approve')!.id]);
  });

  /**
   * Generated: a parallel fork into 1–3 branches of 1–2 nodes each (approvals, flaky HTTP calls
   * that fail their first 0–1 requests, context steps), meeting at a join. The driver retries
   * whenever the instance fails and decides the waiting tasks in a generated order. Whatever the
   * shape and order, the instance completes only after every approval node was approved, and a
   * rejection ends it rejected.
   */
  it('completes an instance only through the decisions its definition requires (property)', async () => {
    type Step = { kind: 'approval'; reject: boolean } | { kind: 'http'; failures: number } | { kind: 'set' };
    const stepArb: fc.Arbitrary<Step> = fc.oneof(
      fc.record({ kind: fc.constant('approval' as const), reject: fc.boolean().map((b) => b && Math.random() < 0.5) }),
      fc.record({ kind: fc.constant('http' as const), failures: fc.integer({ min: 0, max: 1 }) }),
      fc.record({ kind: fc.constant('set' as const) }),
    );
    const shapeArb = fc.record({
      branches: fc.array(fc.array(stepArb, { minLength: 1, maxLength: 2 }), { minLength: 1, maxLength: 3 }),
      order: fc.array(fc.nat(), { minLength: 8, maxLength: 8 }),
    });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(shapeArb, async ({ branches, order }) => {
        run += 1;
        const nodes: object[] = [{ id: 'fork', nodeType: 'gateway', name: 'Fork', gatewayType: 'parallel' }];
        const routes: object[] = [];
        const approvals: { nodeId: string; role: string; reject: boolean }[] = [];
        branches.forEach((steps, b) => {
          let prev = 'fork';
          steps.forEach((s, i) => {
            const id = `b${b}s${i}`;
            if (s.kind === 'approval') {
              const role = `r${run}_${id}`;
              approvals.push({ nodeId: id, role, reject: s.reject });
              nodes.push({ id, nodeType: 'approval', name: id, approverRole: role });
            } else if (s.kind === 'http') {
              const path = `/p${run}-${id}-${Date.now()}`;
              failuresLeft.set(path, s.failures);
              nodes.push({ id, nodeType: 'service_task', name: id, serviceType: 'http_call', serviceConfig: { url: `http://127.0.0.1:${port}${path}`, method: 'GET' } });
            } else {
              nodes.push({ id, nodeType: 'service_task', name: id, serviceType: 'set_context', serviceConfig: { values: { [id]: true } } });
            }
            routes.push({ fromNodeId: prev, toNodeId: id });
            prev = id;
          });
          routes.push({ fromNodeId: prev, toNodeId: 'join' });
        });
        nodes.push({ id: 'join', nodeType: 'gateway', name: 'Join', gatewayType: 'parallel', join: true });
        nodes.push({ id: 'end', nodeType: 'service_task', name: 'End', serviceType: 'set_context', serviceConfig: { values: { end: true } } });
        routes.push({ fromNodeId: 'join', toNodeId: 'end' });
        const defId = await define({ name: `Generated ${run}`, nodes, routes });
        const id = await start(defId);

        let decisions = 0;
        const deadline = Date.now() + 20_000;
        let final: InstanceDto | null = null;
        while (Date.now() < deadline) {
          const i = await get(id);
          if (['completed', 'rejected', 'cancelled'].includes(i.status)) {
            final = i;
            break;
          }
          if (i.status === 'failed') {
            const r = await h.http().post(`/api/instances/${id}/retry`).set(auth(admin)).send({});
            if (r.status !== 200) throw new Error(`retry refused: ${JSON.stringify(r.body)}`);
            continue;
          }
          const open = approvals.filter((a) => i.nodes.some((n) => n.nodeId === a.nodeId && n.status === 'waiting'));
          if (open.length > 0) {
            const a = open[order[decisions % order.length]! % open.length]!;
            const taskId = await waitingTask(a.role, id);
            if (taskId) {
              const verb = a.reject ? 'reject' : 'approve';
              const r = await h.http().post(`/api/tasks/${taskId}/${verb}`).set(auth(h.token(`${a.role}-user`, [a.role]))).send({});
              if (r.status !== 200 && r.status !== 409) throw new Error(`${verb} answered ${r.status}: ${JSON.stringify(r.body)}`);
              decisions += 1;
              continue;
            }
          }
          await new Promise((r) => setTimeout(r, 40));
        }
        if (!final) throw new Error(`instance ${id} did not finish: ${JSON.stringify(await get(id))}`);

        const approvedNodes = new Set(final.nodes.filter((n) => n.decision === 'approved').map((n) => n.nodeId));
        if (final.status === 'completed') {
          for (const a of approvals) expect(approvedNodes.has(a.nodeId)).toBe(true);
          expect(approvals.some((a) => a.reject)).toBe(false);
        } else {
          expect(final.status).toBe('rejected');
          expect(approvals.some((a) => a.reject)).toBe(true);
        }
      }),
      { numRuns: 20, interruptAfterTimeLimit: 120_000 },
    );
    expect(run).toBeGreaterThanOrEqual(5);
  }, 180_000);
});

describe('WORKFLOW_MAX_INSTANCES_PER_TREE', () => {
  it('stops an exponential fan-out of self-calling sub-workflows at the tree limit, failing the node clearly', async () => {
    await define({
      name: 'Fan out',
      nodes: [
        { id: 'fork', nodeType: 'gateway', name: 'Fork', gatewayType: 'parallel' },
        { id: 'left', nodeType: 'sub_workflow', name: 'Left', subWorkflowName: 'Fan out' },
        { id: 'right', nodeType: 'sub_workflow', name: 'Right', subWorkflowName: 'Fan out' },
        { id: 'join', nodeType: 'gateway', name: 'Join', gatewayType: 'parallel', join: true },
        { id: 'end', nodeType: 'service_task', name: 'End', serviceType: 'set_context', serviceConfig: { values: { end: true } } },
      ],
      routes: [
        { fromNodeId: 'join', toNodeId: 'end' },
        { fromNodeId: 'fork', toNodeId: 'left' },
        { fromNodeId: 'fork', toNodeId: 'right' },
        { fromNodeId: 'left', toNodeId: 'join' },
        { fromNodeId: 'right', toNodeId: 'join' },
      ],
    });
    const res = await h.http().post('/api/instances').set(auth(admin)).send({ workflowName: 'Fan out', contextData: {} });
    expect(res.status).toBe(201);
    const root = await untilStatus(res.body.id as string, ['failed']);
    expect(root.status).toBe('failed');
    const all = await eventually(async () => {
      const list = await h.http().get('/api/instances').query({ workflowName: 'Fan out', limit: 500 }).set(auth(admin));
      const items = list.body.items as { id: string; status: string }[];
      return items.every((i) => i.status !== 'running') ? items : undefined;
    }, 15_000, 'the tree to settle');
    // the root and at most 6 children: 7 in the tree, never the 2^depth the depth limit allows
    expect(all).toHaveLength(7);
    const errors: string[] = [];
    for (const i of all) {
      for (const n of (await get(i.id)).nodes) if (n.error?.code) errors.push(n.error.code);
    }
    expect(errors).toContain('SUBWORKFLOW_TREE_LIMIT_EXCEEDED');
  });
});
