/** @wf/runtime/testing: definition builders shared by the tests, the bench and the chaos suite, and the queue backend the tests run on. */
export * from './definitions';
export * from './offset-clock';
export * from './test-queue-backend';
