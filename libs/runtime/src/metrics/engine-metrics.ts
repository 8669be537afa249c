/**
 * Prometheus metrics of the engine, in a registry of their own (never prom-client's global one,
 * so two runtimes in one process, as in tests, do not collide).
 *
 * Step timings and failures are pushed by the worker as they happen. Queue depths, open tasks,
 * SLA breaches and instance counts are read when Prometheus scrapes (`collect()`), so they are
 * true of that moment in every process that serves them. A scrape whose Redis or Postgres read
 * fails or is slow serves that gauge without samples rather than failing `/metrics` as a whole.
 */

import type { Queue } from 'bullmq';
import type { Pool } from 'pg';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { EngineEvent } from '@wf/engine';
import { INSTANCE_STATUSES, URGENCY_LEVELS, urgencyWindow } from '@wf/engine';
import { systemRead, urgencyCaseSql } from '@wf/db';

export interface EngineMetricsOptions {
  /** read cross-tenant with `systemRead` (read-only, app.system_read) */
  readonly pool: Pool;
  /** every engine queue (`ALL_QUEUES`), counted by job state on each scrape */
  readonly queues: readonly Queue[];
  /** TASK_QUEUE_URGENT_THRESHOLD_HOURS: a task due within this many hours is URGENT */
  readonly urgentThresholdHours: number;
  /** how long a scrape waits for Redis or Postgres before serving that gauge empty; default 5000 */
  readonly scrapeTimeoutMs?: number;
}

export interface EngineMetrics {
  readonly registry: Registry;
  /** one node execution took `seconds` (its share of the worker call that ran it) and ended with `outcome` */
  observeStep(nodeType: string, outcome: string, seconds: number): void;
  /** one node execution attempt failed with the error `code` */
  countFailure(nodeType: string, code: string): void;
  /** one node job was put back without running (`tenant_share`: its tenant held its share of the worker) */
  countDeferral(reason: string): void;
  /** an engine event of this process (subscribed to the runtime's event bus) */
  countEvent(event: EngineEvent): void;
}

/** The states `workflow_queue_jobs` reports, in BullMQ's names. */
export const QUEUE_JOB_STATES = ['waiting', 'active', 'delayed', 'failed', 'completed'] as const;

/** From 1 ms (a pure gateway step) to 10 s (a slow HTTP call). */
const STEP_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface DbSnapshot {
  readonly tasksByUrgency: ReadonlyMap<string, number>;
  readonly slaBreaches: number;
  readonly instancesByStatus: ReadonlyMap<string, number>;
}

export function createEngineMetrics(opts: EngineMetricsOptions): EngineMetrics {
  const registry = new Registry();
  const timeoutMs = opts.scrapeTimeoutMs ?? 5000;
  collectDefaultMetrics({ register: registry, prefix: 'workflow_process_' });

  const stepDuration = new Histogram({
    name: 'workflow_step_duration_seconds',
    help: 'Time the worker spent on one node execution, by node type and outcome.',
    labelNames: ['node_type', 'outcome'] as const,
    buckets: STEP_BUCKETS,
    registers: [registry],
  });
  const stepFailures = new Counter({
    name: 'workflow_step_failures_total',
    help: 'Node execution attempts that failed, by node type and error code.',
    labelNames: ['node_type', 'code'] as const,
    registers: [registry],
  });
  const stepDeferrals = new Counter({
    name: 'workflow_steps_deferred_total',
    help: 'Node jobs a worker put back without running them, by reason (tenant_share: the tenant held its WORKER_TENANT_CONCURRENCY slots).',
    labelNames: ['reason'] as const,
    registers: [registry],
  });

  // counted from the engine's events, by the process whose use case emitted them
  const started = new Counter({
    name: 'workflow_instances_started_total',
    help: 'Instances this process started, by trigger type.',
    labelNames: ['trigger_type'] as const,
    registers: [registry],
  });
  const finished = new Counter({
    name: 'workflow_instances_finished_total',
    help: 'Instances that left running in this process, by final status.',
    labelNames: ['status'] as const,
    registers: [registry],
  });
  const triggers = new Counter({
    name: 'workflow_triggers_fired_total',
    help: 'Event and cron triggers this process fired, by trigger and whether they started a new instance.',
    labelNames: ['trigger', 'created'] as const,
    registers: [registry],
  });
  const deadlines = new Counter({
    name: 'workflow_task_deadlines_passed_total',
    help: 'Task deadlines this process recorded as breached, by whether the task was escalated.',
    labelNames: ['escalated'] as const,
    registers: [registry],
  });
  const deferred = new Counter({
    name: 'workflow_effects_deferred_total',
    help: 'Hand-overs to the queue that failed after a commit (recovered by the sweeps), by what: jobs or sla_checks.',
    labelNames: ['what'] as const,
    registers: [registry],
  });

  new Gauge({
    name: 'workflow_queue_jobs',
    help: 'Jobs in each engine queue, by state, at scrape time.',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const counts = await Promise.allSettled(opts.queues.map((q) => withTimeout(q.getJobCounts(...QUEUE_JOB_STATES), timeoutMs)));
      counts.forEach((result, i) => {
        // a queue Redis did not answer for is left out of this scrape
        if (result.status !== 'fulfilled') return;
        const queue = (opts.queues[i] as Queue).name;
        for (const state of QUEUE_JOB_STATES) this.set({ queue, state }, result.value[state] ?? 0);
      });
    },
  });

  // The three database gauges share one read-only transaction per scrape: prom-client collects
  // every metric at once, so the first to ask starts the read and the others join it.
  let inflight: Promise<DbSnapshot | null> | null = null;
  const dbSnapshot = (): Promise<DbSnapshot | null> =>
    (inflight ??= withTimeout(readDbSnapshot(opts.pool, opts.urgentThresholdHours), timeoutMs)
      .catch(() => null)
      .finally(() => {
        inflight = null;
      }));

  new Gauge({
    name: 'workflow_tasks_open',
    help: 'Open human tasks by urgency (OVERDUE, AT_RISK: forecast to finish after the deadline, URGENT within TASK_QUEUE_URGENT_THRESHOLD_HOURS, NORMAL), all tenants.',
    labelNames: ['urgency'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const snap = await dbSnapshot();
      if (!snap) return;
      for (const urgency of URGENCY_LEVELS) this.set({ urgency }, snap.tasksByUrgency.get(urgency) ?? 0);
    },
  });
  new Gauge({
    name: 'workflow_sla_breaches_total',
    help: 'Tasks that passed their SLA deadline (whether or not they were escalated), all tenants.',
    registers: [registry],
    async collect() {
      const snap = await dbSnapshot();
      // without labels, reset() would serve a 0 it does not know: remove() serves no sample
      if (snap) this.set(snap.slaBreaches);
      else this.remove();
    },
  });
  new Gauge({
    name: 'workflow_instances',
    help: 'Workflow instances by status, all tenants.',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const snap = await dbSnapshot();
      if (!snap) return;
      for (const status of INSTANCE_STATUSES) this.set({ status }, snap.instancesByStatus.get(status) ?? 0);
    },
  });

  return {
    registry,
    observeStep(nodeType, outcome, seconds) {
      stepDuration.observe({ node_type: nodeType, outcome }, seconds);
    },
    countFailure(nodeType, code) {
      stepFailures.inc({ node_type: nodeType, code });
    },
    countDeferral(reason) {
      stepDeferrals.inc({ reason });
    },
    countEvent(event) {
      switch (event.type) {
        case 'instance_started':
          return started.inc({ trigger_type: event.triggerType });
        case 'instance_finished':
          return finished.inc({ status: event.status });
        case 'trigger_fired':
          return triggers.inc({ trigger: event.trigger, created: String(event.created) });
        case 'task_escalated':
          return deadlines.inc({ escalated: String(event.escalated) });
        case 'effects_deferred':
          return deferred.inc({ what: event.what }, event.count);
        default:
          return undefined;
      }
    },
  };
}

async function readDbSnapshot(pool: Pool, urgentThresholdHours: number): Promise<DbSnapshot> {
  return systemRead(pool, async (q) => {
    const params: unknown[] = [];
    const bind = (value: unknown, type: string) => `$${params.push(value)}::${type}`;
    // the moment of the scrape
    const window = urgencyWindow(new Date(), urgentThresholdHours);
    const tasks = await q<{ urgency: string; n: number }>(
      `SELECT ${urgencyCaseSql('sla_deadline', window, bind, 'at_risk_at')} AS urgency, count(*)::int AS n
       FROM workflow_instance_nodes WHERE status = 'waiting' AND waiting_for = 'task'
       GROUP BY 1`,
      params,
    );
    // history (where sla_breached is recorded) is tenant-only; sla_breached_at marks the same event
    // (escalated_at alone: tasks escalated before breaches were recorded on their own)
    const [breaches] = await q<{ n: number }>(
      `SELECT count(*)::int AS n FROM workflow_instance_nodes WHERE sla_breached_at IS NOT NULL OR escalated_at IS NOT NULL`,
    );
    const instances = await q<{ status: string; n: number }>(`SELECT status, count(*)::int AS n FROM workflow_instances GROUP BY status`);
    return {
      tasksByUrgency: new Map(tasks.map((r) => [r.urgency, r.n])),
      slaBreaches: breaches?.n ?? 0,
      instancesByStatus: new Map(instances.map((r) => [r.status, r.n])),
    };
  });
}

/** Rejects after `ms`; the work itself runs on, but the scrape no longer waits for it. */
function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`scrape read timed out after ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
