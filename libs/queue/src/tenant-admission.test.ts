import { TenantAdmission } from './tenant-admission';

const A = 'tenant-a';
const B = 'tenant-b';

describe('TenantAdmission', () => {
  it('admits a tenant up to its share and defers the next job, whatever the other tenants hold', () => {
    const admission = new TenantAdmission({ share: 2 });
    expect(admission.tryEnter(B)).toBe(true);
    expect(admission.tryEnter(B)).toBe(true);
    // B holds its share: its third job waits, A's first is admitted
    expect(admission.tryEnter(B)).toBe(false);
    expect(admission.tryEnter(A)).toBe(true);
    expect(admission.runningOf(B)).toBe(2);
    expect(admission.runningOf(A)).toBe(1);
  });

  it('frees a slot when a job leaves, and forgets a tenant that runs nothing', () => {
    const admission = new TenantAdmission({ share: 1 });
    expect(admission.tryEnter(B)).toBe(true);
    expect(admission.tryEnter(B)).toBe(false);
    admission.leave(B);
    expect(admission.runningOf(B)).toBe(0);
    expect(admission.tryEnter(B)).toBe(true);
    admission.leave(B);
    // a stray leave does not go below zero or lend a slot
    admission.leave(B);
    expect(admission.runningOf(B)).toBe(0);
    expect(admission.tryEnter(B)).toBe(true);
    expect(admission.tryEnter(B)).toBe(false);
  });

  it('counts a job let in over the share, so the share is back only when it leaves too', () => {
    const admission = new TenantAdmission({ share: 1 });
    expect(admission.tryEnter(B)).toBe(true);
    admission.enter(B);
    expect(admission.runningOf(B)).toBe(2);
    admission.leave(B);
    expect(admission.tryEnter(B)).toBe(false);
    admission.leave(B);
    expect(admission.tryEnter(B)).toBe(true);
  });

  it('backs a job off from 100 ms, doubling per deferral up to 2 s, drawn from the upper half', () => {
    const admission = new TenantAdmission({ share: 1 });
    const low = () => 0;
    const high = () => 0.999999;
    expect([0, 1, 2, 3, 4, 5, 10].map((n) => admission.delayMs(n, high))).toEqual([100, 200, 400, 800, 1600, 2000, 2000]);
    expect([0, 1, 4, 5].map((n) => admission.delayMs(n, low))).toEqual([50, 100, 800, 1000]);
    // a count that is not a count (a stall makes attemptsStarted run ahead) is read as no deferral
    expect(admission.delayMs(-3, high)).toBe(100);
    expect(admission.delayMs(Number.MAX_SAFE_INTEGER, high)).toBe(2000);
  });

  it('refuses a share or delays it cannot honour', () => {
    expect(() => new TenantAdmission({ share: 0 })).toThrow(new RangeError('share must be an integer of at least 1, got 0'));
    expect(() => new TenantAdmission({ share: 1.5 })).toThrow(new RangeError('share must be an integer of at least 1, got 1.5'));
    expect(() => new TenantAdmission({ share: 1, firstDelayMs: 500, maxDelayMs: 100 })).toThrow(
      new RangeError('delays must satisfy 0 < firstDelayMs <= maxDelayMs, got 500 and 100'),
    );
  });

  it('keeps its options once built', () => {
    const admission = new TenantAdmission({ share: 3 });
    expect(Object.isFrozen(admission)).toBe(true);
    expect(admission).toMatchObject({ share: 3, firstDelayMs: 100, maxDelayMs: 2000 });
  });
});
