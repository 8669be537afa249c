/** @wf/db/testing: databases for integration tests (never imported by production code). */
export * from './test-env';
export * from './test-db';
