/** The application layer: one module per use case, each over the ports, effects leaving through `runInTenant`. */

export * from './engine-events';
export { runInTenant, type Effects } from './effects';
export * from './execute-node';
export * from './decide-task';
export * from './fail-execution';
export * from './escalate-task';
export * from './start-instance';
export * from './cancel-instance';
export * from './retry-instance';
export * from './publish-event';
export * from './fire-cron-trigger';
export * from './sweeps';
export * from './renew-lease';
export * from './read-task';
export * from './comment-instance';
export * from './deliver-message';
export * from './move-deadline';
