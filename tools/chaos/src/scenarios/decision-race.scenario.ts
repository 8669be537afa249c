/**
 * 7. Many concurrent decisions on the same tasks (1,000 on 100 tasks by default: ten different
 *    users each approve or reject every task at once). Exactly one decision per task is answered
 *    200 and recorded, every other one is 409, and each task advances its instance exactly once
 *    (its ledger step runs once after an approval, never after a rejection).
 */

import { RACER_ROLE } from '../driver/definitions';
import { sleep, type ChaosEnv, type Scenario, type ScenarioOutcome } from './scenario';

const NAME = 'decision-race';

interface Answer {
  readonly action: 'approve' | 'reject';
  readonly status: number;
}

let tasks: { taskId: string; instanceId: string }[] = [];
const answers = new Map<string, Answer[]>();

async function waitingTasks(env: ChaosEnv, instanceIds: string[]): Promise<{ taskId: string; instanceId: string }[]> {
  const { rows } = await env.db.query<{ id: string; instance_id: string }>(
    `SELECT id, instance_id FROM workflow_instance_nodes
     WHERE instance_id = ANY($1::uuid[]) AND node_id = 'approve_r1' AND status = 'waiting'`,
    [instanceIds],
  );
  return rows.map((r) => ({ taskId: r.id, instanceId: r.instance_id }));
}

export const decisionRaceScenario: Scenario = {
  id: 7,
  name: NAME,
  title: `concurrent decisions`,
  steadyMix: false,
  async run(env: ChaosEnv, outcome: ScenarioOutcome) {
    const count = env.opts.decisionTasks;
    const perTask = env.opts.decisionsPerTask;
    const before = env.driver.accepted.length;
    for (let i = 0; i < count; i += 1) {
      void env.driver.start('chaos-race', {});
      if (i % 10 === 9) await sleep(50);
    }
    await env.driver.quiesce();
    await env.driver.drainDeferred(30_000);
    const instanceIds = env.driver.accepted.slice(before).filter((a) => a.scenario === NAME).map((a) => a.instanceId);
    const deadline = Date.now() + 60_000;
    for (;;) {
      tasks = await waitingTasks(env, instanceIds);
      if (tasks.length >= instanceIds.length) break;
      if (Date.now() > deadline) throw new Error(`only ${tasks.length} of ${instanceIds.length} race tasks are waiting after 60 s`);
      await sleep(250);
    }
    env.log(`${tasks.length} tasks waiting; sending ${tasks.length * perTask} decisions at once`);
    const racers = Array.from({ length: perTask }, (_, i) => env.tokens.mint(`racer-${i}`, [RACER_ROLE]));
    answers.clear();
    const started = Date.now();
    await Promise.all(
      tasks.flatMap(({ taskId }) =>
        racers.map(async (token) => {
          const action = Math.random() < 0.5 ? 'approve' : 'reject';
          const res = await env.api.call(`race ${action}`, 'POST', `/api/tasks/${taskId}/${action}`, token, { body: {}, expected: [200, 409] });
          const list = answers.get(taskId) ?? [];
          list.push({ action, status: res.status });
          answers.set(taskId, list);
        }),
      ),
    );
    const took = Date.now() - started;
    const statuses = new Map<number, number>();
    for (const list of answers.values()) for (const a of list) statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
    outcome.notes.push(
      `${tasks.length * perTask} decisions on ${tasks.length} tasks in ${took} ms: ` +
        [...statuses.entries()].map(([s, c]) => `${s === 0 ? 'no-answer' : s}:${c}`).join(' '),
    );
    env.log(outcome.notes.at(-1) ?? '');
  },

  async verify(env: ChaosEnv, outcome: ScenarioOutcome) {
    const f = outcome.findings;
    const winners = new Map<string, Answer>();
    const noWinner: string[] = [];
    const manyWinners: string[] = [];
    const odd: string[] = [];
    for (const { taskId } of tasks) {
      const list = answers.get(taskId) ?? [];
      const ok = list.filter((a) => a.status === 200);
      if (ok.length === 0) noWinner.push(taskId);
      if (ok.length > 1) manyWinners.push(`${taskId} x${ok.length}`);
      if (ok.length === 1) winners.set(taskId, ok[0] as Answer);
      for (const a of list) if (a.status !== 200 && a.status !== 409) odd.push(`${taskId}: ${a.action} -> ${a.status}`);
    }
    f.add('lost', 'race task with no decision answered 200', noWinner, (s: string) => s);
    f.add('duplicated', 'race task with several decisions answered 200', manyWinners, (s: string) => s);
    f.add('other', 'race answer neither 200 nor 409', odd, (s: string) => s);

    const { rows } = await env.db.query<{ id: string; instance_id: string; decision: string | null; status: string; ledger_steps: number; istatus: string }>(
      `SELECT n.id, n.instance_id, n.decision, n.status, i.status AS istatus,
              (SELECT count(*)::int FROM workflow_instance_nodes x WHERE x.instance_id = n.instance_id AND x.node_id = 'ledger_r2') AS ledger_steps
       FROM workflow_instance_nodes n JOIN workflow_instances i ON i.id = n.instance_id WHERE n.id = ANY($1::uuid[])`,
      [tasks.map((t) => t.taskId)],
    );
    const wrongDecision: string[] = [];
    const tooMany: string[] = [];
    const tooFew: string[] = [];
    for (const r of rows) {
      const w = winners.get(r.id);
      const expected = w ? (w.action === 'approve' ? 'approved' : 'rejected') : null;
      if (w && r.decision !== expected) wrongDecision.push(`${r.id}: answered ${expected}, recorded ${r.decision}`);
      const advances = r.decision === 'approved' ? 1 : 0;
      const line = `${r.instance_id}: decision ${r.decision}, ${r.ledger_steps} follow-up step(s), instance ${r.istatus}`;
      if (r.ledger_steps > advances) tooMany.push(line);
      if (r.ledger_steps < advances) tooFew.push(line);
    }
    f.add('other', 'race winner is not the recorded decision', wrongDecision, (s: string) => s);
    f.add('duplicated', 'race task advanced more than once', tooMany, (s: string) => s);
    f.add('lost', 'approved race task did not advance', tooFew, (s: string) => s);
  },
};
