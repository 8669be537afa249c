/** What every step use case reads first: the locked instance and execution, and the definition. */

import type { DefinitionRecord, EnginePorts, EngineSettings, StepSnapshot, StoreTx } from '../runtime/ports';
import type { CompiledDefinition } from '../definition/definition.types';
import type { OpenExecution } from '../runtime/plan-builder';
import { hasJoins } from '../runtime/joins';
import { planAt, type PlanAt } from '../runtime/plan-at';
import type { StepState } from '../runtime/plan-step';

export async function definitionOf(tx: StoreTx, definitionId: string): Promise<DefinitionRecord> {
  const def = await tx.definition(definitionId);
  if (!def) throw new Error(`definition ${definitionId} of a live instance is missing`);
  return def;
}

/** The open executions, when the definition has joins (only joins need them). */
export async function openExecutionsFor(tx: StoreTx, definition: CompiledDefinition, instanceId: string): Promise<OpenExecution[] | undefined> {
  return hasJoins(definition) ? tx.openExecutions(instanceId) : undefined;
}

export interface LoadedStep {
  readonly snap: StepSnapshot;
  /** what every step planner plans from */
  readonly state: StepState;
  /** the time the step was loaded at, with the ids and settings the planners take */
  readonly at: PlanAt<keyof EngineSettings>;
}

/** Lock the step's instance and load what planning needs; null when either row is missing. */
export async function loadStep(
  ports: Pick<EnginePorts, 'clock' | 'newId' | 'settings'>,
  tx: StoreTx,
  ref: { instanceId: string; executionId: string },
): Promise<LoadedStep | null> {
  const snap = await tx.lockStep(ref.instanceId, ref.executionId);
  if (!snap) return null;
  const def = await definitionOf(tx, snap.instance.definitionId);
  const open = await openExecutionsFor(tx, def.compiled, snap.instance.id);
  return {
    snap,
    state: { definition: def.compiled, instance: snap.instance, execution: snap.execution, ...(open ? { open } : {}) },
    at: planAt(ports),
  };
}
