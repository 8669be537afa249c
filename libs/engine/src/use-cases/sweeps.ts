/**
 * The scheduler's safety nets, as use cases: what a lost job or a lost delayed check would have
 * done, found from Postgres at the engine clock's time. Each is idempotent (job ids), so several
 * schedulers may run them at once.
 */

import type { EnginePorts } from '../runtime/ports';
import { deliver } from './effects';
import { escalateTask } from './escalate-task';

/** Re-dispatch ready work whose job was lost, I/O steps whose lease ran out, parents of ended children. */
export async function reconcileStaleWork(ports: EnginePorts, opts: { olderThanSeconds: number; limit: number }): Promise<number> {
  const stale = await ports.sweeps.staleWork(ports.clock.now(), opts.olderThanSeconds, opts.limit);
  await deliver(ports, { jobs: stale, slaChecks: [], events: [] });
  return stale.length;
}

/** Record the breach of every task past its deadline (escalating it where escalation is on). */
export async function escalateDueTasks(ports: EnginePorts, opts: { limit: number }): Promise<number> {
  let escalated = 0;
  for (const check of await ports.sweeps.dueTasks(ports.clock.now(), opts.limit)) {
    if (await escalateTask(ports, check)) escalated += 1;
  }
  return escalated;
}

/** Delayed checks for the deadlines that came within `horizonSeconds` since the last sweep. */
export async function scheduleUpcomingDeadlines(ports: EnginePorts, opts: { horizonSeconds: number; limit: number }): Promise<number> {
  const upcoming = await ports.sweeps.upcomingDeadlines(ports.clock.now(), opts.horizonSeconds, opts.limit);
  await deliver(ports, { jobs: [], slaChecks: upcoming, events: [] });
  return upcoming.length;
}
