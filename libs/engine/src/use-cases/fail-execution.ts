/** The use case that fails a ready or running execution for good. */

import type { EngineError } from '../errors/engine-errors';
import type { NodeJob } from '../runtime/model';
import type { EnginePorts } from '../runtime/ports';
import { PlanBuilder } from '../runtime/plan-builder';
import { failNode } from '../runtime/plan-step';
import { runInTenant } from './effects';

/**
 * Fail a ready or running execution for good (a handler's unrecoverable error, retries
 * exhausted): the execution and its instance become `failed`, with the error recorded. With a
 * lease token, only while that lease still holds. True when it failed it.
 */
export async function failExecution(ports: EnginePorts, job: NodeJob, error: EngineError, leaseToken?: string): Promise<boolean> {
  return runInTenant(ports, job.tenantId, async (tx, effects) => {
    const snap = await tx.lockStep(job.instanceId, job.executionId);
    if (!snap || snap.execution.generation !== job.generation) return false;
    if (snap.instance.status !== 'running') return false;
    const e = snap.execution;
    if (leaseToken !== undefined ? e.status !== 'running' || e.leaseToken !== leaseToken : e.status !== 'ready' && e.status !== 'running') {
      return false;
    }
    const b = new PlanBuilder(snap.instance, ports.clock.now(), ports.newId);
    failNode(b, e, error);
    await effects.write(tx, b.build(), snap.instance);
    return true;
  });
}
