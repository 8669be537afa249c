import { MAX_CONTEXT_BYTES, findUnsafeKey, mergedContext } from './context-limits';

describe('mergedContext', () => {
  it('merges at the top level', () => {
    expect(mergedContext({ a: 1, b: { c: 2 } }, { b: 3, d: [1] }, 'step')).toEqual({ a: 1, b: 3, d: [1] });
  });

  it('fails a step whose update holds __proto__ or constructor anywhere, naming its path', () => {
    const proto = JSON.parse('{"user": {"__proto__": {"admin": true}}}') as Record<string, unknown>;
    expect(() => mergedContext({}, proto, 'step')).toThrow(expect.objectContaining({ kind: 'node_failed', code: 'UNSAFE_CONTEXT_KEY', message: expect.stringContaining('user.__proto__') }));
    expect(() => mergedContext({}, { rows: [{ constructor: { prototype: {} } }] }, 'step')).toThrow(expect.objectContaining({ code: 'UNSAFE_CONTEXT_KEY', message: expect.stringContaining('rows[0].constructor') }));
    expect(findUnsafeKey({ a: [{ b: 'constructor' }] })).toBeNull();
  });

  it('holds every update to the start limit: a step fails, a request is a 413', () => {
    const big = { blob: 'x'.repeat(MAX_CONTEXT_BYTES) };
    expect(() => mergedContext({}, big, 'step')).toThrow(expect.objectContaining({ kind: 'node_failed', code: 'CONTEXT_TOO_LARGE' }));
    expect(() => mergedContext({}, big, 'request')).toThrow(expect.objectContaining({ kind: 'too_large', code: 'CONTEXT_TOO_LARGE' }));
    // the merged result counts: two halves that fit alone do not fit together
    const half = 'y'.repeat(MAX_CONTEXT_BYTES / 2);
    expect(() => mergedContext({ a: half }, { b: half }, 'step')).toThrow(expect.objectContaining({ code: 'CONTEXT_TOO_LARGE' }));
  });
});
