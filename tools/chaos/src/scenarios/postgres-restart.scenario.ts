/**
 * 5. Postgres restarted mid-run (`pg_ctl restart -m fast`: every session terminated, in-flight
 *    transactions rolled back). Requests meanwhile fail cleanly with 503, nothing half-written
 *    remains, and everything resumes.
 */

import { sleep, type ChaosEnv, type Scenario } from './scenario';

export const postgresRestartScenario: Scenario = {
  id: 5,
  name: 'postgres-restart',
  title: 'Postgres restart -m fast',
  steadyMix: true,
  async run(env: ChaosEnv) {
    const restarts = env.opts.short ? 1 : 2;
    await sleep(4000);
    for (let r = 1; r <= restarts; r += 1) {
      const fault = env.fault({ kind: 'postgres restart -m fast', target: 'postgres', at: Date.now() });
      await env.pg.restartFast();
      fault.restoredAt = Date.now();
      env.log(`Postgres restarted in ${fault.restoredAt - fault.at} ms`);
      await sleep(8000);
    }
  },
};
