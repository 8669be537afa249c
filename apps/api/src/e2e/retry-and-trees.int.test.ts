/**
 * A retry brings back everything a failure closed, so an instance completes only through the
 * decisions its definition requires (a regression test, then a property over generated parallel
 * definitions); and the whole tree of sub-workflows under one instance is bounded.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { definition } from '@wf/testkit/definitions';
import { createHarness, eventually, type Harness } from '../testing/engine-harness';
import type { InstanceView, UserClient } from '../testing/user-client';

let h: Harness;
let admin: UserClient;
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
  admin = h.as('admin', ['admin']);
});

afterAll(async () => {
  await h.close();
  server.close();
});

const untilStatus = (id: string, statuses: string[]): Promise<InstanceView> =>
  admin.until(id, (i) => statuses.includes(i.status), `the instance to be ${statuses.join('/')}`);

/** The task of `instanceId` in the queue of the role's user, if there is one now. */
async function waitingTask(role: string, instanceId: string): Promise<string | undefined> {
  return (await h.as(`${role}-user`, [role]).tasks()).find((t) => t.instanceId === instanceId)?.taskId;
}

describe('retry after a failure in a parallel flow', () => {
  it('returns the approval the failure cancelled to its queue: the instance completes only once it is given', async () => {
    const path = `/erp-${Date.now()}`;
    failuresLeft.set(path, 1);
    const defId = await admin.define(
      definition('Parallel approval and ERP call')
        .parallel('fork')
        .approval('approve', { approverRole: 'approver' })
        .service('erp', 'http_call', { url: `http://127.0.0.1:${port}${path}`, method: 'POST' })
        .join('join')
        .setContext('done', { done: true })
        .route('fork', 'approve')
        .route('fork', 'erp')
        .route('approve', 'join')
        .route('erp', 'join')
        .route('join', 'done')
        .build(),
    );
    const id = await admin.start(defId);
    const failed = await untilStatus(id, ['failed']);
    expect(failed.nodes.find((n) => n.nodeId === 'approve')!.status).toBe('cancelled');
    expect(await waitingTask('approver', id)).toBeUndefined();

    const retried = await admin.post(`/api/instances/${id}/retry`, {});
    expect(retried.status).toBe(200);
    // the ERP call now succeeds and reaches the join, which must keep waiting for the approval
    await admin.until(id, (i) => i.nodes.some((n) => n.nodeId === 'erp' && n.status === 'completed'), 'erp step');
    const taskId = await eventually(() => waitingTask('approver', id), 10_000, 'the approval back in its queue');
    const midway = await admin.until(id, (i) => i.nodes.some((n) => n.nodeId === 'join' && n.status === 'waiting'), 'the join to wait');
    expect(midway.status).toBe('running');
    expect(midway.nodes.filter((n) => n.nodeId === 'done')).toHaveLength(0);

    await h.as('approver-user', ['approver']).approve(taskId);
    const done = await untilStatus(id, ['completed']);
    expect(done.nodes.filter((n) => n.nodeId === 'done')).toHaveLength(1);
    expect(done.nodes.find((n) => n.nodeId === 'approve' && n.decision === 'approved')).toBeDefined();
    const history = await admin.history(id);
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
        const def = definition(`Generated ${run}`).parallel('fork');
        const approvals: { nodeId: string; role: string; reject: boolean }[] = [];
        branches.forEach((steps, b) => {
          let prev = 'fork';
          steps.forEach((s, i) => {
            const id = `b${b}s${i}`;
            if (s.kind === 'approval') {
              const role = `r${run}_${id}`;
              approvals.push({ nodeId: id, role, reject: s.reject });
              def.approval(id, { approverRole: role });
            } else if (s.kind === 'http') {
              const path = `/p${run}-${id}-${Date.now()}`;
              failuresLeft.set(path, s.failures);
              def.service(id, 'http_call', { url: `http://127.0.0.1:${port}${path}`, method: 'GET' });
            } else {
              def.setContext(id, { [id]: true });
            }
            def.route(prev, id);
            prev = id;
          });
          def.route(prev, 'join');
        });
        def.join('join').setContext('end', { end: true }).route('join', 'end');
        const id = await admin.start(await admin.define(def.build()));

        let decisions = 0;
        const deadline = Date.now() + 20_000;
        let final: InstanceView | null = null;
        while (Date.now() < deadline) {
          const i = await admin.instance(id);
          if (['completed', 'rejected', 'cancelled'].includes(i.status)) {
            final = i;
            break;
          }
          if (i.status === 'failed') {
            const r = await admin.post(`/api/instances/${id}/retry`, {});
            if (r.status !== 200) throw new Error(`retry refused: ${JSON.stringify(r.body)}`);
            continue;
          }
          const open = approvals.filter((a) => i.nodes.some((n) => n.nodeId === a.nodeId && n.status === 'waiting'));
          if (open.length > 0) {
            const a = open[order[decisions % order.length]! % open.length]!;
            const taskId = await waitingTask(a.role, id);
            if (taskId) {
              const verb = a.reject ? 'reject' : 'approve';
              const r = await h.as(`${a.role}-user`, [a.role]).post(`/api/tasks/${taskId}/${verb}`, {});
              if (r.status !== 200 && r.status !== 409) throw new Error(`${verb} answered ${r.status}: ${JSON.stringify(r.body)}`);
              decisions += 1;
              continue;
            }
          }
          await new Promise((r) => setTimeout(r, 40));
        }
        if (!final) throw new Error(`instance ${id} did not finish: ${JSON.stringify(await admin.instance(id))}`);

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
    await admin.define(
      definition('Fan out')
        .parallel('fork')
        .subWorkflow('left', 'Fan out')
        .subWorkflow('right', 'Fan out')
        .join('join')
        .setContext('end', { end: true })
        .route('join', 'end')
        .route('fork', 'left')
        .route('fork', 'right')
        .route('left', 'join')
        .route('right', 'join')
        .build(),
    );
    const res = await admin.post('/api/instances', { workflowName: 'Fan out', contextData: {} });
    expect(res.status).toBe(201);
    const root = await untilStatus(res.body.id as string, ['failed']);
    expect(root.status).toBe('failed');
    const all = await eventually(async () => {
      const list = await admin.get('/api/instances', { workflowName: 'Fan out', limit: 500 });
      const items = list.body.items as { id: string; status: string }[];
      return items.every((i) => i.status !== 'running') ? items : undefined;
    }, 15_000, 'the tree to settle');
    // the root and at most 6 children: 7 in the tree, never the 2^depth the depth limit allows
    expect(all).toHaveLength(7);
    const errors: string[] = [];
    for (const i of all) {
      for (const n of (await admin.instance(i.id)).nodes) if (n.error?.code) errors.push(n.error.code);
    }
    expect(errors).toContain('SUBWORKFLOW_TREE_LIMIT_EXCEEDED');
  });
});
