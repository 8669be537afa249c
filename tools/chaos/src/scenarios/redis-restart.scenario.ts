/**
 * 3. Redis restarted without persistence (every job, lock and delayed job gone), and later
 *    flushed while running: the reconciliation drives every running instance back from Postgres.
 */

import type { Fault } from '../checks/recovery';
import { requireRedis, sleep, type ChaosEnv, type Scenario } from './scenario';
import { checkWorkersResumed } from './workers-resumed';

const faults: Fault[] = [];

export const redisRestartScenario: Scenario = {
  id: 3,
  name: 'redis-restart',
  title: 'Redis restarted and flushed',
  steadyMix: true,
  async run(env: ChaosEnv) {
    const redis = requireRedis(env);
    faults.length = 0;
    await sleep(5000);
    const restart = env.fault({ kind: 'redis restart (empty)', target: 'redis', at: Date.now() });
    await redis.stop();
    await redis.start();
    restart.restoredAt = Date.now();
    faults.push(restart);
    env.log(`Redis killed and restarted empty in ${restart.restoredAt - restart.at} ms`);
    await sleep(env.opts.short ? 8000 : 10_000);
    const flush = env.fault({ kind: 'redis FLUSHALL', target: 'redis', at: Date.now() });
    await redis.flushAll();
    flush.restoredAt = Date.now();
    faults.push(flush);
    env.log('Redis flushed');
    await sleep(env.opts.short ? 6000 : 10_000);
  },

  async verify(env, outcome) {
    for (const f of faults) await checkWorkersResumed(env, outcome, f);
  },
};
