/** @wf/runtime/testing: definition builders shared by the tests, the bench and the chaos suite. */
export * from './definitions';
export * from './offset-clock';
