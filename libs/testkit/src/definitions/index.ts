/**
 * @wf/testkit/definitions: the one definition builder of the unit and integration tests. Pure (no
 * I/O, no imports), so the engine's own unit tests may use it.
 */
export * from './definition-builder';
