/**
 * The one exit for effects. A use case records what its transaction leaves to do (jobs, deadline
 * checks, events) on an `Effects`, and `runInTenant` hands them over only after the commit, under
 * one error policy: a committed change is never turned into an error by the queue being away.
 * Nothing is lost when a hand-over fails: executions stay `ready` in Postgres, and the scheduler's
 * reconciliation and SLA sweeps pick them up. No other module sends jobs (a test keeps it so).
 */

import type { InstanceState, NodeJob, Plan, SlaCheck } from '../runtime/model';
import type { EnginePorts, StoreTx } from '../runtime/ports';
import type { EngineEvent } from './engine-events';

/** History events after which a task waits for someone (notifications mail its holders). */
const WAITING_REASONS = { task_created: 'created', task_escalated: 'escalated', task_reminder: 'reminder' } as const;

export class Effects {
  readonly jobs: NodeJob[] = [];
  readonly slaChecks: SlaCheck[] = [];
  readonly events: EngineEvent[] = [];

  constructor(readonly tenantId: string) {}

  /** Write `plan` (planned from the locked `instance`) and take its effects. */
  async write(tx: StoreTx, plan: Plan, instance: InstanceState): Promise<{ lastHistoryHash: string | null }> {
    const written = await tx.apply(plan, instance);
    this.jobs.push(...plan.enqueue);
    this.slaChecks.push(...plan.slaChecks);
    for (const h of plan.history) {
      const reason = WAITING_REASONS[h.eventType as keyof typeof WAITING_REASONS];
      if (reason && h.nodeExecutionId !== null) {
        const nodeId = typeof h.details.nodeId === 'string' ? h.details.nodeId : '';
        this.events.push({
          type: 'task_waiting',
          tenantId: this.tenantId,
          instanceId: instance.id,
          taskId: h.nodeExecutionId,
          nodeId,
          reason,
          ...(h.details.notify === true ? { notify: true } : {}),
        });
      }
    }
    const status = plan.instance.status;
    if (instance.status === 'running' && status !== 'running') {
      this.events.push({ type: 'instance_finished', tenantId: this.tenantId, instanceId: instance.id, status });
    }
    return written;
  }

  send(jobs: readonly NodeJob[]): void {
    this.jobs.push(...jobs);
  }

  /** A job readied in this transaction that ran inline instead: it is not sent. */
  withdraw(job: NodeJob): void {
    const i = this.jobs.indexOf(job);
    if (i >= 0) this.jobs.splice(i, 1);
  }

  emit(event: EngineEvent): void {
    this.events.push(event);
  }
}

type DeliveryPorts = Pick<EnginePorts, 'dispatcher' | 'events'>;

function report(ports: DeliveryPorts, event: EngineEvent): void {
  try {
    ports.events.emit(event);
  } catch {
    // a listener's failure is the listener's: the change is committed
  }
}

/** Hand effects to the queue and the listeners; never throws. */
export async function deliver(ports: DeliveryPorts, effects: Pick<Effects, 'jobs' | 'slaChecks' | 'events'>): Promise<void> {
  if (effects.jobs.length > 0) {
    try {
      await ports.dispatcher.dispatch(effects.jobs);
    } catch (err) {
      report(ports, { type: 'effects_deferred', what: 'jobs', count: effects.jobs.length, error: (err as Error)?.message ?? String(err) });
    }
  }
  if (effects.slaChecks.length > 0) {
    try {
      await ports.dispatcher.scheduleSlaChecks(effects.slaChecks);
    } catch (err) {
      report(ports, { type: 'effects_deferred', what: 'sla_checks', count: effects.slaChecks.length, error: (err as Error)?.message ?? String(err) });
    }
  }
  for (const event of effects.events) report(ports, event);
}

/**
 * Run `work` in one transaction of the tenant, then deliver what it recorded. A transaction that
 * fails delivers nothing.
 */
export async function runInTenant<T>(
  ports: Pick<EnginePorts, 'store' | 'dispatcher' | 'events'>,
  tenantId: string,
  work: (tx: StoreTx, effects: Effects) => Promise<T>,
): Promise<T> {
  let effects = new Effects(tenantId);
  const result = await ports.store.inTenant(tenantId, (tx) => {
    // a store may run the work again (a retried transaction): only the last run's effects count
    effects = new Effects(tenantId);
    return work(tx, effects);
  });
  await deliver(ports, effects);
  return result;
}
