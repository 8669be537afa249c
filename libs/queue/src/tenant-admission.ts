/**
 * Fairness between tenants inside one worker process: each tenant may hold at most `share` of the
 * worker's job slots at once. A job of a tenant already at its share is not run but deferred (put
 * back in Redis for a short while), so one tenant's slow I/O cannot hold every slot while another
 * tenant's work waits behind it. Pure bookkeeping: the BullMQ side lives in `createNodeWorker`.
 */

export interface TenantAdmissionOptions {
  /** WORKER_TENANT_CONCURRENCY: jobs one tenant may run at once in this process (an integer, at least 1) */
  readonly share: number;
  /** the first deferral's delay; doubled with each further deferral of the same job (default 100) */
  readonly firstDelayMs?: number;
  /** the longest a deferred job waits before it is offered again (default 2000) */
  readonly maxDelayMs?: number;
}

export class TenantAdmission {
  readonly share: number;
  readonly firstDelayMs: number;
  readonly maxDelayMs: number;
  private readonly running = new Map<string, number>();

  constructor(opts: TenantAdmissionOptions) {
    const firstDelayMs = opts.firstDelayMs ?? 100;
    const maxDelayMs = opts.maxDelayMs ?? 2000;
    if (!Number.isInteger(opts.share) || opts.share < 1) throw new RangeError(`share must be an integer of at least 1, got ${opts.share}`);
    if (!(firstDelayMs > 0) || !(maxDelayMs >= firstDelayMs)) throw new RangeError(`delays must satisfy 0 < firstDelayMs <= maxDelayMs, got ${firstDelayMs} and ${maxDelayMs}`);
    this.share = opts.share;
    this.firstDelayMs = firstDelayMs;
    this.maxDelayMs = maxDelayMs;
    Object.freeze(this);
  }

  /** Take a slot for `tenantId` if it holds fewer than its share; false means: defer the job. */
  tryEnter(tenantId: string): boolean {
    const n = this.running.get(tenantId) ?? 0;
    if (n >= this.share) return false;
    this.running.set(tenantId, n + 1);
    return true;
  }

  /** Take a slot over the share: for a job that could not be deferred and runs anyway. */
  enter(tenantId: string): void {
    this.running.set(tenantId, (this.running.get(tenantId) ?? 0) + 1);
  }

  /** Give back a slot taken by `tryEnter` or `enter`. */
  leave(tenantId: string): void {
    const n = this.running.get(tenantId) ?? 0;
    // no entry for idle tenants: the map stays as small as the set of tenants running now
    if (n <= 1) this.running.delete(tenantId);
    else this.running.set(tenantId, n - 1);
  }

  /** Slots `tenantId` holds now. */
  runningOf(tenantId: string): number {
    return this.running.get(tenantId) ?? 0;
  }

  /**
   * How long a job deferred `deferredBefore` times already waits before it is offered again:
   * `firstDelayMs` doubled per earlier deferral up to `maxDelayMs`, then drawn from its upper half
   * (`random` in [0, 1)) so that the jobs deferred together do not all come back together. The
   * backoff keeps a long backlog from spinning through Redis: each waiting job comes back at most
   * every `maxDelayMs`.
   */
  delayMs(deferredBefore: number, random: () => number = Math.random): number {
    const exponent = Math.min(Math.max(0, Math.floor(deferredBefore)), 30);
    const ceiling = Math.min(this.maxDelayMs, this.firstDelayMs * 2 ** exponent);
    return Math.round(ceiling / 2 + (ceiling / 2) * random());
  }
}
