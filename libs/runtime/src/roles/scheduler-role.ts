/**
 * The scheduler role: periodic sweeps with node-cron. Reconciliation re-dispatches ready
 * executions whose job was lost (a crash between commit and enqueue, a flushed Redis); the job
 * id makes a re-dispatch of a job that still exists harmless.
 */

import cron from 'node-cron';
import { findStaleWork } from '@wf/db';
import type { EngineRuntime } from '../engine-runtime';
import type { RunningRole } from './worker-role';

const RECONCILE_BATCH = 500;

export async function reconcileOnce(rt: EngineRuntime): Promise<number> {
  const stale = await findStaleWork(rt.store.pool, rt.config.reconcileAfterSeconds, RECONCILE_BATCH);
  if (stale.length > 0) await rt.bullDispatcher.dispatch(stale);
  return stale.length;
}

export function startSchedulerRole(rt: EngineRuntime): RunningRole {
  const log = rt.log.child({ role: 'scheduler' });
  let running: Promise<unknown> = Promise.resolve();
  const reconcile = cron.schedule(
    '*/5 * * * * *',
    () => {
      running = reconcileOnce(rt)
        .then((n) => {
          if (n > 0) log.info({ redispatched: n }, 'reconciliation re-dispatched ready executions');
        })
        .catch((err: Error) => log.warn({ err: err.message }, 'reconciliation sweep failed'));
      return running;
    },
    { name: 'reconcile', noOverlap: true },
  );
  log.info('scheduler started');
  return {
    name: 'scheduler',
    async close() {
      await reconcile.stop();
      await reconcile.destroy();
      await running;
      log.info('scheduler stopped');
    },
  };
}
