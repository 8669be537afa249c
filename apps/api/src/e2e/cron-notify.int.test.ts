/**
 * Schedulers hear definition changes at commit (LISTEN workflow_definitions_changed): a saved
 * cron trigger fires on its next tick, not after the periodic sync, which is an hour away here.
 *
 *   save definition --commit--> NOTIFY --> scheduler re-syncs (200 ms debounce) --> tick fires
 */
import { createHarness, eventually, sqlAsOwner, type Harness } from '../testing/engine-harness';

let h: Harness;
let admin: string;
const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  // no worker: a fired trigger shows as an instance row; the periodic sync is an hour away
  h = await createHarness({ worker: false, env: { TASK_QUEUE_REFRESH_INTERVAL_SECONDS: '3600' } });
  admin = h.token('admin', ['admin']);
  h.startScheduler();
});

afterAll(() => h.close());

/** The scheduler's listening session, once it has run LISTEN (as the runtime login). */
async function listenerSession(): Promise<{ pid: number; usename: string } | undefined> {
  const rows = await sqlAsOwner<{ pid: number; usename: string; query: string }>(
    h.db.url,
    `SELECT pid, usename, query FROM pg_stat_activity
     WHERE datname = current_database() AND application_name = 'workflow-scheduler-listen'`,
  );
  const row = rows.find((r) => /^LISTEN /i.test(r.query));
  return row ? { pid: row.pid, usename: row.usename } : undefined;
}

function everySecond(name: string) {
  return {
    name,
    nodes: [{ id: 'tick', nodeType: 'service_task', name: 'Tick', serviceType: 'set_context', serviceConfig: { values: { ticked: true } } }],
    routes: [],
    triggers: [{ type: 'cron', cron: '* * * * * *' }],
  };
}

async function cronInstances(definitionId: string): Promise<number> {
  const [row] = await sqlAsOwner<{ n: number }>(
    h.db.url,
    `SELECT count(*)::int AS n FROM workflow_instances WHERE definition_id = $1 AND trigger_type = 'cron'`,
    [definitionId],
  );
  return row!.n;
}

async function save(name: string): Promise<{ id: string; savedAt: number }> {
  const res = await h.http().post('/api/definitions').set(auth(admin)).send(everySecond(name));
  expect(res.status).toBe(201);
  return { id: res.body.id as string, savedAt: Date.now() };
}

it('fires a trigger saved after start-up within a couple of seconds, without the periodic sync', async () => {
  const session = await eventually(listenerSession, 10_000, 'the scheduler to LISTEN');
  expect(session.usename).toBe('workflow_runtime');
  // past the sync the listener runs once it is connected (after a 200 ms debounce), so that only
  // a notification can schedule it now
  await eventually(async () => (h.scheduler!.definitionChanges.connectionsSynced() >= 1 ? true : undefined), 5000, 'the catch-up sync');
  const { id, savedAt } = await save('Saved after start-up');
  await eventually(async () => ((await cronInstances(id)) >= 1 ? true : undefined), 5000, 'the first cron fire');
  expect(Date.now() - savedAt).toBeLessThan(3000);
});

it('stops a deactivated trigger at once', async () => {
  const { id } = await save('Deactivated soon');
  await eventually(async () => ((await cronInstances(id)) >= 1 ? true : undefined), 5000, 'the first cron fire');
  expect((await h.http().post(`/api/definitions/${id}/deactivate`).set(auth(admin))).status).toBe(200);
  // the change notification unschedules it at once (the periodic sync is an hour away), and
  // once no fire is in flight the count is final
  const triggers = h.scheduler!.cronTriggers;
  await eventually(async () => (triggers.scheduledDefinitionIds().includes(id) ? undefined : true), 1500, 'the trigger to be unscheduled');
  await triggers.settled();
  const after = await cronInstances(id);
  // what this proves: nothing more fires afterwards
  await sleep(2500);
  expect(await cronInstances(id)).toBe(after);
});

it('listens again after its connection is killed, and hears the next save', async () => {
  const before = await eventually(listenerSession, 10_000, 'the scheduler to LISTEN');
  const synced = h.scheduler!.definitionChanges.connectionsSynced();
  await sqlAsOwner(h.db.url, 'SELECT pg_terminate_backend($1)', [before.pid]);
  // the first reconnect comes after 500 ms
  const again = await eventually(async () => {
    const s = await listenerSession();
    return s && s.pid !== before.pid ? s : undefined;
  }, 10_000, 'a new listening session');
  expect(again.usename).toBe('workflow_runtime');
  // past the sync that follows the reconnect, as in the first test
  await eventually(async () => (h.scheduler!.definitionChanges.connectionsSynced() > synced ? true : undefined), 5000, 'the catch-up sync after the reconnect');
  const { id, savedAt } = await save('Saved after a reconnect');
  await eventually(async () => ((await cronInstances(id)) >= 1 ? true : undefined), 5000, 'the first cron fire');
  expect(Date.now() - savedAt).toBeLessThan(3000);
});

it('closes its listening session when the scheduler stops', async () => {
  await eventually(listenerSession, 10_000, 'the scheduler to LISTEN');
  await h.stopScheduler();
  await eventually(async () => ((await listenerSession()) === undefined ? true : undefined), 5000, 'the session to end');
});
