/**
 * 6. Two schedulers, one killed and restarted again and again (now and then the other one, while
 *    its twin is up), around SLA deadlines (tasks due 1.8 s after creation, escalated to a
 *    director) and a cron trigger firing every two seconds:
 *    - no deadline escalated twice, none missed (every task still waiting past its deadline
 *      escalated exactly once; the shared invariants check this);
 *    - no cron tick fired twice, none lost while a scheduler was up: the fire times taken from
 *      the instances' idempotency keys are unique and exactly 2 s apart wherever a scheduler
 *      covered the tick.
 */

import { CRON_PERIOD_MS, cronDefinition } from '../driver/definitions';
import type { FleetProcess } from '../infra/engine-fleet';
import { jitter, sleep, type ChaosEnv, type Scenario, type ScenarioOutcome } from './scenario';

const NAME = 'scheduler-restart';
/** a scheduler is trusted with a tick once it has been serving this long (its first trigger sync) */
const WARM_UP_MS = 1500;
/** and until this long after the tick (the fire's own transaction) */
const FIRE_MS = 1000;

interface Uptime {
  from: number;
  to: number | null;
}

const uptimes = new Map<string, Uptime[]>();
let cronDefinitionId: string | null = null;
let cronWindow: { from: number; to: number } | null = null;

function watch(proc: FleetProcess): void {
  void proc.ready.then(
    () => {
      const list = uptimes.get(proc.name) ?? [];
      list.push({ from: Date.now(), to: null });
      uptimes.set(proc.name, list);
      void proc.exited.then(() => {
        const last = list[list.length - 1];
        if (last && last.to === null) last.to = Date.now();
      });
    },
    () => undefined,
  );
}

function covered(tick: number): boolean {
  for (const list of uptimes.values()) {
    for (const u of list) if (u.from + WARM_UP_MS <= tick && (u.to === null || u.to >= tick + FIRE_MS)) return true;
  }
  return false;
}

async function restart(env: ChaosEnv, name: string): Promise<void> {
  const proc = env.fleet.spawn(name, 'scheduler');
  watch(proc);
  await proc.ready;
}

export const schedulerRestartsScenario: Scenario = {
  id: 6,
  name: NAME,
  title: 'scheduler killed around SLA + cron',
  steadyMix: true,
  async run(env: ChaosEnv) {
    uptimes.clear();
    cronDefinitionId = null;
    cronWindow = null;
    const a = env.fleet.get('scheduler-a');
    if (a?.isReady()) {
      // serving since before this scenario
      const list: Uptime[] = [{ from: a.startedAt, to: null }];
      uptimes.set('scheduler-a', list);
      void a.exited.then(() => {
        if (list[0] && list[0].to === null) list[0].to = Date.now();
      });
    }
    await restart(env, 'scheduler-b');
    env.log('second scheduler up');

    const created = await env.api.call<{ id: string }>('create cron definition', 'POST', '/api/definitions', env.tokens.admin, {
      body: cronDefinition(NAME),
      expected: [201],
    });
    if (created.status !== 201) throw new Error(`could not create the cron definition: ${created.status} ${JSON.stringify(created.body)}`);
    cronDefinitionId = created.body.id;
    const cronFrom = Date.now();

    let n = 0;
    const slaTimer = setInterval(() => {
      n += 1;
      // every other SLA task is parked: nobody decides it, so it must end escalated exactly once
      void env.driver.start('chaos-sla', { park: n % 2 === 0 });
    }, 700);

    const rounds = env.opts.short ? 3 : 7;
    try {
      for (let r = 1; r <= rounds; r += 1) {
        await sleep(jitter(2000, 4000));
        // mostly the second scheduler; every third round the first, while its twin serves
        const victim = r % 3 === 0 ? 'scheduler-a' : 'scheduler-b';
        const twin = victim === 'scheduler-a' ? 'scheduler-b' : 'scheduler-a';
        if (!env.fleet.get(twin)?.isReady()) await env.fleet.get(twin)?.ready;
        const proc = env.fleet.get(victim);
        if (!proc?.isAlive()) continue;
        env.fault({ kind: 'kill -9 scheduler', target: victim, at: Date.now() });
        await env.fleet.kill(victim);
        env.log(`kill -9 ${victim} [${r}/${rounds}]`);
        await sleep(jitter(500, 2500));
        await restart(env, victim);
      }
      await sleep(3000);
    } finally {
      clearInterval(slaTimer);
    }

    const off = await env.api.call('deactivate cron definition', 'POST', `/api/definitions/${cronDefinitionId}/deactivate`, env.tokens.admin, {
      expected: [200],
    });
    cronWindow = { from: cronFrom, to: Date.now() };
    if (off.status !== 200) throw new Error(`could not deactivate the cron definition: ${off.status}`);
    // every scheduler drops the trigger within TASK_QUEUE_REFRESH_INTERVAL_SECONDS
    await sleep(3000);
    await env.fleet.signal('scheduler-b', 'SIGTERM');
  },

  async verify(env: ChaosEnv, outcome: ScenarioOutcome) {
    if (!cronDefinitionId || !cronWindow) return;
    const { rows } = await env.db.query<{ idempotency_key: string }>(
      `SELECT idempotency_key FROM workflow_instances WHERE definition_id = $1 AND trigger_type = 'cron'`,
      [cronDefinitionId],
    );
    const fires = rows.map((r) => Date.parse(r.idempotency_key.split(':').slice(3).join(':')));
    const seen = new Map<number, number>();
    for (const t of fires) seen.set(t, (seen.get(t) ?? 0) + 1);
    const twice = [...seen.entries()].filter(([, c]) => c > 1);
    outcome.findings.add('duplicated', 'cron tick fired twice', twice, (r: [number, number]) => `${new Date(r[0]).toISOString()} x${r[1]}`);
    const sorted = [...seen.keys()].sort((x, y) => x - y);
    const offGrid = sorted.filter((t) => t % CRON_PERIOD_MS !== 0);
    outcome.findings.add('other', 'cron fire time off the 2 s grid', offGrid, (t: number) => new Date(t).toISOString());
    // every tick a warm scheduler was up for, from the trigger's first sync to its deactivation
    const first = Math.ceil((cronWindow.from + 1000) / CRON_PERIOD_MS) * CRON_PERIOD_MS;
    const missed: number[] = [];
    let coveredTicks = 0;
    for (let t = first; t <= cronWindow.to - 500; t += CRON_PERIOD_MS) {
      if (!covered(t)) continue;
      coveredTicks += 1;
      if (!seen.has(t)) missed.push(t);
    }
    outcome.findings.add('lost', 'cron tick missed while a scheduler was up', missed, (t: number) => new Date(t).toISOString());
    const gaps = sorted.slice(1).map((t, i) => t - (sorted[i] as number));
    const irregular = gaps.filter((g) => g !== CRON_PERIOD_MS).length;
    outcome.notes.push(
      `cron: ${fires.length} fires for ${coveredTicks} covered ticks, ${twice.length} doubled, ${missed.length} missed, ` +
        `${irregular} gaps other than 2 s (between ${sorted.length > 0 ? new Date(sorted[0]!).toISOString() : '-'} and ${sorted.length > 0 ? new Date(sorted.at(-1)!).toISOString() : '-'})`,
    );
    const sla = await env.db.query<{ tasks: number; escalated: number; parked: number }>(
      `SELECT count(*)::int AS tasks, count(*) FILTER (WHERE n.escalated_at IS NOT NULL)::int AS escalated,
              count(*) FILTER (WHERE n.status = 'waiting')::int AS parked
       FROM workflow_instance_nodes n JOIN workflow_instances i ON i.id = n.instance_id
       WHERE i.tenant_id = $1 AND n.node_id = 'approve_s1' AND i.context_data->>'chaosScenario' = $2`,
      [env.tenantId, NAME],
    );
    const s = sla.rows[0];
    if (s) outcome.notes.push(`SLA: ${s.tasks} tasks due after 1.8 s, ${s.escalated} escalated, ${s.parked} left waiting on purpose`);
  },
};
