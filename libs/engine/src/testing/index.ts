/** @wf/engine/testing: the engine over in-memory ports, and the Store contract suite (tests only). */
export * from './in-memory-store';
export * from './memory-engine';
export * from './store-contract';
