/** @wf/queue: BullMQ on Redis: connections, queue names, the Dispatcher, the node worker and its per-tenant admission. */
export * from './queue-names';
export * from './redis-connection';
export * from './bull-dispatcher';
export * from './node-worker';
export * from './queue-health';
export * from './tenant-admission';
export * from './redis-reachability';
