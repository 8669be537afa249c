/**
 * One benchmark run, in this order:
 * 1. anchors A1-A3 (engine stopped);
 * 2. all-in-one engine #1: W1 closed loop (maximum throughput) with the per-step accounting,
 *    which stops the engine to read Postgres' counters;
 * 3. all-in-one engine #2: W1 open loop at 50 % of that maximum, W2, W3 (growth);
 * 4. split engine (api + 2 workers + scheduler): W1 closed loop with its accounting (W4);
 * 5. anchors again.
 * Every workload's instances are checked for lost and doubled steps.
 */

import path from 'node:path';
import type { AnchorResult } from './anchors';
import { runA1, runA2, runA3 } from './anchors';
import type { BenchOptions } from './bench-options';
import { ProbeDb, REDIS_URL, type BenchResources } from './bench-resources';
import { BenchSession, newIdentity, waitForWorkers, W1_NODE_IDS, W1_STEPS, type Definitions } from './bench-session';
import { checkInstances, mergeCorrectness, NO_PROBLEMS, type Correctness } from './correctness';
import { startEngine, type EngineCluster, type EngineSettings, type Topology } from './engine-cluster';
import { describeMachine, loadAverage, type MachineInfo } from './machine';
import { CpuMeter, engineBackendPids, readRedisCounters, waitQuiet } from './resource-meters';
import { StepAccounting, type StepCosts } from './step-accounting';
import { runClosedLoop, runOpenLoop, type ClosedLoopResult, type OpenLoopResult } from './workloads/w1-straight-through';
import { runApprovals, type W2Result } from './workloads/w2-approvals';
import { engineParkedMemory, seedParked, taskQueueLatency, type EngineParkedMemory, type TaskQueueResult } from './workloads/w3-growth';

interface AnchorSet {
  readonly a1: AnchorResult;
  readonly a2: AnchorResult & { historyRows: number };
  readonly a3: AnchorResult;
}

interface W3Level {
  readonly parked: number;
  readonly seedSeconds: number;
  /** INFO used_memory delta over the SQL seeding (nothing of it goes to Redis) */
  readonly usedMemoryDeltaBytes: number;
  readonly w1: ClosedLoopResult;
  /** CPU µs per W1 step of the engine process and its Postgres backends: unlike steps/s, barely moved by other load on the machine */
  readonly cpuMicrosPerStep: number;
  readonly taskQueue: TaskQueueResult;
}

export interface TopologyRun {
  readonly topology: Topology;
  readonly processes: number;
  readonly totalConcurrency: number;
  readonly w1: ClosedLoopResult;
  readonly costs: StepCosts;
}

export interface BenchResults {
  readonly options: BenchOptions;
  readonly machine: MachineInfo;
  readonly engine: EngineSettings;
  readonly loadBefore: number;
  readonly loadAfter: number;
  readonly anchorsBefore: AnchorSet;
  readonly anchorsAfter: AnchorSet;
  readonly allInOne: TopologyRun;
  readonly openLoop: OpenLoopResult;
  readonly w2: W2Result;
  readonly w3: readonly W3Level[];
  readonly engineParked: EngineParkedMemory;
  readonly split: TopologyRun;
  /** per workload */
  readonly correctness: Readonly<Record<string, Correctness>>;
  readonly correctnessTotal: Correctness;
  readonly httpErrors: number;
  readonly seconds: number;
}

export function progress(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

async function runAnchors(o: BenchOptions, res: BenchResources, label: string): Promise<AnchorSet> {
  const chains = o.inflightPerSlot * o.concurrency;
  const redisPid = (await readRedisCounters(res.redis)).pid;
  const backends = async (app: string) =>
    (await res.admin.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name = $2`, [res.dbName, app])).rows.map((r) => r.pid);
  const base = { redisUrl: REDIS_URL, concurrency: o.concurrency, chains, chainSteps: o.chainSteps, warmupSeconds: o.anchors.warmupSeconds };
  progress(`anchors (${label}): A1 raw BullMQ`);
  const a1 = await runA1({ ...base, prefix: `${res.prefix}a1`, seconds: o.anchors.a1Seconds }, res.redis, async () => ({ 'redis-server': [redisPid] }));
  progress(`anchors (${label}): A2 BullMQ + pg transaction`);
  const a2 = await runA2({ ...base, prefix: `${res.prefix}a2`, seconds: o.anchors.a2Seconds, dbUrl: res.dbUrl, poolSize: o.poolSize }, res.redis, async () => ({
    'postgres-backends': await backends('wf-bench-a2'),
    'redis-server': [redisPid],
  }));
  progress(`anchors (${label}): A3 pg commits`);
  const a3 = await runA3({ dbUrl: res.dbUrl, poolSize: o.poolSize, warmupSeconds: o.anchors.warmupSeconds, seconds: o.anchors.a3Seconds }, async () => ({
    'postgres-backends': await backends('wf-bench-a3'),
  }));
  progress(`anchors (${label}): A1 ${a1.perSecond.toFixed(0)} steps/s, A2 ${a2.perSecond.toFixed(0)} steps/s, A3 ${a3.perSecond.toFixed(0)} commits/s`);
  return { a1, a2, a3 };
}

/** Engine processes currently running, so a signal handler can stop them. */
export const liveClusters = new Set<EngineCluster>();

async function start(topology: Topology, settings: EngineSettings): Promise<EngineCluster> {
  progress(`starting the engine (${topology})`);
  const cluster = await startEngine(topology, settings);
  liveClusters.add(cluster);
  return cluster;
}

async function stop(cluster: EngineCluster): Promise<void> {
  await cluster.stop();
  liveClusters.delete(cluster);
}

export async function runBench(o: BenchOptions, res: BenchResources): Promise<BenchResults> {
  const began = performance.now();
  const identity = newIdentity();
  const engine: EngineSettings = {
    databaseUrl: res.dbUrl,
    redisUrl: REDIS_URL,
    queuePrefix: res.prefix,
    jwtSecret: identity.jwtSecret,
    poolSize: o.poolSize,
    concurrency: o.concurrency,
    ...(o.profileDir ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${path.resolve(o.profileDir)}`] } : {}),
  };
  const probe = new ProbeDb(res.dbUrl);
  const correctness: Record<string, Correctness> = {};
  let httpErrors = 0;
  const machine = await describeMachine(res.admin, res.redis);
  const loadBefore = loadAverage();

  try {
    const anchorsBefore = await runAnchors(o, res, 'before');

    // --- all-in-one #1: maximum throughput and what a step costs
    let cluster = await start('all-in-one', engine);
    let session = new BenchSession(cluster, identity);
    const defs: Definitions = await session.createDefinitions();
    const closedLoop = async (s: BenchSession, seconds: number, warmupSeconds: number) =>
      runClosedLoop(s, probe, res.redis, res.prefix, {
        definitionId: defs.w1,
        inflight: o.inflightPerSlot * s.cluster.totalConcurrency,
        warmupSeconds,
        seconds,
        drainTimeoutSeconds: o.drainTimeoutSeconds,
      });
    const measureTopology = async (s: BenchSession, workers: number, key: string): Promise<TopologyRun> => {
      await waitForWorkers(res.redis, res.prefix, workers, 60_000, s.cluster);
      await waitQuiet(s.cluster.pids);
      const accounting = await StepAccounting.begin(res.admin, res.dbName, res.redis, probe, s.cluster);
      progress(`W1 closed loop (${s.cluster.topology}, ${o.inflightPerSlot * s.cluster.totalConcurrency} in flight, ${o.w1.seconds} s)`);
      const w1 = await closedLoop(s, o.w1.seconds, o.w1.warmupSeconds);
      correctness[key] = await checkInstances(probe, w1.ids, W1_NODE_IDS, W1_STEPS);
      httpErrors += w1.startErrors;
      const costs = await accounting.end(res.admin, res.dbName, res.redis, probe, s.cluster, { steps: w1.ids.length * W1_STEPS, starts: w1.ids.length });
      liveClusters.delete(s.cluster);
      progress(`W1 ${s.cluster.topology}: ${w1.stepsPerSec.toFixed(0)} steps/s, ${costs.pgCommitsPerStep.toFixed(2)} commits/step`);
      return { topology: s.cluster.topology, processes: s.cluster.processes.length, totalConcurrency: s.cluster.totalConcurrency, w1, costs };
    };
    const allInOne = await measureTopology(session, 1, 'w1-closed-all-in-one');
    session.close();

    // --- all-in-one #2: latency, approvals, growth
    cluster = await start('all-in-one', engine);
    session = new BenchSession(cluster, identity);
    await waitForWorkers(res.redis, res.prefix, 1, 60_000, cluster);
    await waitQuiet(cluster.pids);
    const rate = Math.max(1, allInOne.w1.instancesPerSec * 0.5);
    progress(`W1 open loop at ${rate.toFixed(1)} instances/s (${o.w1.warmupSeconds} s warm-up, ${o.w1.openLoopSeconds} s measured)`);
    const openLoopOptions = { definitionId: defs.w1, ratePerSecond: rate, drainTimeoutSeconds: o.drainTimeoutSeconds };
    // a fresh process runs its first requests unoptimised: warm it at the same rate, unmeasured
    const openWarmup = await runOpenLoop(session, probe, { ...openLoopOptions, seconds: o.w1.warmupSeconds });
    const openLoop = await runOpenLoop(session, probe, { ...openLoopOptions, seconds: o.w1.openLoopSeconds });
    correctness['w1-open'] = await checkInstances(probe, [...openWarmup.ids, ...openLoop.ids], W1_NODE_IDS, W1_STEPS);
    httpErrors += openWarmup.startErrors + openLoop.startErrors;

    progress(`W2 approvals at ${o.w2.ratePerSecond}/s (${o.w2.seconds} s)`);
    const w2 = await runApprovals(session, probe, { definitionId: defs.w2, ratePerSecond: o.w2.ratePerSecond, seconds: o.w2.seconds, drainTimeoutSeconds: o.drainTimeoutSeconds });
    correctness['w2'] = await checkInstances(probe, w2.ids, ['approve_1', 'approve_2'], 2);
    httpErrors += w2.errors;

    const w3: W3Level[] = [];
    let parked = 0;
    for (const level of o.w3.parkedLevels) {
      let seedSeconds = 0;
      let usedMemoryDeltaBytes = 0;
      if (level > parked) {
        progress(`W3 seeding ${(level - parked).toLocaleString('en-US')} parked instances`);
        const before = (await readRedisCounters(res.redis)).usedMemory;
        seedSeconds = await seedParked(probe, identity.tenantId, defs.parked, level - parked);
        usedMemoryDeltaBytes = (await readRedisCounters(res.redis)).usedMemory - before;
        parked = level;
      }
      progress(`W3 at ${level.toLocaleString('en-US')} parked: task queue, then W1 (${o.w3.w1Seconds} s)`);
      const taskQueue = await taskQueueLatency(session, o.w3.taskQueryCount, o.w3.taskQuerySeconds);
      httpErrors += taskQueue.errors;
      // every level's W1 starts just after a checkpoint: the full-page images written after one
      // (and seeding writes enough WAL to bring one on) then weigh on each level alike, not on
      // whichever level a checkpoint happens to land in
      await res.admin.query('CHECKPOINT');
      const backends0 = await engineBackendPids(res.admin, res.dbName);
      const cpu = new CpuMeter([...cluster.pids, ...backends0]);
      const w1 = await closedLoop(session, o.w3.w1Seconds, 1);
      const backends = [...new Set([...backends0, ...(await engineBackendPids(res.admin, res.dbName))])];
      const cpuMicrosPerStep = cpu.used([...cluster.pids, ...backends]) / Math.max(1, w1.ids.length * W1_STEPS);
      correctness[`w3-${level}`] = await checkInstances(probe, w1.ids, W1_NODE_IDS, W1_STEPS);
      httpErrors += w1.startErrors;
      w3.push({ parked: level, seedSeconds, usedMemoryDeltaBytes, w1, cpuMicrosPerStep, taskQueue });
    }
    progress(`W3 parking ${o.w3.engineParked} instances through the engine (Redis memory)`);
    const { ids: parkedIds, ...engineParked } = await engineParkedMemory(session, probe, res.redis, res.prefix, defs.parked, o.w3.engineParked, o.drainTimeoutSeconds);
    correctness['w3-engine-parked'] = await checkParked(probe, parkedIds);
    session.close();
    await stop(cluster);

    // --- W4: the split topology
    cluster = await start('split', engine);
    session = new BenchSession(cluster, identity);
    const split = await measureTopology(session, 2, 'w1-closed-split');
    session.close();

    const anchorsAfter = await runAnchors(o, res, 'after');
    const correctnessTotal = Object.values(correctness).reduce(mergeCorrectness, NO_PROBLEMS);
    return {
      options: o,
      machine,
      engine,
      loadBefore,
      loadAfter: loadAverage(),
      anchorsBefore,
      anchorsAfter,
      allInOne,
      openLoop,
      w2,
      w3,
      engineParked,
      split,
      correctness,
      correctnessTotal,
      httpErrors,
      seconds: (performance.now() - began) / 1000,
    };
  } finally {
    for (const c of liveClusters) await stop(c);
    await probe.end();
  }
}

/** Parked instances: each has exactly one execution, waiting at its approval, and is running. */
async function checkParked(probe: ProbeDb, ids: readonly string[]): Promise<Correctness> {
  if (ids.length === 0) return NO_PROBLEMS;
  const r = await probe.query<{ n: string; ok: string; dup: string; missing: string }>(
    `WITH ids AS (SELECT DISTINCT unnest($1::uuid[]) AS id),
     per AS (SELECT ids.id, i.status, count(n.id) AS execs, count(n.id) FILTER (WHERE n.status = 'waiting') AS waiting
             FROM ids LEFT JOIN workflow_instances i ON i.id = ids.id LEFT JOIN workflow_instance_nodes n ON n.instance_id = ids.id
             GROUP BY ids.id, i.status)
     SELECT count(*) AS n, count(*) FILTER (WHERE status = 'running' AND execs = 1 AND waiting = 1) AS ok,
       coalesce(sum(greatest(execs - 1, 0)), 0) AS dup, count(*) FILTER (WHERE status IS NULL OR waiting = 0) AS missing
     FROM per`,
    [ids],
  );
  const row = r.rows[0];
  const n = Number(row?.n ?? 0);
  // a parked instance is "complete" for this check when it sits at its task exactly once
  return { instances: n, completed: Number(row?.ok ?? 0), running: 0, missing: Number(row?.missing ?? 0), lostSteps: Number(row?.missing ?? 0), duplicateSteps: Number(row?.dup ?? 0), badTerminal: 0 };
}
