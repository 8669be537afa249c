/**
 * Expression budgets end to end (issue 12, item 4), through the real API, worker, Postgres and
 * Redis: a gateway whose condition is over its evaluation budget fails the instance at once with
 * EXPRESSION_TOO_EXPENSIVE, is not retried and is not re-dispatched by reconciliation; `matches`
 * runs on RE2, and a pattern RE2 refuses is refused when the definition is saved.
 */
import { reconcileOnce } from '@wf/runtime';
import { OffsetClock } from '@wf/runtime/testing';
import { definition } from '@wf/testkit/definitions';
import { createHarness, type Harness } from '../testing/engine-harness';
import type { UserClient } from '../testing/user-client';

let h: Harness;
const clock = new OffsetClock();
let admin: UserClient;

beforeAll(async () => {
  h = await createHarness({ clock, env: { WORKFLOW_MAX_RETRIES: '3', WORKFLOW_RETRY_BACKOFF_MS: '50', WORKFLOW_RECONCILE_AFTER_SECONDS: '1' } });
  admin = h.as('admin', ['admin']);
});

afterAll(() => h.close());

const TWENTY = `[${Array.from({ length: 20 }, (_, i) => i + 1).join(', ')}]`;
/** 3.2 million iterations without a budget: seconds of work inside the step's transaction. */
const BOMB = `${TWENTY}.all(a, ${TWENTY}.all(b, ${TWENTY}.all(c, ${TWENTY}.all(d, ${TWENTY}.all(e, a + b + c + d + e > 0)))))`;

/**
 *   gate --true--> yes (set_context)
 *        \-false-> no  (set_context)
 */
function gateway(name: string, conditionExpression: string) {
  return definition(name)
    .gateway('gate', conditionExpression)
    .setContext('yes', { took: 'yes' })
    .setContext('no', { took: 'no' })
    .route('gate', 'yes', 'true')
    .route('gate', 'no', 'false')
    .build();
}

describe('a gateway over its evaluation budget', () => {
  it('fails the instance with EXPRESSION_TOO_EXPENSIVE once, and stays failed', async () => {
    const started = Date.now();
    const id = await admin.start(await admin.define(gateway('Bomb', BOMB)));
    const failed = await admin.finished(id);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(failed.status).toBe('failed');
    const gate = failed.nodes.find((n) => n.nodeId === 'gate')!;
    expect(gate.status).toBe('failed');
    expect(gate.error?.code).toBe('EXPRESSION_TOO_EXPENSIVE');
    expect(gate.error?.message).toMatch(/over its evaluation budget of 100000 cost units$/);
    const events = await admin.events(id);
    expect(events.filter((e) => e === 'node_failed')).toHaveLength(1);
    expect(events).toContain('instance_failed');

    // reconciliation finds nothing of it to re-dispatch, however long it waits: an hour on the
    // engine's clock, past the WORKFLOW_RECONCILE_AFTER_SECONDS (1 s) age a forgotten execution would be re-dispatched at,
    // the sweep sends nothing at all (so nothing can happen later either)
    clock.advance(3_600_000);
    expect(await reconcileOnce(h.rt)).toBe(0);
    expect(await admin.events(id)).toEqual(events);
    expect((await admin.instance(id)).status).toBe('failed');
  });
});

describe('matches on RE2', () => {
  it('routes on ^(a|a)*$ over a string that stalls a backtracking RegExp', async () => {
    const defId = await admin.define(gateway('Regex', "context.code.matches('^(a|a)*$')"));
    const started = Date.now();
    const done = await admin.finished(await admin.start(defId, { code: `${'a'.repeat(40)}!` }));
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(done.status).toBe('completed');
    expect(done.contextData['took']).toBe('no');
  });

  it('refuses a definition whose pattern RE2 does not accept', async () => {
    const res = await admin.post('/api/definitions', gateway('Lookahead', "context.code.matches('^a(?=b)')"));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_DEFINITION');
    expect(JSON.stringify(res.body.error.details)).toContain('invalid RE2 pattern');
  });
});
