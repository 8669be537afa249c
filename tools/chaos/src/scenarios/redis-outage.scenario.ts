/**
 * 4. Redis unreachable for 20 s (stopped, then started again on the same port, empty). Meanwhile
 *    the API must answer starts and decisions with 503 or accept them durably (201/200: committed
 *    to Postgres, dispatched later by the reconciliation), never 500; /readyz says 503. Afterwards
 *    the workers reconnect by themselves and all work resumes.
 */

import type { Fault } from '../checks/recovery';
import { requireRedis, sleep, type ChaosEnv, type Scenario } from './scenario';
import { checkWorkersResumed } from './workers-resumed';

const OUTAGE_MS = 20_000;
let outage: Fault | null = null;

export const redisOutageScenario: Scenario = {
  id: 4,
  name: 'redis-outage',
  title: 'Redis unreachable 20 s',
  steadyMix: true,
  async run(env: ChaosEnv, outcome) {
    const redis = requireRedis(env);
    await sleep(2000);
    // let approvals pile up, so that decisions too are sent while Redis is down
    env.driver.decisionsPaused = true;
    await sleep(4000);
    const before = env.driver.accepted.length;
    const decisionsBefore = env.driver.decisions.length;
    const fault = env.fault({ kind: 'redis down 20 s', target: 'redis', at: Date.now() });
    outage = fault;
    await redis.stop();
    env.driver.decisionsPaused = false;
    env.log('Redis stopped');
    const readiness: number[] = [];
    const until = Date.now() + OUTAGE_MS;
    while (Date.now() < until) {
      const res = await env.api.call('readyz while Redis is down', 'GET', '/readyz', null, { expected: [503] });
      readiness.push(res.status);
      await sleep(2000);
    }
    await redis.start();
    fault.restoredAt = Date.now();
    const accepted = env.driver.accepted.length - before;
    const decided = env.driver.decisions.length - decisionsBefore;
    env.log(`Redis back after ${Math.round((fault.restoredAt - fault.at) / 1000)} s (${accepted} starts and ${decided} decisions accepted meanwhile)`);
    outcome.notes.push(
      `during the outage: ${accepted} starts and ${decided} decisions accepted; /readyz answered ${[...new Set(readiness)].join(',')}`,
    );
    await sleep(8000);
  },

  async verify(env, outcome) {
    if (outage) await checkWorkersResumed(env, outcome, outage);
  },
};
