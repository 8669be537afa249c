import { nodeJobId, nodeJobOf } from './queue-names';

const fields = { tenantId: 't', instanceId: 'i', executionId: 'e', generation: 2 };

describe('nodeJobOf', () => {
  it('reads a job written before kind was required as a run, and keeps a resume a resume', () => {
    expect(nodeJobOf(fields)).toEqual({ ...fields, kind: 'run' });
    expect(nodeJobOf({ ...fields, kind: 'resume' })).toEqual({ ...fields, kind: 'resume' });
    expect(nodeJobOf({ ...fields, kind: 'run' })).toEqual({ ...fields, kind: 'run' });
  });
});

describe('nodeJobId', () => {
  it('is the same for a run as before kinds were named, so a re-dispatch still deduplicates', () => {
    expect(nodeJobId({ ...fields, kind: 'run' })).toBe('exec-e-g2');
    expect(nodeJobId({ ...fields, kind: 'resume' })).toBe('exec-e-g2-resume');
  });
});
