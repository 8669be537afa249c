/** The lease renewal use case, which the worker's lease keeper runs for each in-flight I/O step. */

import type { NodeJob } from '../runtime/model';
import type { EnginePorts } from '../runtime/ports';
import { planLeaseRenewal } from '../runtime/plan-step';
import { planAt } from '../runtime/plan-at';

/** Extend the step's lease; false when it is no longer this worker's (taken over, cancelled). */
export async function renewLease(
  ports: Pick<EnginePorts, 'store' | 'clock' | 'newId' | 'settings'>,
  job: NodeJob,
  leaseToken: string,
): Promise<boolean> {
  return ports.store.inTenant(job.tenantId, async (tx) => {
    const snap = await tx.lockStep(job.instanceId, job.executionId);
    const plan = snap && planLeaseRenewal(planAt(ports), snap, { leaseToken });
    if (!snap || !plan) return false;
    await tx.apply(plan, snap.instance);
    return true;
  });
}
