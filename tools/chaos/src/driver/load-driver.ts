/**
 * The steady mix: starts instances through the API at a fixed rate and decides their approvals
 * over the API as they appear, whatever faults are being injected meanwhile.
 *
 * Every start carries an Idempotency-Key. A start answered with 503, or not answered at all, is
 * sent again later with the same key, so an ambiguous failure can never start an instance twice;
 * every start the API accepted (201, or 200 for a replay) is remembered and later looked for in
 * Postgres. Decisions are remembered the same way and checked against the task's recorded
 * decision.
 */

import type { Pool } from 'pg';
import type { TallyingApiClient } from './tallying-api-client';
import { APPROVER_ROLE, MIX } from './definitions';

export interface AcceptedStart {
  readonly key: string;
  readonly instanceId: string;
  readonly scenario: string;
  readonly definition: string;
}

export interface AcceptedDecision {
  readonly taskId: string;
  readonly decision: 'approved' | 'rejected';
  readonly scenario: string;
}

interface PendingStart {
  readonly key: string;
  readonly scenario: string;
  readonly definition: string;
  readonly body: { workflowName: string; contextData: Record<string, unknown> };
}

export interface DriverTokens {
  readonly starter: string;
  readonly approver: string;
  readonly director: string;
}

const START_OK = [201, 200, 503];
const DECIDE_OK = [200, 409, 503];
const MAX_IN_FLIGHT_STARTS = 16;
const MAX_IN_FLIGHT_DECISIONS = 8;

export class LoadDriver {
  scenario = 'setup';
  private seq = 0;
  private mixTimer: NodeJS.Timeout | null = null;
  private decideTimer: NodeJS.Timeout | null = null;
  private deciding: Promise<void> | null = null;
  /** while true, approvals pile up undecided (to be decided later, e.g. during an outage) */
  decisionsPaused = false;
  private inFlightStarts = 0;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly pending: PendingStart[] = [];
  private readonly decidedTasks = new Set<string>();
  private readonly decidingTasks = new Set<string>();
  readonly accepted: AcceptedStart[] = [];
  readonly decisions: AcceptedDecision[] = [];
  /** per scenario: starts the API refused with 503 or left unanswered, then retried */
  readonly deferredStarts = new Map<string, number>();

  constructor(
    private readonly api: TallyingApiClient,
    private readonly db: Pool,
    private readonly runId: string,
    private readonly tenantId: string,
    private readonly tokens: DriverTokens,
  ) {}

  /** Start one instance of `definition` now (retried later if refused with 503 or unanswered). */
  start(definition: string, contextData: Record<string, unknown> = {}): Promise<void> {
    this.seq += 1;
    const key = `${this.runId}-${this.scenario}-${this.seq}`;
    const pending: PendingStart = {
      key,
      scenario: this.scenario,
      definition,
      body: { workflowName: definition, contextData: { chaosScenario: this.scenario, seq: this.seq, ...contextData } },
    };
    return this.track(this.send(pending));
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
    return p;
  }

  private async send(p: PendingStart): Promise<void> {
    this.inFlightStarts += 1;
    try {
      const res = await this.api.call<{ id?: string }>(`start ${p.definition}`, 'POST', '/api/instances', this.tokens.starter, {
        body: p.body,
        headers: { 'Idempotency-Key': p.key },
        expected: START_OK,
      });
      if ((res.status === 201 || res.status === 200) && typeof res.body?.id === 'string') {
        this.accepted.push({ key: p.key, instanceId: res.body.id, scenario: p.scenario, definition: p.definition });
      } else if (res.status === 503 || res.status === 0) {
        this.deferredStarts.set(p.scenario, (this.deferredStarts.get(p.scenario) ?? 0) + 1);
        this.pending.push(p);
      }
      // anything else is recorded by the client as unexpected and not retried
    } finally {
      this.inFlightStarts -= 1;
    }
  }

  /** Start the steady mix at `perSecond` instances a second (plus retries of deferred starts). */
  startMix(perSecond: number): void {
    this.stopMix();
    const totalWeight = MIX.reduce((s, m) => s + m.weight, 0);
    this.mixTimer = setInterval(() => {
      this.retryDeferred(2);
      if (this.inFlightStarts >= MAX_IN_FLIGHT_STARTS) return;
      let pick = Math.random() * totalWeight;
      const kind = MIX.find((m) => (pick -= m.weight) < 0) ?? MIX[0];
      void this.start(kind.definition, { kind: kind.kind });
    }, Math.max(10, Math.round(1000 / perSecond)));
  }

  stopMix(): void {
    if (this.mixTimer) clearInterval(this.mixTimer);
    this.mixTimer = null;
  }

  private retryDeferred(max: number): void {
    for (let i = 0; i < max && this.pending.length > 0 && this.inFlightStarts < MAX_IN_FLIGHT_STARTS; i += 1) {
      void this.track(this.send(this.pending.shift() as PendingStart));
    }
  }

  /** Keep sending deferred starts until every one was accepted (or `timeoutMs` passed). */
  async drainDeferred(timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      await Promise.allSettled([...this.inFlight]);
      if (this.pending.length === 0) return 0;
      this.retryDeferred(MAX_IN_FLIGHT_STARTS);
      await new Promise((r) => setTimeout(r, 250));
    }
    return this.pending.length;
  }

  /** Decide waiting approvals of the mix, and the escalated SLA tasks not meant to stay parked. */
  startDeciding(): void {
    if (this.decideTimer) return;
    this.decideTimer = setInterval(() => {
      if (this.deciding || this.decisionsPaused) return;
      this.deciding = this.decideRound()
        .catch(() => undefined)
        .finally(() => (this.deciding = null));
    }, 250);
  }

  async stopDeciding(): Promise<void> {
    if (this.decideTimer) clearInterval(this.decideTimer);
    this.decideTimer = null;
    await this.deciding;
  }

  private async decideRound(): Promise<void> {
    const rows = (
      await this.db.query<{ id: string; node_id: string }>(
        `SELECT n.id, n.node_id FROM workflow_instance_nodes n JOIN workflow_instances i ON i.id = n.instance_id
         WHERE n.tenant_id = $1 AND n.status = 'waiting' AND n.waiting_for = 'task'
           AND (n.assigned_role = $2
                OR (n.node_id = 'approve_s1' AND n.escalated_at IS NOT NULL AND coalesce(i.context_data->>'park', '') <> 'true'))
         ORDER BY n.ready_at LIMIT 200`,
        [this.tenantId, APPROVER_ROLE],
      )
    ).rows.filter((r) => !this.decidedTasks.has(r.id) && !this.decidingTasks.has(r.id));
    const work = rows.slice(0, 64);
    let next = 0;
    const lane = async () => {
      while (next < work.length) {
        const row = work[next++] as { id: string; node_id: string };
        await this.decide(row.id, row.node_id);
      }
    };
    await Promise.all(Array.from({ length: MAX_IN_FLIGHT_DECISIONS }, lane));
  }

  private async decide(taskId: string, nodeId: string): Promise<void> {
    this.decidingTasks.add(taskId);
    const scenario = this.scenario;
    // one in ten plain approvals is rejected (it has a "rejected" route); everything else approved
    const reject = nodeId === 'approve_a2' && Math.random() < 0.1;
    const token = nodeId === 'approve_s1' ? this.tokens.director : this.tokens.approver;
    try {
      const res = await this.api.call(`${reject ? 'reject' : 'approve'} ${nodeId}`, 'POST', `/api/tasks/${taskId}/${reject ? 'reject' : 'approve'}`, token, {
        body: { comments: `chaos ${scenario}` },
        expected: DECIDE_OK,
      });
      if (res.status === 200) {
        this.decisions.push({ taskId, decision: reject ? 'rejected' : 'approved', scenario });
        this.decidedTasks.add(taskId);
      } else if (res.status === 409) {
        // decided already (our earlier request may have committed without an answer reaching us)
        this.decidedTasks.add(taskId);
      } else if (res.status !== 503 && res.status !== 0) {
        this.decidedTasks.add(taskId);
      }
    } finally {
      this.decidingTasks.delete(taskId);
    }
  }

  /** Wait for every request in flight. */
  async quiesce(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }
}
