/**
 * 1. `kill -9` of a worker in the middle of steps, again and again, each victim restarted a moment
 *    later. Its jobs come back through BullMQ's stalled-job check (job lock
 *    WORKER_LOCK_DURATION_MS) and its leased I/O steps through the reconciliation once their lease
 *    (WORKFLOW_STEP_LEASE_MS) ran out; both within 15 s.
 */

import { pickBusyWorker } from './pick-worker';
import { jitter, sleep, type ChaosEnv, type Scenario } from './scenario';

export const workerKillsScenario: Scenario = {
  id: 1,
  name: 'worker-kill',
  title: 'worker kill -9 mid-step',
  steadyMix: true,
  async run(env: ChaosEnv) {
    await sleep(3000);
    for (let k = 1; k <= env.opts.kills; k += 1) {
      const target = await pickBusyWorker(env);
      env.fault({ kind: 'kill -9', target: target.name, pid: target.pid, at: Date.now() });
      await env.fleet.kill(target.name);
      env.log(`kill -9 ${target.name} (pid ${target.pid}) [${k}/${env.opts.kills}]`);
      await sleep(jitter(500, 1500));
      env.fleet.spawn(target.name, 'worker');
      await sleep(jitter(1000, 2500));
    }
    await sleep(2000);
  },
};
