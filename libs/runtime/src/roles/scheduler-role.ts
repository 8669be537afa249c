/**
 * The scheduler role: periodic sweeps and cron triggers. Every sweep is idempotent, so several
 * replicas may run at once:
 * - reconciliation (every 5 s) re-dispatches ready executions whose job was lost, I/O steps whose
 *   lease ran out and parents whose child ended; the job id makes a re-dispatch harmless;
 * - the SLA sweep (every TASK_QUEUE_REFRESH_INTERVAL_SECONDS) escalates due tasks whose delayed
 *   job was lost, and gives deadlines that have come within range their delayed job (further
 *   ones have none yet, so parked tasks hold no Redis memory);
 * - cron triggers are re-synced when a definition change commits (LISTEN on
 *   workflow_definitions_changed), and at the same interval as a fallback;
 * - the retention purge runs daily.
 */

import cron from 'node-cron';
import { purgeExpiredHistory } from '@wf/db';
import { escalateDueTasks, reconcileStaleWork, scheduleUpcomingDeadlines } from '@wf/engine';
import { slaJobHorizonMs, type EngineRuntime } from '../engine-runtime';
import type { Logger } from '../logger';
import { CronTriggers } from './cron-triggers';
import { DefinitionChangeListener } from './definition-change-listener';
import type { RunningRole } from './worker-role';

const BATCH = 500;
const RECONCILE_EVERY_MS = 5_000;

export function reconcileOnce(rt: EngineRuntime): Promise<number> {
  return reconcileStaleWork(rt.ports, { olderThanSeconds: rt.config.reconcileAfterSeconds, limit: BATCH });
}

/** Record the breach of every task past its deadline (and escalate it where escalation is on). */
export function escalateDueOnce(rt: EngineRuntime): Promise<number> {
  return escalateDueTasks(rt.ports, { limit: BATCH });
}

/** Delayed jobs for the deadlines that have come within range since the last sweep. */
export function scheduleUpcomingSlaChecksOnce(rt: EngineRuntime): Promise<number> {
  return scheduleUpcomingDeadlines(rt.ports, { horizonSeconds: slaJobHorizonMs(rt.config) / 1000, limit: BATCH });
}

/** Purge every expired history, a batch of instances at a time; returns the rows deleted. */
export async function purgeHistoryOnce(rt: EngineRuntime, log: Logger): Promise<number> {
  let rows = 0;
  let instances = 0;
  for (;;) {
    const batch = await purgeExpiredHistory(rt.store.pool, rt.config.historyRetentionDays, rt.ports.clock.now(), rt.ports.newId, BATCH);
    rows += batch.rows;
    instances += batch.instances;
    if (batch.instances < BATCH) break;
  }
  log.info({ deleted: rows, instances, retentionDays: rt.config.historyRetentionDays }, 'history retention purge');
  return rows;
}

/** Run `work` every `ms`, never overlapping itself; failures are logged and retried next time. */
function every(ms: number, name: string, log: Logger, work: () => Promise<unknown>) {
  let running: Promise<unknown> | null = null;
  const tick = () => {
    if (running) return;
    running = work()
      .catch((err: Error) => log.warn({ sweep: name, err: err.message }, 'sweep failed'))
      .finally(() => (running = null));
  };
  const timer = setInterval(tick, ms);
  tick();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}

/** The running scheduler, with its cron triggers in view (what is scheduled, what is in flight). */
export interface SchedulerRole extends RunningRole {
  readonly cronTriggers: Pick<CronTriggers, 'scheduledDefinitionIds' | 'settled'>;
  readonly definitionChanges: Pick<DefinitionChangeListener, 'connectionsSynced'>;
}

export function startSchedulerRole(rt: EngineRuntime): SchedulerRole {
  const log = rt.log.child({ role: 'scheduler' });
  const refreshMs = rt.config.taskQueueRefreshIntervalSeconds * 1000;
  const triggers = new CronTriggers(rt, log);
  const loops = [
    every(RECONCILE_EVERY_MS, 'reconcile', log, async () => {
      const n = await reconcileOnce(rt);
      if (n > 0) log.info({ redispatched: n }, 'reconciliation re-dispatched work');
    }),
    every(refreshMs, 'sla', log, async () => {
      const n = await escalateDueOnce(rt);
      if (n > 0) log.info({ escalated: n }, 'SLA sweep escalated tasks');
      await scheduleUpcomingSlaChecksOnce(rt);
    }),
    every(refreshMs, 'triggers', log, () => triggers.sync()),
  ];
  const changes = new DefinitionChangeListener({
    url: rt.config.runtimeUrl,
    applicationName: 'workflow-scheduler-listen',
    log,
    onChange: () => triggers.sync(),
  });
  changes.start();
  const retention = cron.schedule('17 3 * * *', () => purgeHistoryOnce(rt, log).catch((err: Error) => log.error({ err: err.message }, 'retention purge failed')), {
    name: 'history-retention',
    timezone: 'UTC',
    noOverlap: true,
  });
  log.info({ refreshSeconds: rt.config.taskQueueRefreshIntervalSeconds }, 'scheduler started');
  return {
    name: 'scheduler',
    cronTriggers: triggers,
    definitionChanges: changes,
    async close() {
      await changes.stop();
      await retention.destroy();
      await Promise.all(loops.map((l) => l.stop()));
      await triggers.stop();
      log.info('scheduler stopped');
    },
  };
}
