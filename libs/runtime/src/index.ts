/**
 * @wf/runtime: what the apps compose: configuration, logging, the application services the API
 * calls, the worker and scheduler roles, and the process lifecycle.
 */
export * from './config/config';
export * from './logger';
export * from './auth/access-token';
export * from './services/service.types';
export * from './services/read-batches.service';
export * from './engine-runtime';
export * from './bootstrap';
export * from './roles/worker-role';
export * from './roles/scheduler-role';
export * from './roles/cron-triggers';
export * from './events/engine-event-bus';
export * from './notifications';
export * from './seed/sample-workflow';
export * from './metrics/engine-metrics';
export * from './http-listen';
