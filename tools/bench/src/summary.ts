/**
 * The run's figures: the JSON object printed as the last line, and the table before it. Ratios
 * use the mean of each anchor's before and after measurements.
 */

import { isClean } from './correctness';
import { fmt, renderReport, verdict, type ReportRow, type ReportSection } from './report';
import type { BenchResults, TopologyRun } from './run-bench';
import { round } from './stats';
import { w6Json, w6Section } from './workloads/w6-parked-waits';

const mean = (a: number, b: number) => (a + b) / 2;
const roundAll = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, round(v, 0)]));

export function summaryJson(r: BenchResults): Record<string, unknown> {
  const a1 = mean(r.anchorsBefore.a1.perSecond, r.anchorsAfter.a1.perSecond);
  const a2 = mean(r.anchorsBefore.a2.perSecond, r.anchorsAfter.a2.perSecond);
  const a3 = mean(r.anchorsBefore.a3.perSecond, r.anchorsAfter.a3.perSecond);
  const w1 = r.allInOne.w1;
  const c = r.allInOne.costs;
  const w3Base = r.w3[0];
  const w3Last = r.w3[r.w3.length - 1];
  const cpu = (t: TopologyRun) => Object.fromEntries(Object.entries(t.costs.cpuMicrosPerStep).map(([k, v]) => [k, round(v, 0)]));
  const total = r.correctnessTotal;
  return {
    mode: r.options.quick ? 'quick' : 'full',
    seconds: round(r.seconds, 0),
    dbPoolSize: r.engine.poolSize,
    workerConcurrency: r.engine.concurrency,
    inflightPerWorkerSlot: r.options.inflightPerSlot,
    w1StepsPerSec: round(w1.stepsPerSec, 0),
    w1InstancesPerSec: round(w1.instancesPerSec, 1),
    a1StepsPerSec: round(a1, 0),
    a2StepsPerSec: round(a2, 0),
    a3CommitsPerSec: round(a3, 0),
    a1Before: round(r.anchorsBefore.a1.perSecond, 0),
    a1After: round(r.anchorsAfter.a1.perSecond, 0),
    a2Before: round(r.anchorsBefore.a2.perSecond, 0),
    a2After: round(r.anchorsAfter.a2.perSecond, 0),
    a3Before: round(r.anchorsBefore.a3.perSecond, 0),
    a3After: round(r.anchorsAfter.a3.perSecond, 0),
    ratioW1toA2: round(w1.stepsPerSec / a2, 3),
    ratioW1toA1: round(w1.stepsPerSec / a1, 3),
    w1PerSecondCv: round(w1.perSecondCv, 3),
    w1BacklogStartEnd: [w1.backlogAtStart, w1.backlogAtEnd],
    ...postgresQueueJson(r),
    w1OpenLoopRate: round(r.openLoop.ratePerSecond, 1),
    w1P50Ms: round(r.openLoop.latency.p50, 1),
    w1P99Ms: round(r.openLoop.latency.p99, 1),
    w1IntakeP99Ms: round(r.openLoop.intake.p99, 1),
    w1StepHandoffP50Ms: round(r.openLoop.stepHandoff.p50, 1),
    w1StepHandoffP99Ms: round(r.openLoop.stepHandoff.p99, 1),
    w2P50Ms: round(r.w2.visible.p50, 1),
    w2P99Ms: round(r.w2.visible.p99, 1),
    w2ApproveCallP99Ms: round(r.w2.approveCall.p99, 1),
    w2PollP50Ms: round(r.w2.poll.p50, 1),
    w5VotesPerSec: round(r.w5.together.votesPerSecond, 0),
    w5DecisionsPerSec: round(r.w5.together.decisionsPerSecond, 1),
    w5VotesPerSecInTurn: round(r.w5.inTurn.votesPerSecond, 0),
    w5OpenLoopVotesPerSec: round(r.w5.openLoopVotesPerSecond, 1),
    w5P50Ms: round(r.w5.visible.p50, 1),
    w5P99Ms: round(r.w5.visible.p99, 1),
    w5P99RatioToW2: round(r.w5.visible.p99 / r.w2.visible.p99, 2),
    w5VoteCallP99Ms: round(r.w5.voteCall.p99, 1),
    w5DecidingCallP99Ms: round(r.w5.decidingCall.p99, 1),
    w5Reordered: r.w5.reordered,
    pgCommitsPerStep: round(c.pgCommitsPerStep, 3),
    pgCommitsPerAutomaticStep: round(c.pgCommitsPerAutomaticStep, 3),
    pgRollbacks: c.pgRollbacks,
    pgRowsInsertedPerStep: round(c.rowsInsertedPerStep, 2),
    pgRowsUpdatedPerStep: round(c.rowsUpdatedPerStep, 2),
    pgHotUpdateShare: Object.fromEntries(Object.entries(c.hotUpdateShare).map(([k, v]) => [k, round(v, 2)])),
    redisRoundTripsPerStep: round(c.redisCommandsPerStep, 2),
    redisScriptCallsPerStep: round(c.redisScriptCallsPerStep, 2),
    cpuMicrosPerStep: cpu(r.allInOne),
    cpuSystemShare: Object.fromEntries(Object.entries(r.allInOne.costs.cpuSystemShare).map(([k, v]) => [k, round(v, 2)])),
    a1CpuMicrosPerStep: roundAll(anchorCpuMicros(r, 'a1')),
    a2CpuMicrosPerStep: roundAll(anchorCpuMicros(r, 'a2')),
    a3CpuMicrosPerCommit: roundAll(anchorCpuMicros(r, 'a3')),
    w3: r.w3.map((l) => ({
      parked: l.parked,
      w1StepsPerSec: round(l.w1.stepsPerSec, 0),
      ratioToEmpty: w3Base ? round(l.w1.stepsPerSec / w3Base.w1.stepsPerSec, 3) : null,
      cpuMicrosPerStep: round(l.cpuMicrosPerStep, 0),
      cpuPerStepRatioToEmpty: w3Base ? round(l.cpuMicrosPerStep / w3Base.cpuMicrosPerStep, 3) : null,
      taskQueueP50Ms: round(l.taskQueue.latency.p50, 1),
      taskQueueP99Ms: round(l.taskQueue.latency.p99, 1),
      taskQueueP99RatioToEmpty: w3Base ? round(l.taskQueue.latency.p99 / w3Base.taskQueue.latency.p99, 2) : null,
      taskQueueItems: l.taskQueue.items,
      graphqlQueueP99Ms: round(l.graphqlQueue.graphql.p99, 1),
      graphqlQueueRestP99Ms: round(l.graphqlQueue.rest.p99, 1),
      graphqlQueueP99RatioToRest: round(l.graphqlQueue.p99Ratio, 2),
      seedSeconds: round(l.seedSeconds, 1),
      redisUsedMemoryBytesPerParked: l.parked > 0 && l.seedSeconds > 0 ? round(l.usedMemoryDeltaBytes / (l.parked - (r.w3[r.w3.indexOf(l) - 1]?.parked ?? 0)), 2) : null,
    })),
    w3ParkedMax: w3Last?.parked ?? 0,
    w3RatioAtMax: w3Base && w3Last ? round(w3Last.w1.stepsPerSec / w3Base.w1.stepsPerSec, 3) : null,
    w3CpuPerStepRatioAtMax: w3Base && w3Last ? round(w3Last.cpuMicrosPerStep / w3Base.cpuMicrosPerStep, 3) : null,
    w3TaskQueueP99MsAtMax: w3Last ? round(w3Last.taskQueue.latency.p99, 1) : null,
    w3EngineParkedRedisBytesPerInstance: round(r.engineParked.prefixBytesPerInstance, 0),
    w3EngineParkedRedisKeysPerInstance: round(r.engineParked.prefixKeysPerInstance, 2),
    w4AllInOneStepsPerSec: round(r.allInOne.w1.stepsPerSec, 0),
    w4SplitStepsPerSec: round(r.split.w1.stepsPerSec, 0),
    w4SplitToAllInOne: round(r.split.w1.stepsPerSec / r.allInOne.w1.stepsPerSec, 3),
    w4SplitWorkerSlots: r.split.totalConcurrency,
    w4SplitPgCommitsPerStep: round(r.split.costs.pgCommitsPerStep, 3),
    w4SplitRedisRoundTripsPerStep: round(r.split.costs.redisCommandsPerStep, 2),
    w4SplitCpuMicrosPerStep: cpu(r.split),
    ...w6Json(r.w6),
    ...issue19Json(r),
    lostSteps: total.lostSteps,
    duplicateSteps: total.duplicateSteps,
    badTerminalStates: total.badTerminal,
    unfinishedInstances: total.running + total.missing,
    checkedInstances: total.instances,
    httpErrors: r.httpErrors,
    loadAvgBefore: r.loadBefore,
    loadAvgAfter: r.loadAfter,
    machine: `${r.machine.cpus} cpu, ${r.machine.memoryGiB} GiB, node ${r.machine.node}, pg ${r.machine.postgres}, redis ${r.machine.redis}`,
    fsync: r.machine.fsync,
    synchronousCommit: r.machine.synchronousCommit,
    pass: isClean(total),
  };
}

/** Each pair's W1 on the PostgreSQL queue backend over W1 on Redis, in the order they ran. */
const pairRatios = (r: BenchResults) => r.queuePairs.map((p) => p.postgres.stepsPerSec / p.redis.stepsPerSec);

/** The median of the pairs' ratios (the one ratio when there is one pair). */
function queueRatio(r: BenchResults): number {
  const sorted = pairRatios(r).sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** engine process + its Postgres backends + the queue's server (redis-server, or the queue login's backends), µs per step */
const allInCpu = (c: Record<string, number>) => Object.entries(c).reduce((sum, [name, us]) => (name === 'bench' ? sum : sum + us), 0);

/** W1 on BullMQ's PostgreSQL queue backend, and its ratio to W1 on Redis in the same run. */
function postgresQueueJson(r: BenchResults): Record<string, unknown> {
  const pq = r.postgresQueue;
  const c = pq.costs;
  return {
    w1PostgresQueueStepsPerSec: round(pq.w1.stepsPerSec, 0),
    w1PostgresQueueInstancesPerSec: round(pq.w1.instancesPerSec, 1),
    ratioW1PostgresQueueToRedis: round(queueRatio(r), 3),
    w1QueuePairs: r.queuePairs.map((p) => ({ redisStepsPerSec: round(p.redis.stepsPerSec, 0), postgresStepsPerSec: round(p.postgres.stepsPerSec, 0), ratio: round(p.postgres.stepsPerSec / p.redis.stepsPerSec, 3) })),
    cpuPerStepRatioPostgresQueueToRedis: round(allInCpu(c.cpuMicrosPerStep) / allInCpu(r.allInOne.costs.cpuMicrosPerStep), 3),
    w1PostgresQueueBacklogStartEnd: [pq.w1.backlogAtStart, pq.w1.backlogAtEnd],
    w1PostgresQueuePerSecondCv: round(pq.w1.perSecondCv, 3),
    w1PostgresQueuePgCommitsPerStep: round(c.pgCommitsPerStep, 3),
    w1PostgresQueuePgRowsInsertedPerStep: round(c.rowsInsertedPerStep, 2),
    w1PostgresQueuePgRowsUpdatedPerStep: round(c.rowsUpdatedPerStep, 2),
    w1PostgresQueueRowsWrittenPerStep: c.queueRowsWrittenPerStep === null ? null : round(c.queueRowsWrittenPerStep, 2),
    w1PostgresQueuePgRollbacks: c.pgRollbacks,
    w1PostgresQueueCpuMicrosPerStep: Object.fromEntries(Object.entries(c.cpuMicrosPerStep).map(([k, v]) => [k, round(v, 0)])),
  };
}

function postgresQueueSection(r: BenchResults): ReportSection {
  const pq = r.postgresQueue;
  const c = pq.costs;
  const ratio = queueRatio(r);
  const pairs = r.queuePairs.length;
  return {
    title: "W1 on the PostgreSQL queue backend (all-in-one, QUEUE_BACKEND=postgres: BullMQ's backend, in a database of its own)",
    rows: [
      { label: 'max throughput', value: fmt(pq.w1.stepsPerSec, 0, 'steps/s') },
      { label: '  instances/s', value: fmt(pq.w1.instancesPerSec, 1) },
      {
        label: pairs > 1 ? `  ratio to W1 on Redis (median of ${pairs} pairs)` : '  ratio to W1 on Redis (this run)',
        value: fmt(ratio, 3),
        target: '>= 0.5',
        verdict: verdict(ratio, (v) => v >= 0.5),
      },
      ...(pairs > 1 ? [{ label: '  each pair (PostgreSQL / Redis steps/s)', value: r.queuePairs.map((p) => `${fmt(p.postgres.stepsPerSec, 0)}/${fmt(p.redis.stepsPerSec, 0)}`).join(' ') }] : []),
      { label: '  CPU/step vs Redis (engine+pg+queue)', value: `${fmt(allInCpu(c.cpuMicrosPerStep), 0)} / ${fmt(allInCpu(r.allInOne.costs.cpuMicrosPerStep), 0)} µs (x${fmt(allInCpu(c.cpuMicrosPerStep) / allInCpu(r.allInOne.costs.cpuMicrosPerStep), 3)})` },
      { label: '  in flight (target / mean)', value: `${pq.w1.inflightTarget} / ${fmt(pq.w1.meanInflight, 1)}` },
      { label: '  queue backlog start / end', value: `${pq.w1.backlogAtStart} / ${pq.w1.backlogAtEnd}` },
      { label: '  per-second rate CV', value: fmt(pq.w1.perSecondCv, 3) },
      { label: 'pg commits / step (incl. queue, start tx)', value: fmt(c.pgCommitsPerStep, 3) },
      { label: 'pg rows ins. / upd. per step (incl. queue)', value: `${fmt(c.rowsInsertedPerStep, 2)} / ${fmt(c.rowsUpdatedPerStep, 2)}` },
      { label: 'queue rows written / step (bullmq schema)', value: fmt(c.queueRowsWrittenPerStep, 2) },
      { label: 'pg rollbacks (whole run)', value: String(c.pgRollbacks) },
      ...cpuRows(pq),
    ],
  };
}

/** Mean over before and after of each process group's CPU µs per step. */
function anchorCpuMicros(r: BenchResults, k: 'a1' | 'a2' | 'a3'): Record<string, number> {
  const a = r.anchorsBefore[k].cpuMicrosPerStep;
  const b = r.anchorsAfter[k].cpuMicrosPerStep;
  return Object.fromEntries(Object.keys(a).map((name) => [name, mean(a[name] ?? 0, b[name] ?? 0)]));
}

function anchorCpu(r: BenchResults, k: 'a1' | 'a2' | 'a3'): string {
  return `${Object.values(anchorCpuMicros(r, k)).map((v) => fmt(v, 0)).join(' / ')} µs`;
}

function cpuRows(t: TopologyRun): ReportRow[] {
  return Object.entries(t.costs.cpuMicrosPerStep).map(([name, us]) => ({
    label: `  CPU ${name}`,
    value: `${fmt(us, 0, 'µs/step')} (${fmt((t.costs.cpuSystemShare[name] ?? 0) * 100, 0)} % sys)`,
  }));
}

export function summaryTable(r: BenchResults, j: Record<string, unknown>): string {
  const num = (k: string) => j[k] as number | null;
  const m = r.machine;
  const header = [
    `Workflow engine benchmark (${r.options.quick ? 'quick' : 'full'}), ${new Date().toISOString()}, ${fmt(r.seconds, 0)} s`,
    `Machine: ${m.cpus} x ${m.cpuModel}, ${m.memoryGiB} GiB, node ${m.node}, PostgreSQL ${m.postgres}, Redis ${m.redis}`,
    `Durability: fsync=${m.fsync}, synchronous_commit=${m.synchronousCommit}, wal_sync_method=${m.walSyncMethod}, full_page_writes=${m.fullPageWrites}; shared_buffers=${m.sharedBuffers}`,
    `Engine: DB_POOL_SIZE=${r.engine.poolSize}, WORKER_CONCURRENCY=${r.engine.concurrency} per worker process, closed loops keep ${r.options.inflightPerSlot} instances in flight per worker slot`,
    `Load average (1 min): ${r.loadBefore} before, ${r.loadAfter} after (other work on this machine makes the figures noisy)`,
  ];
  const anchor = (label: string, k: 'a1' | 'a2' | 'a3', unit: string): ReportRow => ({
    label,
    value: `${fmt(r.anchorsBefore[k].perSecond, 0)} / ${fmt(r.anchorsAfter[k].perSecond, 0)} -> ${fmt(mean(r.anchorsBefore[k].perSecond, r.anchorsAfter[k].perSecond), 0)}`,
    target: unit,
  });
  const w1 = r.allInOne.w1;
  const c = r.allInOne.costs;
  const sections: ReportSection[] = [
    {
      title: 'Anchors (before / after -> mean)',
      rows: [
        anchor('A1 raw BullMQ chained steps', 'a1', 'steps/s'),
        anchor('A2 BullMQ + one pg tx per step (per-step ceiling)', 'a2', 'steps/s'),
        anchor('A3 pg single-row commits', 'a3', 'commits/s'),
        { label: '  A1 CPU / step (bench, redis)', value: anchorCpu(r, 'a1') },
        { label: '  A2 CPU / step (bench, pg, redis)', value: anchorCpu(r, 'a2') },
        { label: '  A3 CPU / commit (bench, pg)', value: anchorCpu(r, 'a3') },
      ],
    },
    {
      title: 'W1 straight-through, all-in-one (start -> 5 set_context -> end)',
      rows: [
        { label: 'max throughput', value: `${fmt(w1.instancesPerSec, 1)} inst/s (${fmt(w1.stepsPerSec, 0)} steps/s)` },
        { label: '  ratio to A4 floor (instances/s)', value: fmt(num('ratioW1toA4'), 3), target: '>= 0.6', verdict: verdict(num('ratioW1toA4'), (v) => v >= 0.6) },
        { label: '  ratio to A2 per-step ceiling (steps/s)', value: fmt(num('ratioW1toA2'), 3) },
        { label: '  ratio to A1', value: fmt(num('ratioW1toA1'), 3) },
        {
          label: `  on the PostgreSQL queue${r.queuePairs.length > 1 ? ` (median of ${r.queuePairs.length})` : ''}`,
          value: `${fmt(r.postgresQueue.w1.stepsPerSec, 0)} steps/s, ${fmt(r.postgresQueue.w1.instancesPerSec, 1)} inst/s, x${fmt(num('ratioW1PostgresQueueToRedis'), 3)}`,
          target: '>= 0.5x',
          verdict: verdict(num('ratioW1PostgresQueueToRedis'), (v) => v >= 0.5),
        },
        { label: '  in flight (target / mean)', value: `${w1.inflightTarget} / ${fmt(w1.meanInflight, 1)}` },
        { label: '  queue backlog start / end', value: `${w1.backlogAtStart} / ${w1.backlogAtEnd}` },
        { label: '  per-second rate CV', value: fmt(w1.perSecondCv, 3) },
        { label: `open loop at ${fmt(r.openLoop.ratePerSecond, 1)} inst/s: p50`, value: fmt(r.openLoop.latency.p50, 1, 'ms') },
        { label: '  p99 (intended send -> completed_at)', value: fmt(r.openLoop.latency.p99, 1, 'ms'), target: '<= 150 ms', verdict: verdict(r.openLoop.latency.p99, (v) => v <= 150) },
        { label: '  intake p50 / p99 (send -> started_at)', value: `${fmt(r.openLoop.intake.p50, 1)} / ${fmt(r.openLoop.intake.p99, 1)} ms` },
        { label: '  step hand-off p50 / p99', value: `${fmt(r.openLoop.stepHandoff.p50, 1)} / ${fmt(r.openLoop.stepHandoff.p99, 1)} ms` },
        { label: '  late sends (bench > 5 ms behind)', value: String(r.openLoop.lateSends) },
      ],
    },
    {
      title: 'Per W1 step (all-in-one, whole engine life: warm-up + window + drain)',
      rows: [
        { label: 'pg commits / step (incl. start tx)', value: fmt(c.pgCommitsPerStep, 3) },
        { label: 'pg commits / automatic step (~0.01 background)', value: fmt(c.pgCommitsPerAutomaticStep, 3), target: '<= 1', verdict: verdict(c.pgCommitsPerAutomaticStep, (v) => v <= 1.02) },
        { label: 'pg rows inserted / updated per step', value: `${fmt(c.rowsInsertedPerStep, 2)} / ${fmt(c.rowsUpdatedPerStep, 2)}` },
        { label: 'pg rollbacks (whole run)', value: String(c.pgRollbacks) },
        {
          label: 'pg HOT updates (instances / nodes)',
          value: `${fmt((c.hotUpdateShare['workflow_instances'] ?? 0) * 100, 0)} % / ${fmt((c.hotUpdateShare['workflow_instance_nodes'] ?? 0) * 100, 0)} %`,
        },
        { label: 'redis commands / step (all clients)', value: fmt(c.redisCommandsPerStep, 2) },
        { label: 'redis script calls / step', value: fmt(c.redisScriptCallsPerStep, 2) },
        { label: '  top commands', value: c.redisTopCommands.slice(0, 4).map((t) => `${t.command} ${fmt(t.calls / Math.max(1, c.steps), 2)}`).join(', ') },
        ...cpuRows(r.allInOne),
      ],
    },
    postgresQueueSection(r),
    issue19Section(r),
    {
      title: `W2 approvals at ${r.w2.ratePerSecond}/s (${r.w2.samples} samples)`,
      rows: [
        { label: 'approve -> next task visible p50', value: fmt(r.w2.visible.p50, 1, 'ms') },
        { label: '  p99', value: fmt(r.w2.visible.p99, 1, 'ms'), target: '<= 50 ms', verdict: verdict(r.w2.visible.p99, (v) => v <= 50) },
        { label: '  approve call p50 / p99', value: `${fmt(r.w2.approveCall.p50, 1)} / ${fmt(r.w2.approveCall.p99, 1)} ms` },
        { label: '  poll round trip p50', value: fmt(r.w2.poll.p50, 1, 'ms') },
        { label: '  never seen', value: String(r.w2.unseen) },
      ],
    },
    {
      title: `W5 quorum votes, 3 of 5 (${r.w5.samples} decisions at ${r.w5.ratePerSecond}/s, beside W2; closed loops of ${r.w5.lanes * 3} votes in flight)`,
      rows: [
        { label: 'deciding vote -> next task visible p50', value: `${fmt(r.w5.visible.p50, 1)} ms (W2 approve: ${fmt(r.w2.visible.p50, 1)} ms)` },
        { label: '  p99', value: `${fmt(r.w5.visible.p99, 1)} ms (W2 approve: ${fmt(r.w2.visible.p99, 1)} ms, x${fmt(r.w5.visible.p99 / r.w2.visible.p99, 2)})` },
        { label: '  vote call p50 / p99 (all / deciding)', value: `${fmt(r.w5.voteCall.p50, 1)} / ${fmt(r.w5.voteCall.p99, 1)} ms, ${fmt(r.w5.decidingCall.p50, 1)} / ${fmt(r.w5.decidingCall.p99, 1)} ms` },
        { label: '  votes/s during it (3 per decision)', value: fmt(r.w5.openLoopVotesPerSecond, 1) },
        { label: '  decided by another than the 3rd sent', value: String(r.w5.reordered) },
        { label: '  never seen', value: String(r.w5.unseen) },
        { label: `closed loop: votes/s, ${r.w5.lanes} tasks x 3 votes at once`, value: `${fmt(r.w5.together.votesPerSecond, 0)} votes/s (${fmt(r.w5.together.decisionsPerSecond, 1)} decisions/s, ${r.w5.together.votes} votes in ${fmt(r.w5.together.seconds, 1)} s)` },
        { label: `  ${r.w5.lanes * 3} tasks, their votes in turn`, value: `${fmt(r.w5.inTurn.votesPerSecond, 0)} votes/s (${fmt(r.w5.inTurn.decisionsPerSecond, 1)} decisions/s, ${r.w5.inTurn.votes} votes in ${fmt(r.w5.inTurn.seconds, 1)} s)` },
      ],
    },
    {
      title: 'W3 growth (parked at approvals, seeded with SQL)',
      rows: r.w3.flatMap((l, i) => {
        const base = r.w3[0];
        const ratio = base ? l.w1.stepsPerSec / base.w1.stepsPerSec : Number.NaN;
        const isLast = i === r.w3.length - 1 && i > 0;
        return [
          {
            label: `${l.parked.toLocaleString('en-US')} parked: W1`,
            value: `${fmt(l.w1.stepsPerSec, 0)} steps/s (x${fmt(ratio, 3)})`,
            ...(isLast ? { target: '>= 0.9x', verdict: verdict(ratio, (v) => v >= 0.9) } : {}),
          },
          {
            label: '  engine + pg CPU per step',
            value: `${fmt(l.cpuMicrosPerStep, 0)} µs (x${fmt(base ? l.cpuMicrosPerStep / base.cpuMicrosPerStep : Number.NaN, 3)})`,
          },
          {
            label: '  task queue p50 / p99',
            value: `${fmt(l.taskQueue.latency.p50, 1)} / ${fmt(l.taskQueue.latency.p99, 1)} ms (n=${l.taskQueue.latency.n}, ${l.taskQueue.items} items)`,
            target: '<= 30 ms',
            verdict: verdict(l.taskQueue.latency.p99, (v) => v <= 30),
          },
          {
            label: '  GraphQL myPendingTasks p99 / REST p99',
            value: `${fmt(l.graphqlQueue.graphql.p99, 1)} / ${fmt(l.graphqlQueue.rest.p99, 1)} ms (x${fmt(l.graphqlQueue.p99Ratio, 2)}, same run, alternating; ${l.graphqlQueue.graphqlItems} items)`,
            ...(isLast ? { target: '<= 1.5x', verdict: verdict(l.graphqlQueue.p99Ratio, (v) => v <= 1.5) } : {}),
          },
        ];
      }),
    },
    {
      title: 'W3 Redis memory per parked instance',
      rows: [
        ...r.w3.filter((l) => l.seedSeconds > 0).map((l) => ({ label: `SQL-seeded up to ${l.parked.toLocaleString('en-US')}: used_memory delta`, value: fmt(l.usedMemoryDeltaBytes, 0, 'bytes total') })),
        {
          label: `parked through the engine (${r.engineParked.parked})`,
          value: `${fmt(r.engineParked.prefixBytesPerInstance, 0)} bytes, ${fmt(r.engineParked.prefixKeysPerInstance, 2)} keys`,
          target: '~0',
          verdict: verdict(r.engineParked.prefixBytesPerInstance, (v) => v < 16),
        },
        { label: '  used_memory delta / instance', value: fmt(r.engineParked.usedMemoryBytesPerInstance, 0, 'bytes') },
      ],
    },
    w6Section(r.w6),
    {
      title: 'W4 topology (W1 max throughput)',
      rows: [
        { label: `all-in-one (${r.allInOne.totalConcurrency} worker slots)`, value: fmt(r.allInOne.w1.stepsPerSec, 0, 'steps/s') },
        { label: `api + 2 workers + scheduler (${r.split.totalConcurrency} slots)`, value: fmt(r.split.w1.stepsPerSec, 0, 'steps/s') },
        { label: '  split / all-in-one', value: fmt(r.split.w1.stepsPerSec / r.allInOne.w1.stepsPerSec, 3) },
        { label: '  pg commits / step', value: fmt(r.split.costs.pgCommitsPerStep, 3) },
        { label: '  redis commands / step', value: fmt(r.split.costs.redisCommandsPerStep, 2) },
        ...cpuRows(r.split),
      ],
    },
    {
      title: 'Correctness (every workload)',
      rows: [
        ...Object.entries(r.correctness).map(([k, v]) => ({
          label: k,
          value: `${v.completed}/${v.instances} ok, lost ${v.lostSteps}, dup ${v.duplicateSteps}`,
          verdict: isClean(v) ? ('ok' as const) : ('MISS' as const),
        })),
        { label: 'HTTP errors', value: String(r.httpErrors) },
      ],
    },
  ];
  return renderReport(header, sections);
}

const sumCpu = (c: Record<string, number>) => Object.values(c).reduce((a, b) => a + b, 0);

/** W1's engine + Postgres + Redis CPU per step from its accounting (the bench process left out). */
const w1CpuPerStep = (r: BenchResults) => allInCpu(r.allInOne.costs.cpuMicrosPerStep);

/** Issue 19: A4 (the fair floor for W1) and W7 (three http_call steps), with their ratios in this run. */
function issue19Json(r: BenchResults): Record<string, unknown> {
  const w1 = r.allInOne.w1;
  const a4 = r.a4.loop;
  const w7 = r.w7;
  return {
    a4InstancesPerSec: round(a4.instancesPerSec, 1),
    a4StepsPerSec: round(a4.stepsPerSec, 0),
    a4CpuMicrosPerInstance: roundAll(r.a4.cpuMicrosPerInstance),
    ratioW1toA4: round(w1.instancesPerSec / a4.instancesPerSec, 3),
    w7InstancesPerSec: round(w7.loop.instancesPerSec, 1),
    w7StepsPerSec: round(w7.loop.stepsPerSec, 0),
    w7CpuMicrosPerIoStep: round(sumCpu(w7.cpuMicrosPerStep), 0),
    w7CpuMicrosPerIoStepBy: roundAll(w7.cpuMicrosPerStep),
    w7HandoffP50Ms: round(w7.handoff.p50, 2),
    w7HandoffP99Ms: round(w7.handoff.p99, 2),
    w7FirstClaimP50Ms: round(w7.firstClaim.p50, 2),
    w7StepRunP50Ms: round(w7.stepRun.p50, 2),
    w7StepRunP99Ms: round(w7.stepRun.p99, 2),
    ratioW7toW1: round(w7.loop.instancesPerSec / w1.instancesPerSec, 3),
  };
}

function issue19Section(r: BenchResults): ReportSection {
  const w1 = r.allInOne.w1;
  const a4 = r.a4.loop;
  const w7 = r.w7;
  const ratioA4 = w1.instancesPerSec / a4.instancesPerSec;
  const ratioW7 = w7.loop.instancesPerSec / w1.instancesPerSec;
  const w7Cpu = sumCpu(w7.cpuMicrosPerStep);
  const a4Cpu = r.a4.cpuMicrosPerInstance;
  return {
    title: `A4 floor and W7 http_call (issue 19; ${a4.inflightTarget} / ${w7.loop.inflightTarget} in flight, like W1)`,
    rows: [
      { label: 'A4 floor: HTTP start tx + 1 job + 1 tx', value: `${fmt(a4.instancesPerSec, 1)} inst/s (${fmt(a4.stepsPerSec, 0)} steps/s)` },
      { label: '  CPU / instance (a4, pg, redis)', value: `${Object.values(a4Cpu).map((v) => fmt(v, 0)).join(' / ')} µs` },
      { label: '  in flight (target / mean), CV', value: `${a4.inflightTarget} / ${fmt(a4.meanInflight, 1)}, ${fmt(a4.perSecondCv, 3)}` },
      { label: 'W1 / A4 (instances/s, this run)', value: `${fmt(ratioA4, 3)} (${fmt(w1.instancesPerSec, 1)} / ${fmt(a4.instancesPerSec, 1)})`, target: '>= 0.6x', verdict: verdict(ratioA4, (v) => v >= 0.6) },
      { label: 'W7 3 x http_call', value: `${fmt(w7.loop.instancesPerSec, 1)} inst/s (${fmt(w7.loop.stepsPerSec, 0)} steps/s)` },
      { label: '  W7 / W1 (instances/s, this run)', value: fmt(ratioW7, 3), target: '>= 0.8x', verdict: verdict(ratioW7, (v) => v >= 0.8) },
      {
        label: '  CPU / http_call step (engine+pg+redis)',
        value: `${fmt(w7Cpu / 1000, 2)} ms (${Object.values(w7.cpuMicrosPerStep).map((v) => fmt(v, 0)).join(' / ')} µs; W1 ${fmt(w1CpuPerStep(r), 0)} µs/step)`,
        target: '<= 1.5 ms',
        verdict: verdict(w7Cpu, (v) => v <= 1500),
      },
      { label: '  hand-off step -> next step p50 / p99', value: `${fmt(w7.handoff.p50, 2)} / ${fmt(w7.handoff.p99, 2)} ms (n=${w7.handoff.n})` },
      { label: '  first step ready -> started p50 / p99', value: `${fmt(w7.firstClaim.p50, 2)} / ${fmt(w7.firstClaim.p99, 2)} ms` },
      { label: '  step started -> completed p50 / p99', value: `${fmt(w7.stepRun.p50, 2)} / ${fmt(w7.stepRun.p99, 2)} ms` },
      { label: '  calls answered / steps started', value: `${w7.calls} / ${w7.loop.ids.length * 3}` },
      { label: '  in flight (target / mean), CV', value: `${w7.loop.inflightTarget} / ${fmt(w7.loop.meanInflight, 1)}, ${fmt(w7.loop.perSecondCv, 3)}` },
    ],
  };
}
