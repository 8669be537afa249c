/**
 * Cron triggers: node-cron tasks kept in step with the latest active version of every workflow
 * that has a cron trigger. Every replica schedules every trigger; each fire starts its instance
 * with the idempotency key (definition, trigger, fire time), so a tick fires exactly once however
 * many schedulers run, and still fires while any one of them is up.
 */

import cron, { type ScheduledTask } from 'node-cron';
import { findCronTriggerDefinitions } from '@wf/db';
import { fireCronTrigger, type CronTrigger } from '@wf/engine';
import type { EngineRuntime } from '../engine-runtime';
import type { Logger } from '../logger';

interface Scheduled {
  readonly task: ScheduledTask;
}

export class CronTriggers {
  private readonly scheduled = new Map<string, Scheduled>();
  private readonly inFlight = new Set<Promise<unknown>>();
  /** the sync running now, and the one asked for while it ran */
  private running: Promise<void> | null = null;
  private queued: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly rt: EngineRuntime,
    private readonly log: Logger,
  ) {}

  /**
   * Bring the scheduled tasks in line with the active definitions. Syncs never overlap (the
   * periodic sync and the change listener both call this): one asked for while another runs
   * runs after it, reading the definitions afresh, and further asks meanwhile join that one.
   */
  sync(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.queued) return this.queued;
    if (this.running) {
      this.queued = this.running
        .catch(() => undefined)
        .then(() => {
          this.queued = null;
          return this.sync();
        });
      return this.queued;
    }
    const run = this.syncOnce().finally(() => {
      if (this.running === run) this.running = null;
    });
    this.running = run;
    return run;
  }

  private async syncOnce(): Promise<void> {
    const rows = await findCronTriggerDefinitions(this.rt.store.pool);
    const wanted = new Map<string, { tenantId: string; definitionId: string; index: number; trigger: CronTrigger }>();
    for (const row of rows) {
      row.triggers.forEach((t, index) => {
        const trigger = t as CronTrigger;
        if (trigger.type !== 'cron') return;
        const key = `${row.definitionId}|${index}|${trigger.cron}|${trigger.timezone ?? 'UTC'}`;
        wanted.set(key, { tenantId: row.tenantId, definitionId: row.definitionId, index, trigger });
      });
    }
    for (const [key, s] of this.scheduled) {
      if (!wanted.has(key)) {
        await s.task.destroy();
        this.scheduled.delete(key);
        this.log.info({ trigger: key }, 'cron trigger removed');
      }
    }
    // stopped while reading: schedule nothing that stop() would not destroy
    if (this.stopped) return;
    for (const [key, w] of wanted) {
      if (this.scheduled.has(key)) continue;
      if (!cron.validate(w.trigger.cron)) {
        this.log.warn({ trigger: key }, 'cron trigger has an invalid expression; skipped');
        continue;
      }
      const fire = (at: Date): Promise<void> => {
        const p = this.fire(w.tenantId, w.definitionId, w.index, w.trigger, at).finally(() => this.inFlight.delete(p));
        this.inFlight.add(p);
        return p;
      };
      const task = cron.schedule(w.trigger.cron, (ctx) => fire(ctx.date), { timezone: w.trigger.timezone ?? 'UTC', name: key, noOverlap: false });
      // node-cron skips a tick it notices more than a second late (a busy event loop, a paused
      // process). The tick's key makes a late start safe, so it fires anyway: late, never lost.
      task.on('execution:missed', (ctx) => {
        this.log.warn({ trigger: key, tick: ctx.date.toISOString() }, 'cron tick noticed late; firing it now');
        return fire(ctx.date);
      });
      this.scheduled.set(key, { task });
      this.log.info({ trigger: key, tenantId: w.tenantId }, 'cron trigger scheduled');
    }
  }

  private async fire(tenantId: string, definitionId: string, index: number, trigger: CronTrigger, at: Date): Promise<void> {
    try {
      const outcome = await fireCronTrigger(this.rt.ports, { tenantId, definitionId, index, at, ...(trigger.contextData ? { contextData: trigger.contextData } : {}) });
      if (outcome.created) this.log.info({ tenantId, definitionId, tick: at.toISOString(), instanceId: outcome.instance.id }, 'cron trigger fired');
    } catch (err) {
      // e.g. deactivated since the last sync (422): nothing to start
      this.log.warn({ tenantId, definitionId, tick: at.toISOString(), err: (err as Error).message }, 'cron trigger did not start an instance');
    }
  }

  /** Definitions with a scheduled tick now (each trigger's key starts with its definition id). */
  scheduledDefinitionIds(): string[] {
    return [...new Set([...this.scheduled.keys()].map((key) => key.split('|')[0] ?? ''))];
  }

  /** Resolves once the sync and the fires running now have finished. */
  async settled(): Promise<void> {
    await Promise.allSettled([this.running, this.queued, ...this.inFlight]);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled([this.running, this.queued]);
    for (const s of this.scheduled.values()) await s.task.destroy();
    this.scheduled.clear();
    await Promise.allSettled([...this.inFlight]);
  }
}
