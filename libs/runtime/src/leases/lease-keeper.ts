/**
 * One lease keeper per worker process, after BullMQ's `LockManager`: a single timer renews the
 * lease of every in-flight I/O step, instead of one timer per step. The engine only asks it to
 * track a claim and to let go of it; the renewal itself is the engine's `renewLease` use case.
 */

import type { LeaseKeeper, NodeJob } from '@wf/engine';

export interface TimerLeaseKeeperOptions {
  /** how long a claim holds its lease (`WORKFLOW_STEP_LEASE_MS`); the keeper ticks every third of it, 100 ms at least */
  readonly leaseMs: number;
  /** extend one step's lease; false when it is no longer this worker's (taken over, cancelled) */
  readonly renew: (job: NodeJob, leaseToken: string) => Promise<boolean>;
  /** a renewal threw (database away); the step is tried again on the next tick */
  readonly onRenewalFailed?: (job: NodeJob, err: Error) => void;
}

interface Tracked {
  readonly job: NodeJob;
  readonly leaseToken: string;
  readonly onLost: () => void;
  /** `performance.now()` when the lease was last extended (the claim, then each renewal) */
  extendedAt: number;
  /** the renewal in flight: a step is never renewed twice at once */
  renewing: Promise<void> | null;
}

export class TimerLeaseKeeper implements LeaseKeeper {
  readonly intervalMs: number;
  private readonly tracked = new Set<Tracked>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private closed = false;

  constructor(private readonly opts: TimerLeaseKeeperOptions) {
    this.intervalMs = Math.max(100, Math.floor(opts.leaseMs / 3));
  }

  track(job: NodeJob, leaseToken: string, onLost: () => void): () => Promise<void> {
    if (this.closed) throw new Error('the lease keeper is closed: this process no longer runs steps');
    const entry: Tracked = { job, leaseToken, onLost, extendedAt: performance.now(), renewing: null };
    this.tracked.add(entry);
    this.timer ??= this.startTimer();
    return async () => {
      this.forget(entry);
      // the caller's next transaction on this step should not race our last renewal
      await entry.renewing;
    };
  }

  /** Stop renewing (leases still held run out on their own) and wait for renewals in flight. */
  async close(): Promise<void> {
    this.closed = true;
    const inFlight = [...this.tracked].map((t) => t.renewing);
    this.tracked.clear();
    this.stopTimer();
    await Promise.all(inFlight);
  }

  private startTimer(): ReturnType<typeof setInterval> {
    const timer = setInterval(() => this.tick(), this.intervalMs);
    // a pending renewal must not keep a finished process alive
    timer.unref();
    return timer;
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private forget(entry: Tracked): boolean {
    const was = this.tracked.delete(entry);
    if (this.tracked.size === 0) this.stopTimer();
    return was;
  }

  private tick(): void {
    const now = performance.now();
    for (const t of this.tracked) {
      // a claim made since the last tick still has most of its lease: renewing it now would add
      // a transaction to most short steps (BullMQ skips locks younger than half the interval too)
      if (t.renewing || now - t.extendedAt < this.intervalMs / 2) continue;
      t.renewing = this.renewOne(t, now).finally(() => {
        t.renewing = null;
      });
    }
  }

  private async renewOne(t: Tracked, startedAt: number): Promise<void> {
    let held: boolean;
    try {
      held = await this.opts.renew(t.job, t.leaseToken);
    } catch (err) {
      this.opts.onRenewalFailed?.(t.job, err as Error);
      return;
    }
    if (held) t.extendedAt = startedAt;
    // told once, and only while still tracked: a step released meanwhile has settled already
    else if (this.forget(t)) t.onLost();
  }
}
