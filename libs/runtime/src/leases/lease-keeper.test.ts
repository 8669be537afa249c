import type { NodeJob } from '@wf/engine';
import { TimerLeaseKeeper } from './lease-keeper';

const job = (n: number): NodeJob => ({ kind: 'run', tenantId: 't', instanceId: `i${n}`, executionId: `e${n}`, generation: 1 });

/** A 900 ms lease: the keeper ticks every 300 ms. */
const LEASE_MS = 900;
const TICK = 300;

describe('TimerLeaseKeeper', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  function keeper(renew: (job: NodeJob, token: string) => Promise<boolean>, onRenewalFailed?: (job: NodeJob, err: Error) => void) {
    return new TimerLeaseKeeper({ leaseMs: LEASE_MS, renew, ...(onRenewalFailed ? { onRenewalFailed } : {}) });
  }

  it('ticks every third of the lease, 100 ms at least', () => {
    expect(keeper(async () => true).intervalMs).toBe(TICK);
    expect(new TimerLeaseKeeper({ leaseMs: 150, renew: async () => true }).intervalMs).toBe(100);
  });

  it('renews every tracked step on one timer, started only while something is tracked', async () => {
    const renewed: string[] = [];
    const k = keeper(async (j, token) => (renewed.push(`${j.executionId}/${token}`), true));
    expect(jest.getTimerCount()).toBe(0);
    const releases = [1, 2, 3].map((n) => k.track(job(n), `tok${n}`, () => undefined));
    expect(jest.getTimerCount()).toBe(1);

    await jest.advanceTimersByTimeAsync(TICK);
    expect(renewed).toEqual(['e1/tok1', 'e2/tok2', 'e3/tok3']);
    await jest.advanceTimersByTimeAsync(TICK);
    expect(renewed).toHaveLength(6);

    await Promise.all(releases.map((release) => release()));
    expect(jest.getTimerCount()).toBe(0);
    await jest.advanceTimersByTimeAsync(5 * TICK);
    expect(renewed).toHaveLength(6);
  });

  it('stops renewing a step once it is released, and goes on with the others', async () => {
    const renew = jest.fn(async (_job: NodeJob, _token: string) => true);
    const k = keeper(renew);
    const releaseOne = k.track(job(1), 'a', () => undefined);
    const releaseTwo = k.track(job(2), 'b', () => undefined);
    await releaseOne();
    await jest.advanceTimersByTimeAsync(3 * TICK);
    expect(renew.mock.calls.map(([j]) => j.executionId)).toEqual(['e2', 'e2', 'e2']);
    await releaseTwo();
  });

  it('leaves a claim made just before a tick to the next one', async () => {
    const renew = jest.fn(async (_job: NodeJob, _token: string) => true);
    const k = keeper(renew);
    const first = k.track(job(1), 'a', () => undefined);
    await jest.advanceTimersByTimeAsync(TICK - 10);
    const second = k.track(job(2), 'b', () => undefined);
    await jest.advanceTimersByTimeAsync(10);
    expect(renew.mock.calls.map(([j]) => j.executionId)).toEqual(['e1']);
    await jest.advanceTimersByTimeAsync(TICK);
    expect(renew.mock.calls.map(([j]) => j.executionId)).toEqual(['e1', 'e1', 'e2']);
    await Promise.all([first(), second()]);
  });

  it('calls onLost once when a renewal finds the lease gone, and stops renewing that step', async () => {
    const renew = jest.fn(async (j: NodeJob) => j.executionId !== 'e1');
    const lost = jest.fn();
    const k = keeper(renew);
    const release = k.track(job(1), 'a', lost);
    const other = k.track(job(2), 'b', () => undefined);
    await jest.advanceTimersByTimeAsync(4 * TICK);
    expect(lost).toHaveBeenCalledTimes(1);
    expect(renew.mock.calls.filter(([j]) => j.executionId === 'e1')).toHaveLength(1);
    expect(renew.mock.calls.filter(([j]) => j.executionId === 'e2')).toHaveLength(4);
    await release();
    await other();
    expect(lost).toHaveBeenCalledTimes(1);
  });

  it('tries a renewal that threw again on the next tick', async () => {
    const failures: string[] = [];
    let calls = 0;
    const k = keeper(
      async () => {
        calls += 1;
        if (calls === 1) throw new Error('database away');
        return true;
      },
      (_j, err) => failures.push(err.message),
    );
    const lost = jest.fn();
    const release = k.track(job(1), 'a', lost);
    await jest.advanceTimersByTimeAsync(TICK);
    expect(failures).toEqual(['database away']);
    await jest.advanceTimersByTimeAsync(TICK);
    expect(calls).toBe(2);
    expect(lost).not.toHaveBeenCalled();
    await release();
  });

  it('never renews one step twice at once; its release waits for the renewal in flight', async () => {
    let finish: (held: boolean) => void = () => undefined;
    const renew = jest.fn(() => new Promise<boolean>((r) => (finish = r)));
    const k = keeper(renew);
    const release = k.track(job(1), 'a', () => undefined);
    await jest.advanceTimersByTimeAsync(3 * TICK);
    expect(renew).toHaveBeenCalledTimes(1);

    let released = false;
    const releasing = release().then(() => (released = true));
    await jest.advanceTimersByTimeAsync(0);
    expect(released).toBe(false);
    finish(false);
    await releasing;
    expect(released).toBe(true);
  });

  it('does not report a lease lost for a step released while its renewal was in flight', async () => {
    let finish: (held: boolean) => void = () => undefined;
    const lost = jest.fn();
    const k = keeper(() => new Promise<boolean>((r) => (finish = r)));
    const release = k.track(job(1), 'a', lost);
    await jest.advanceTimersByTimeAsync(TICK);
    const releasing = release();
    finish(false);
    await releasing;
    expect(lost).not.toHaveBeenCalled();
  });

  it('close stops the timer, waits for renewals in flight and refuses new claims', async () => {
    const pending: Array<(held: boolean) => void> = [];
    const renew = jest.fn(() => new Promise<boolean>((r) => pending.push(r)));
    const lost = jest.fn();
    const k = keeper(renew);
    k.track(job(1), 'a', lost);
    k.track(job(2), 'b', lost);
    await jest.advanceTimersByTimeAsync(TICK);
    expect(renew).toHaveBeenCalledTimes(2);

    let closed = false;
    const closing = k.close().then(() => (closed = true));
    expect(jest.getTimerCount()).toBe(0);
    await jest.advanceTimersByTimeAsync(0);
    expect(closed).toBe(false);
    for (const finish of pending) finish(false);
    await closing;
    await jest.advanceTimersByTimeAsync(5 * TICK);
    expect(renew).toHaveBeenCalledTimes(2);
    expect(lost).not.toHaveBeenCalled();
    expect(() => k.track(job(3), 'c', lost)).toThrow('the lease keeper is closed: this process no longer runs steps');
  });
});
