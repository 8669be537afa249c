/**
 * @wf/engine: the workflow domain, free of I/O. Definitions are compiled and validated once
 * (`compileDefinition`); the planners turn locked state plus an event into a plan of writes and
 * jobs; the use cases run those planners over ports (Store, Dispatcher, Clock, LeaseKeeper) that
 * the adapters in libs/db, libs/queue and libs/runtime implement. No timers here: time comes from
 * the clock port (lint-enforced).
 */

export * from './errors/engine-errors';
export * from './definition/definition.types';
export * from './definition/compile-definition';
export * from './expressions/cel-expression';
export * from './expressions/cel-type-check';
export * from './sla/sla-clock';
export * from './runtime/model';
export * from './runtime/ports';
export * from './runtime/plan-at';
export * from './runtime/plan-builder';
export * from './runtime/plan-start';
export * from './runtime/plan-step';
export * from './runtime/plan-decision';
export * from './runtime/routing';
export * from './runtime/task-access';
export * from './use-cases';
export * from './runtime/inline-steps';
export * from './runtime/plan-admin';
export * from './runtime/service-handler';
export { isEngineServiceType, knownServiceTypes } from './runtime/engine-handlers';
export { celExpression, refinedAtSave, withCelTemplates, serviceConfigProblems, type ConfigProblem } from './definition/service-config';
export * from './runtime/joins';
export * from './runtime/plan-escalation';
export { definitionSchema } from './definition/definition.schema';
export * from './runtime/context-limits';
export * from './runtime/tenant-sql.port';
export * from './approvals/separation-of-duties';
export * from './approvals/quorum';
export * from './approvals/deputies';
export * from './approvals/task-holder';
export * from './approvals/allowed-actions';
export * from './approvals/deputy-window-check';
export * from './calendar';
export * from './waits/plan-wait';
export * from './waits/wait-clock';
export * from './waits/plan-deadline';
export * from './waits/forecast';
