/** @wf/queue: BullMQ on Redis or on its PostgreSQL backend: the backend adapter, connections, queue names, the Dispatcher, the node worker and its per-tenant admission. */
export * from './queue-names';
export * from './redis-connection';
export * from './bull-dispatcher';
export * from './node-worker';
export * from './queue-health';
export * from './tenant-admission';
export * from './redis-reachability';
export * from './queue-backend';
export * from './postgres-queue-schema';
