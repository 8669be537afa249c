/**
 * One benchmark run, in this order:
 * 1. anchors A1-A3 (engine stopped);
 * 2. all-in-one engine #1: W1 closed loop (maximum throughput) with the per-step accounting,
 *    which stops the engine to read Postgres' counters;
 * 2b. all-in-one engine on BullMQ's PostgreSQL queue backend (QUEUE_BACKEND=postgres): the same
 *    W1 closed loop and accounting, reported as a ratio to #1; with `--queue-pairs N`, N-1 more
 *    pairs of W1 closed loops (Redis, PostgreSQL, each on a fresh engine, the order alternating)
 *    and the median of the pairs' ratios;
 * 3. all-in-one engine #2: W1 open loop at 50 % of that maximum, W2, W5 (quorum votes), W3 (growth);
 * 4. split engine (api + 2 workers + scheduler): W1 closed loop with its accounting (W4);
 * 5. anchors again.
 * Issue 19: A4 (the fair floor for W1, its own process) runs after the first anchors, at W1's
 * in-flight count; W7 (three http_call steps against a server in this process) runs on engine #2
 * right after the open loop, as a closed loop like W1.
 * Every workload's instances are checked for lost and doubled steps.
 */

import path from 'node:path';
import type { AnchorResult } from './anchors';
import { runA1, runA2, runA3 } from './anchors';
import type { BenchOptions } from './bench-options';
import { ProbeDb, REDIS_URL, type BenchResources } from './bench-resources';
import { BenchSession, newIdentity, openNodeQueueProbe, waitForWorkers, W1_NODE_IDS, W1_STEPS, type Definitions, type NodeQueueProbe, type NodeQueueTarget } from './bench-session';
import { checkInstances, mergeCorrectness, NO_PROBLEMS, type Correctness } from './correctness';
import { startEngine, type EngineCluster, type EngineSettings, type Topology } from './engine-cluster';
import { describeMachine, loadAverage, type MachineInfo } from './machine';
import { CpuMeter, engineBackendPids, readRedisCounters, waitQuiet } from './resource-meters';
import { StepAccounting, type StepCosts } from './step-accounting';
import { runClosedLoop, runOpenLoop, type ClosedLoopResult, type OpenLoopResult } from './workloads/w1-straight-through';
import { runApprovals, type W2Result } from './workloads/w2-approvals';
import { runQuorumVotes, W5_NODE_IDS, type W5Result } from './workloads/w5-quorum-votes';
import { engineParkedMemory, seedParked, taskQueueLatency, type EngineParkedMemory, type TaskQueueResult } from './workloads/w3-growth';
import { graphqlTaskQueueLatency, type GraphqlQueueResult } from './workloads/graphql-queue';
import { runA4, type A4Result } from './workloads/a4-floor';
import { runHttpCalls, startEchoServer, w7Definition, W7_NODE_IDS, W7_STEPS, type W7Result } from './workloads/w7-http-calls';
import { signToken } from '@wf/runtime';
import { checkParkedWaits, runParkedWaits, W6_NODE_IDS, W6_STEPS, type W6Result } from './workloads/w6-parked-waits';

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
  /** GraphQL myPendingTasks beside the REST task queue, measured alternately at this level */
  readonly graphqlQueue: GraphqlQueueResult;
}

export interface TopologyRun {
  readonly topology: Topology;
  readonly processes: number;
  readonly totalConcurrency: number;
  readonly w1: ClosedLoopResult;
  readonly costs: StepCosts;
}

/** Where a W1 closed loop runs: its queue, its database (and the bench's probe of it), its definition. */
interface W1Place {
  readonly queue: NodeQueueTarget;
  readonly probe: ProbeDb;
  readonly dbName: string;
  readonly definitionId: string;
}

interface QueuePair {
  readonly redis: ClosedLoopResult;
  readonly postgres: ClosedLoopResult;
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
  /** the all-in-one W1 again, with the queues on BullMQ's PostgreSQL backend (compare with allInOne) */
  readonly postgresQueue: TopologyRun;
  /** W1 closed loops on either queue backend, pair by pair; the first pair is allInOne and postgresQueue */
  readonly queuePairs: readonly QueuePair[];
  readonly openLoop: OpenLoopResult;
  readonly w2: W2Result;
  /** a 3-of-5 quorum, right after W2 on the same engine */
  readonly w5: W5Result;
  readonly w6: W6Result;
  /** issue 19: the fair floor for W1 (same offered load, same two transactions) */
  readonly a4: A4Result;
  /** issue 19: three http_call steps, a closed loop like W1, on engine #2 */
  readonly w7: W7Result;
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
  progress(`starting the engine (${topology}${settings.queueBackend === 'postgres' ? ', queues on PostgreSQL' : ''})`);
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
  const echo = await startEchoServer();
  const engine: EngineSettings = {
    httpCallAllowedHosts: [`${echo.host}:${echo.port}`],
    databaseUrl: res.dbUrl,
    redisUrl: REDIS_URL,
    queuePrefix: res.prefix,
    jwtSecret: identity.jwtSecret,
    poolSize: o.poolSize,
    concurrency: o.concurrency,
    ...(o.profileDir ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${path.resolve(o.profileDir)}`] } : {}),
  };
  const probe = new ProbeDb(res.dbUrl);
  const queueProbe = new ProbeDb(res.queueDbUrl);
  const correctness: Record<string, Correctness> = {};
  let httpErrors = 0;
  const machine = await describeMachine(res.admin, res.redis);
  const loadBefore = loadAverage();

  try {
    const anchorsBefore = await runAnchors(o, res, 'before');

    // --- A4: the fair floor for W1, at W1's in-flight count (all-in-one: one worker process)
    progress(`A4 floor (Express + JWT start tx, one BullMQ job + one tx), ${o.inflightPerSlot * o.concurrency} in flight, ${o.w1.seconds} s`);
    const a4 = await runA4(
      {
        dbUrl: res.dbUrl,
        dbName: res.dbName,
        redisUrl: REDIS_URL,
        prefix: `${res.prefix}a4`,
        jwtSecret: identity.jwtSecret,
        token: signToken(identity.jwtSecret, { tenantId: identity.tenantId, userId: 'bench-starter', roles: ['requester'], expiresInSeconds: 3600 }),
        poolSize: o.poolSize,
        concurrency: o.concurrency,
        inflight: o.inflightPerSlot * o.concurrency,
        warmupSeconds: o.w1.warmupSeconds,
        seconds: o.w1.seconds,
        drainTimeoutSeconds: o.drainTimeoutSeconds,
      },
      res.admin,
      probe,
      res.redis,
    );
    correctness['a4'] = a4.correctness;
    httpErrors += a4.loop.startErrors;
    progress(`A4: ${a4.loop.instancesPerSec.toFixed(1)} instances/s (${a4.loop.stepsPerSec.toFixed(0)} steps/s)`);

    // --- all-in-one #1: maximum throughput and what a step costs
    let cluster = await start('all-in-one', engine);
    let session = new BenchSession(cluster, identity);
    const defs: Definitions = await session.createDefinitions();
    const w7DefinitionId = (await session.api.expect<{ id: string }>(201, 'POST', '/api/definitions', session.tokens.admin, w7Definition('bench-w7', `http://${echo.host}:${echo.port}/ping`))).id;
    const redisQueue: NodeQueueTarget = { kind: 'redis', redis: res.redis, prefix: res.prefix };
    const redisQueueProbe = openNodeQueueProbe(redisQueue);
    const main: W1Place = { queue: redisQueue, probe, dbName: res.dbName, definitionId: defs.w1 };
    const closedLoop = async (s: BenchSession, seconds: number, warmupSeconds: number, nodeQueue: NodeQueueProbe = redisQueueProbe, place: W1Place = main) =>
      runClosedLoop(s, place.probe, nodeQueue, {
        definitionId: place.definitionId,
        inflight: o.inflightPerSlot * s.cluster.totalConcurrency,
        warmupSeconds,
        seconds,
        drainTimeoutSeconds: o.drainTimeoutSeconds,
      });
    const measureTopology = async (s: BenchSession, workers: number, key: string, place: W1Place = main): Promise<TopologyRun> => {
      await waitForWorkers(place.queue, workers, 60_000, s.cluster);
      await waitQuiet(s.cluster.pids);
      const onQueue = place.queue.kind === 'redis' ? '' : ', queues on PostgreSQL';
      // the bench's own view of the queue: on PostgreSQL one connection, closed before the counters are read
      const nodeQueue = place.queue.kind === 'redis' ? redisQueueProbe : openNodeQueueProbe(place.queue);
      const costSource = place.queue.kind === 'redis' ? { kind: 'redis' as const, redis: res.redis } : { kind: 'postgres' as const };
      const accounting = await StepAccounting.begin(res.admin, place.dbName, costSource, place.probe, s.cluster);
      progress(`W1 closed loop (${s.cluster.topology}${onQueue}, ${o.inflightPerSlot * s.cluster.totalConcurrency} in flight, ${o.w1.seconds} s)`);
      const w1 = await closedLoop(s, o.w1.seconds, o.w1.warmupSeconds, nodeQueue, place);
      if (nodeQueue !== redisQueueProbe) await nodeQueue.close();
      correctness[key] = await checkInstances(place.probe, w1.ids, W1_NODE_IDS, W1_STEPS);
      httpErrors += w1.startErrors;
      const costs = await accounting.end(res.admin, place.dbName, place.probe, s.cluster, { steps: w1.ids.length * W1_STEPS, starts: w1.ids.length });
      liveClusters.delete(s.cluster);
      progress(`W1 ${s.cluster.topology}${onQueue}: ${w1.stepsPerSec.toFixed(0)} steps/s, ${costs.pgCommitsPerStep.toFixed(2)} commits/step`);
      return { topology: s.cluster.topology, processes: s.cluster.processes.length, totalConcurrency: s.cluster.totalConcurrency, w1, costs };
    };
    const allInOne = await measureTopology(session, 1, 'w1-closed-all-in-one');
    session.close();

    // --- the same W1 with the queues on BullMQ's PostgreSQL backend, right after the one on Redis.
    // It gets a database of its own, as fresh as the first run's was (the engine migrates the
    // backend's `bullmq` schema into it at start-up), so that neither run finds the other's rows
    // or statistics; the figures after this one never see the queue schema.
    const pgEngine: EngineSettings = { ...engine, databaseUrl: res.queueDbUrl, queueBackend: 'postgres' };
    cluster = await start('all-in-one', pgEngine);
    session = new BenchSession(cluster, identity);
    const pg: W1Place = { queue: { kind: 'postgres', url: res.queueDbUrl }, probe: queueProbe, dbName: res.queueDbName, definitionId: (await session.createDefinitions()).w1 };
    const postgresQueue = await measureTopology(session, 1, 'w1-closed-postgres-queue', pg);
    session.close();
    progress(`W1 on the PostgreSQL queue backend / on Redis: ${(postgresQueue.w1.stepsPerSec / allInOne.w1.stepsPerSec).toFixed(3)}`);
    const queuePairs: QueuePair[] = [{ redis: allInOne.w1, postgres: postgresQueue.w1 }];
    // more pairs for a steadier ratio on a shared machine, each backend in its own database as
    // above: throughput only, no accounting
    const w1On = async (backend: 'redis' | 'postgres', key: string): Promise<ClosedLoopResult> => {
      const place = backend === 'redis' ? main : pg;
      const c = await start('all-in-one', backend === 'redis' ? engine : pgEngine);
      const s = new BenchSession(c, identity);
      await waitForWorkers(place.queue, 1, 60_000, c);
      await waitQuiet(c.pids);
      const nodeQueue = backend === 'redis' ? redisQueueProbe : openNodeQueueProbe(place.queue);
      try {
        const w1 = await closedLoop(s, o.w1.seconds, o.w1.warmupSeconds, nodeQueue, place);
        correctness[key] = mergeCorrectness(correctness[key] ?? NO_PROBLEMS, await checkInstances(place.probe, w1.ids, W1_NODE_IDS, W1_STEPS));
        httpErrors += w1.startErrors;
        return w1;
      } finally {
        if (nodeQueue !== redisQueueProbe) await nodeQueue.close();
        s.close();
        await stop(c);
      }
    };
    for (let pair = 2; pair <= o.queuePairs; pair += 1) {
      const order: ('redis' | 'postgres')[] = pair % 2 === 0 ? ['postgres', 'redis'] : ['redis', 'postgres'];
      const w1: Partial<Record<'redis' | 'postgres', ClosedLoopResult>> = {};
      for (const backend of order) {
        progress(`queue pair ${pair}/${o.queuePairs}: W1 closed loop with the queues on ${backend}`);
        w1[backend] = await w1On(backend, 'w1-closed-queue-pairs');
      }
      const done = { redis: w1.redis as ClosedLoopResult, postgres: w1.postgres as ClosedLoopResult };
      queuePairs.push(done);
      progress(`queue pair ${pair}: ${done.redis.stepsPerSec.toFixed(0)} steps/s on Redis, ${done.postgres.stepsPerSec.toFixed(0)} on PostgreSQL (x${(done.postgres.stepsPerSec / done.redis.stepsPerSec).toFixed(3)})`);
    }

    // --- all-in-one #2: latency, approvals, growth
    cluster = await start('all-in-one', engine);
    session = new BenchSession(cluster, identity);
    await waitForWorkers(redisQueue, 1, 60_000, cluster);
    await waitQuiet(cluster.pids);
    const rate = Math.max(1, allInOne.w1.instancesPerSec * 0.5);
    progress(`W1 open loop at ${rate.toFixed(1)} instances/s (${o.w1.warmupSeconds} s warm-up, ${o.w1.openLoopSeconds} s measured)`);
    const openLoopOptions = { definitionId: defs.w1, ratePerSecond: rate, drainTimeoutSeconds: o.drainTimeoutSeconds };
    // a fresh process runs its first requests unoptimised: warm it at the same rate, unmeasured
    const openWarmup = await runOpenLoop(session, probe, { ...openLoopOptions, seconds: o.w1.warmupSeconds });
    const openLoop = await runOpenLoop(session, probe, { ...openLoopOptions, seconds: o.w1.openLoopSeconds });
    correctness['w1-open'] = await checkInstances(probe, [...openWarmup.ids, ...openLoop.ids], W1_NODE_IDS, W1_STEPS);
    httpErrors += openWarmup.startErrors + openLoop.startErrors;

    progress(`W7 closed loop: 3 http_call steps (${o.inflightPerSlot * cluster.totalConcurrency} in flight, ${o.w1.seconds} s)`);
    const w7 = await runHttpCalls(session, probe, res.admin, redisQueueProbe, echo, {
      definitionId: w7DefinitionId,
      inflight: o.inflightPerSlot * cluster.totalConcurrency,
      warmupSeconds: o.w1.warmupSeconds,
      seconds: o.w1.seconds,
      drainTimeoutSeconds: o.drainTimeoutSeconds,
      dbName: res.dbName,
      redisPid: (await readRedisCounters(res.redis)).pid,
    });
    correctness['w7'] = await checkInstances(probe, w7.loop.ids, W7_NODE_IDS, W7_STEPS);
    httpErrors += w7.loop.startErrors;
    progress(`W7: ${w7.loop.instancesPerSec.toFixed(1)} instances/s, hand-off p50 ${w7.handoff.p50.toFixed(1)} ms`);

    progress(`W2 approvals at ${o.w2.ratePerSecond}/s (${o.w2.seconds} s)`);
    const w2 = await runApprovals(session, probe, { definitionId: defs.w2, ratePerSecond: o.w2.ratePerSecond, seconds: o.w2.seconds, drainTimeoutSeconds: o.drainTimeoutSeconds });
    correctness['w2'] = await checkInstances(probe, w2.ids, ['approve_1', 'approve_2'], 2);
    httpErrors += w2.errors;

    progress(`W5 quorum votes (3 of 5) at ${o.w2.ratePerSecond} decisions/s (${o.w2.seconds} s), then 2 x ${o.w5.throughputInstances} instances in closed loops`);
    const w5 = await runQuorumVotes(session, probe, {
      ratePerSecond: o.w2.ratePerSecond,
      seconds: o.w2.seconds,
      throughputInstances: o.w5.throughputInstances,
      lanes: o.concurrency,
      drainTimeoutSeconds: o.drainTimeoutSeconds,
    });
    correctness['w5'] = await checkInstances(probe, w5.ids, W5_NODE_IDS, 2);
    httpErrors += w5.errors;
    progress(`W5: ${w5.together.votesPerSecond.toFixed(0)} votes/s closed loop (${w5.inTurn.votesPerSecond.toFixed(0)} one after another); deciding vote -> next task p99 ${w5.visible.p99.toFixed(1)} ms (W2 ${w2.visible.p99.toFixed(1)} ms)`);

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
      const graphqlQueue = await graphqlTaskQueueLatency(session, o.w3.taskQueryCount, o.w3.taskQuerySeconds);
      httpErrors += graphqlQueue.errors;
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
      w3.push({ parked: level, seedSeconds, usedMemoryDeltaBytes, w1, cpuMicrosPerStep, taskQueue, graphqlQueue });
    }
    progress(`W3 parking ${o.w3.engineParked} instances through the engine (Redis memory)`);
    const { ids: parkedIds, ...engineParked } = await engineParkedMemory(session, probe, res.redis, res.prefix, defs.parked, o.w3.engineParked, o.drainTimeoutSeconds);
    correctness['w3-engine-parked'] = await checkParked(probe, parkedIds);
    progress(`W6 parking ${o.w6.parked.toLocaleString('en-US')} waits through the engine (half timers, half receive nodes)`);
    const w6 = await runParkedWaits(session, probe, { ...o.w6, lanes: o.inflightPerSlot * o.concurrency, drainTimeoutSeconds: o.drainTimeoutSeconds, redis: res.redis, prefix: res.prefix, progress });
    correctness['w6-messaged'] = await checkInstances(probe, w6.messagedIds, W6_NODE_IDS, W6_STEPS);
    correctness['w6-parked'] = await checkParkedWaits(probe, w6.parkedIds);
    httpErrors += w6.errors;
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
      postgresQueue,
      queuePairs,
      openLoop,
      w2,
      w5,
      w6,
      a4,
      w7,
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
    await queueProbe.end();
    await echo.close();
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
