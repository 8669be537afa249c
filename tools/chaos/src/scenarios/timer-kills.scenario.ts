/**
 * 8. 1,000 instances parked on timer nodes that fall due within the scenario (15 to 30 s after
 *    their step ran, spread), while workers are killed with `kill -9` and started again as the
 *    timers come due. The timers wake through the SLA queue's delayed jobs (given only to those
 *    within the horizon, 2 × TASK_QUEUE_REFRESH_INTERVAL_SECONDS = 2 s here) and the scheduler's
 *    sweep (every second); a wake job a killed worker had in hand comes back through BullMQ's
 *    stalled-job check, or the sweep finds the wait due first. Checked from the history, as the
 *    owner:
 *    - every instance completed, with exactly one `timer_started` and one `timer_fired`;
 *    - no timer fired before it was due, none more than 15 s late;
 *    - the step after the timer (`set_w2`) ran exactly once per instance, and completed.
 *    The shared invariants (one execution per node, one node_completed each, ...) apply as well.
 */

import type { FleetProcess } from '../infra/engine-fleet';
import { jitter, sleep, type ChaosEnv, type Scenario, type ScenarioOutcome } from './scenario';

const NAME = 'timer-kill';
const TIMER_INSTANCES = 1000;
/** a timer may fire this much after it was due, kills and all (the takeover limit of the suite) */
const LATE_LIMIT_MS = 15_000;
/** the spread of the timers: one definition per duration, plus one counting to a date in the context */
const DURATIONS_S = [15, 20, 25, 30] as const;
const UNTIL_FROM_MS = 15_000;
const UNTIL_TO_MS = 30_000;
const START_LANES = 16;

const next = { id: 'set_w2', nodeType: 'service_task', name: 'After the timer', serviceType: 'set_context', serviceConfig: { values: { set_w2: true } } };
const route = { fromNodeId: 'timer_w1', toNodeId: 'set_w2' };

/** timer_w1 (`duration`) -> set_w2 */
const durationDefinition = (seconds: number) => ({
  name: `chaos-timer-${seconds}s`,
  nodes: [{ id: 'timer_w1', nodeType: 'timer', name: `Wait ${seconds} s`, duration: `PT${seconds}S` }, next],
  routes: [route],
});

/** timer_w1 (`until` the epoch milliseconds in context.wakeAt) -> set_w2 */
const untilDefinition = {
  name: 'chaos-timer-until',
  nodes: [{ id: 'timer_w1', nodeType: 'timer', name: 'Wait until context.wakeAt', until: 'context.wakeAt' }, next],
  routes: [route],
};

const DEFINITIONS = [...DURATIONS_S.map(durationDefinition), untilDefinition];

let instanceIds: string[] = [];
let killWindow: { from: number; to: number } | null = null;
let kills = 0;
/** the most timers seen parked at once */
let peakParked = 0;

interface TimerCounts {
  parked: number;
  fired: number;
  lastDue: Date | null;
}

/** The scenario's timer executions (its instances carry `chaosScenario`). */
async function timerCounts(env: ChaosEnv): Promise<TimerCounts> {
  const { rows } = await env.db.query<{ parked: number; fired: number; last_due: Date | null }>(
    `SELECT count(*) FILTER (WHERE n.status = 'waiting' AND n.waiting_for = 'timer')::int AS parked,
            count(*) FILTER (WHERE n.status = 'completed')::int AS fired,
            max(n.wake_at) FILTER (WHERE n.status = 'waiting') AS last_due
     FROM workflow_instance_nodes n JOIN workflow_instances i ON i.id = n.instance_id
     WHERE i.tenant_id = $1 AND i.context_data->>'chaosScenario' = $2 AND n.node_id = 'timer_w1'`,
    [env.tenantId, NAME],
  );
  const r = rows[0];
  peakParked = Math.max(peakParked, r?.parked ?? 0);
  return { parked: r?.parked ?? 0, fired: r?.fired ?? 0, lastDue: r?.last_due ?? null };
}

/** A serving worker to kill, while at least one other serves (waits up to 30 s for that). */
async function pickWorker(env: ChaosEnv): Promise<FleetProcess | null> {
  const by = Date.now() + 30_000;
  while (env.readyWorkers().length < 2 && Date.now() < by) await sleep(100);
  const ready = env.readyWorkers();
  return ready.length === 0 ? null : (ready[Math.floor(Math.random() * ready.length)] as FleetProcess);
}

const pct = (sorted: readonly number[], p: number) => (sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number));

export const timerKillsScenario: Scenario = {
  id: 8,
  name: NAME,
  title: '1,000 timers due, workers kill -9',
  steadyMix: false,
  async run(env: ChaosEnv, outcome: ScenarioOutcome) {
    instanceIds = [];
    killWindow = null;
    kills = 0;
    peakParked = 0;
    for (const def of DEFINITIONS) {
      const res = await env.api.call('create timer definition', 'POST', '/api/definitions', env.tokens.admin, { body: def, expected: [201] });
      if (res.status !== 201) throw new Error(`could not create ${def.name}: ${res.status} ${JSON.stringify(res.body)}`);
    }

    // how many are parked at once, sampled throughout
    const sampler = setInterval(() => void timerCounts(env).catch(() => undefined), 500);

    // kill -9 workers, again and again, from the first start until the last timer has come due
    let lastDue: number | null = null;
    let stop = false;
    killWindow = { from: Date.now(), to: Date.now() };
    // (the last kill comes a second before the last timer is due: a step completes after each)
    const killsLeft = () => !stop && (lastDue === null || Date.now() < lastDue - 1000);
    const killing = (async () => {
      while (killsLeft()) {
        await sleep(jitter(800, 2000));
        const target = killsLeft() ? await pickWorker(env) : null;
        if (!target || !killsLeft()) break;
        env.fault({ kind: 'kill -9', target: target.name, pid: target.pid, at: Date.now() });
        await env.fleet.kill(target.name);
        kills += 1;
        const left = lastDue === null ? 'timers still starting' : `${Math.max(0, Math.round((lastDue - Date.now()) / 1000))} s of timers to go`;
        env.log(`kill -9 ${target.name} (pid ${target.pid}) [${kills}], ${left}`);
        await sleep(jitter(300, 1200));
        env.fleet.spawn(target.name, 'worker');
      }
    })();

    try {
      const before = env.driver.accepted.length;
      const startedAt = Date.now();
      let n = 0;
      const lane = async () => {
        while (n < TIMER_INSTANCES) {
          const i = n++;
          const def = DEFINITIONS[i % DEFINITIONS.length] as { name: string };
          const context = def === untilDefinition ? { wakeAt: Date.now() + Math.round(jitter(UNTIL_FROM_MS, UNTIL_TO_MS)) } : {};
          await env.driver.start(def.name, context);
        }
      };
      await Promise.all(Array.from({ length: START_LANES }, lane));
      await env.driver.drainDeferred(30_000);
      instanceIds = env.driver.accepted.slice(before).filter((a) => a.scenario === NAME).map((a) => a.instanceId);
      env.log(`${instanceIds.length} timer instances started in ${Date.now() - startedAt} ms`);

      // every timer step ran (parked, or fired already): the last due time is known
      const parkedBy = Date.now() + 60_000;
      let counts = await timerCounts(env);
      while (counts.parked + counts.fired < instanceIds.length && Date.now() < parkedBy) {
        await sleep(200);
        counts = await timerCounts(env);
      }
      lastDue = counts.lastDue?.getTime() ?? Date.now();
      outcome.notes.push(
        `${counts.parked} of ${instanceIds.length} timers parked ${Date.now() - startedAt} ms after the first start (${counts.fired} fired already), ` +
          `the last due at ${counts.lastDue?.toISOString() ?? '-'}`,
      );
      env.log(outcome.notes.at(-1) ?? '');
      await killing;
    } catch (err) {
      clearInterval(sampler);
      throw err;
    } finally {
      stop = true;
      await killing;
      killWindow.to = Date.now();
    }

    // wait for the stragglers (settling waits too, but this says how long it took)
    const firedBy = Date.now() + 60_000;
    let counts = await timerCounts(env);
    while (counts.parked > 0 && Date.now() < firedBy) {
      await sleep(250);
      counts = await timerCounts(env);
    }
    clearInterval(sampler);
    env.log(`${kills} worker kills; ${counts.fired} timers fired, ${counts.parked} still parked; at most ${peakParked} were parked at once`);
  },

  async verify(env: ChaosEnv, outcome: ScenarioOutcome) {
    const f = outcome.findings;
    if (instanceIds.length < TIMER_INSTANCES) f.addCount('lost', 'timer instance not started', TIMER_INSTANCES - instanceIds.length);
    const { rows } = await env.db.query<{
      id: string;
      status: string;
      started: number;
      fired: number;
      after: number;
      after_done: number;
      due: Date | null;
      fired_at: Date | null;
    }>(
      `SELECT i.id, i.status,
              (SELECT count(*)::int FROM workflow_instance_history h WHERE h.instance_id = i.id AND h.event_type = 'timer_started') AS started,
              (SELECT count(*)::int FROM workflow_instance_history h WHERE h.instance_id = i.id AND h.event_type = 'timer_fired') AS fired,
              (SELECT count(*)::int FROM workflow_instance_nodes n WHERE n.instance_id = i.id AND n.node_id = 'set_w2') AS after,
              (SELECT count(*)::int FROM workflow_instance_nodes n WHERE n.instance_id = i.id AND n.node_id = 'set_w2' AND n.status = 'completed') AS after_done,
              (SELECT (h.details->>'dueAt')::timestamptz FROM workflow_instance_history h
                WHERE h.instance_id = i.id AND h.event_type = 'timer_started' ORDER BY h.seq LIMIT 1) AS due,
              (SELECT h.created_at FROM workflow_instance_history h
                WHERE h.instance_id = i.id AND h.event_type = 'timer_fired' ORDER BY h.seq LIMIT 1) AS fired_at
       FROM workflow_instances i WHERE i.id = ANY($1::uuid[])`,
      [instanceIds],
    );
    const line = (r: (typeof rows)[number]) => `${r.id} (${r.status}): timer_started ${r.started}, timer_fired ${r.fired}, set_w2 executions ${r.after}`;
    f.addCount('lost', 'timer instance missing from Postgres', instanceIds.length - rows.length);
    f.add('lost', 'timer instance not completed', rows.filter((r) => r.status !== 'completed'), line);
    f.add('lost', 'timer never started', rows.filter((r) => r.started === 0), line);
    f.add('duplicated', 'timer_started twice', rows.filter((r) => r.started > 1), line);
    f.add('lost', 'timer never fired', rows.filter((r) => r.fired === 0), line);
    f.add('duplicated', 'timer fired twice', rows.filter((r) => r.fired > 1), line);
    f.add('lost', 'step after the timer never ran', rows.filter((r) => r.after === 0), line);
    f.add('duplicated', 'step after the timer ran twice', rows.filter((r) => r.after > 1), line);
    f.add('lost', 'step after the timer not completed', rows.filter((r) => r.after > 0 && r.after_done === 0), line);

    const timed = rows.filter((r) => r.due && r.fired_at).map((r) => ({ id: r.id, due: r.due as Date, lateMs: (r.fired_at as Date).getTime() - (r.due as Date).getTime() }));
    f.add('other', 'timer fired before it was due', timed.filter((t) => t.lateMs < 0), (t: { id: string; lateMs: number }) => `${t.id}: ${-t.lateMs} ms early`);
    f.add('other', `timer fired over ${LATE_LIMIT_MS / 1000} s late`, timed.filter((t) => t.lateMs > LATE_LIMIT_MS), (t: { id: string; lateMs: number }) => `${t.id}: ${t.lateMs} ms late`);
    const late = timed.map((t) => t.lateMs).sort((a, b) => a - b);
    const inWindow = killWindow ? timed.filter((t) => t.due.getTime() >= (killWindow as { from: number }).from && t.due.getTime() <= (killWindow as { to: number }).to).length : 0;
    outcome.notes.push(
      `${rows.filter((r) => r.fired === 1).length}/${rows.length} timers fired exactly once (at most ${peakParked} parked at once), ${inWindow} of them due while ${kills} worker kill -9s went on; ` +
        `lateness p50 ${pct(late, 50)} ms, p99 ${pct(late, 99)} ms, max ${late.at(-1) ?? 0} ms`,
    );
  },
};
