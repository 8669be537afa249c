/** @wf/engine/testing: the engine over in-memory ports, the Store contract suite, and test helpers (tests only). */
export * from './compiled-node';
export * from './in-memory-store';
export * from './memory-engine';
export * from './store-contract';
