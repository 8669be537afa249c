/** What every step use case reads first: the locked instance and execution, and the definition. */

import type { DefinitionRecord, EnginePorts, EngineSettings, StepSnapshot, StoreTx } from '../runtime/ports';
import type { CompiledDefinition } from '../definition/definition.types';
import type { ExecutionState } from '../runtime/model';
import type { BusinessCalendar } from '../calendar/business-calendar';
import { FORECAST_SAMPLES, type DurationSample } from '../waits/forecast';
import type { OpenExecution } from '../runtime/plan-builder';
import { hasJoins } from '../runtime/joins';
import { needsPastDecisions, type PastDecision } from '../approvals/separation-of-duties';
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

/** The instance's decisions, when the task about to be created has rules that read them. */
export async function decisionsFor(
  tx: StoreTx,
  definition: CompiledDefinition,
  instanceId: string,
  execution: Pick<ExecutionState, 'status' | 'nodeId'>,
): Promise<PastDecision[] | undefined> {
  if (execution.status !== 'ready') return undefined;
  const node = definition.nodes.get(execution.nodeId);
  if (node?.nodeType !== 'approval' && node?.nodeType !== 'user_task') return undefined;
  return needsPastDecisions(node.separation) ? tx.decisions(instanceId) : undefined;
}

/** A task about to be created: its node's recent durations, for the forecast. */
export async function durationsFor(tx: StoreTx, definition: CompiledDefinition, execution: Pick<ExecutionState, 'status' | 'nodeId'>): Promise<DurationSample[] | undefined> {
  if (execution.status !== 'ready') return undefined;
  const node = definition.nodes.get(execution.nodeId);
  if (node?.nodeType !== 'approval' && node?.nodeType !== 'user_task') return undefined;
  return tx.durationSamples(definition.name, node.id, FORECAST_SAMPLES);
}

const calendarNames = new WeakMap<CompiledDefinition, readonly string[]>();

/** Every business calendar a definition names (itself, or any node). */
function calendarNamesOf(definition: CompiledDefinition): readonly string[] {
  let names = calendarNames.get(definition);
  if (!names) {
    const all = new Set<string>(definition.calendar !== null ? [definition.calendar] : []);
    for (const node of definition.nodes.values()) {
      if ('calendar' in node && node.calendar !== null) all.add(node.calendar);
    }
    names = [...all];
    calendarNames.set(definition, names);
  }
  return names;
}

/** The definition's calendars, compiled; undefined when it names none. */
export async function calendarsFor(tx: StoreTx, definition: CompiledDefinition): Promise<ReadonlyMap<string, BusinessCalendar> | undefined> {
  const names = calendarNamesOf(definition);
  return names.length > 0 ? tx.calendars(names) : undefined;
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
  const decisions = await decisionsFor(tx, def.compiled, snap.instance.id, snap.execution);
  const calendars = await calendarsFor(tx, def.compiled);
  const durations = await durationsFor(tx, def.compiled, snap.execution);
  return {
    snap,
    state: {
      definition: def.compiled,
      instance: snap.instance,
      execution: snap.execution,
      ...(open ? { open } : {}),
      ...(decisions ? { decisions } : {}),
      ...(calendars ? { calendars } : {}),
      ...(durations ? { durations } : {}),
    },
    at: planAt(ports),
  };
}
