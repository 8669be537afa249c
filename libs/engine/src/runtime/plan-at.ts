/**
 * The one shape of every planner: `planX(at, state, event?)`. `at` is when and with what it
 * plans: the clock's reading, the source of new ids, and the settings it reads (only a planner
 * that reads settings takes them, and its type names which). `state` is the locked state it plans
 * from, `event` what happened to it (a command, a handler's result, a child's end).
 */

import type { EngineSettings, EnginePorts, IdGenerator } from './ports';

export type PlanAt<K extends keyof EngineSettings = never> = {
  readonly now: Date;
  readonly newId: IdGenerator;
} & ([K] extends [never] ? unknown : { readonly settings: Pick<EngineSettings, K> });

/** `at` for a use case, the clock read once, now; with the ports' settings it fits every planner. */
export function planAt(ports: Pick<EnginePorts, 'clock' | 'newId' | 'settings'>): PlanAt<keyof EngineSettings>;
export function planAt(ports: Pick<EnginePorts, 'clock' | 'newId'>): PlanAt;
export function planAt(ports: Pick<EnginePorts, 'clock' | 'newId'> & Partial<Pick<EnginePorts, 'settings'>>): PlanAt | PlanAt<keyof EngineSettings> {
  const at = { now: ports.clock.now(), newId: ports.newId };
  return ports.settings ? { ...at, settings: ports.settings } : at;
}
