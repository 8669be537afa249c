/**
 * W6 on its own: `npx tsx tools/bench/src/w6-parked-waits-cli.ts [--quick] [--parked N] [--keep]`.
 * One all-in-one engine on a database and Redis prefix of its own (as `npm run bench` makes them),
 * 100,000 waits parked through it (5,000 with `--quick`), the Redis footprint and the message
 * correlation latency at a tenth of them and at all of them (see workloads/w6-parked-waits.ts).
 * Progress goes to stderr; stdout gets the table and, as its last line, one JSON object. Exit 1
 * when an instance was lost, doubled or not parked exactly once, or when the run failed.
 */

import { createResources, dropResources, ProbeDb, REDIS_URL, type BenchResources } from './bench-resources';
import { BenchSession, newIdentity, waitForWorkers } from './bench-session';
import { checkInstances, isClean, mergeCorrectness, type Correctness } from './correctness';
import { startEngine, type EngineCluster } from './engine-cluster';
import { describeMachine, loadAverage } from './machine';
import { renderReport, type ReportSection } from './report';
import { waitQuiet } from './resource-meters';
import { checkParkedWaits, runParkedWaits, w6Json, w6Section, W6_NODE_IDS, W6_STEPS } from './workloads/w6-parked-waits';

const POOL_SIZE = 10;
const CONCURRENCY = 8;

function progress(message: string): void {
  process.stderr.write(`[bench-w6 ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

function intFlag(argv: readonly string[], name: string): number | null {
  const i = argv.indexOf(name);
  if (i < 0) return null;
  const v = Number(argv[i + 1]);
  if (!Number.isInteger(v) || v < 2) throw new Error(`${name} needs an integer of at least 2`);
  return v;
}

let resources: BenchResources | undefined;
let cluster: EngineCluster | undefined;
let keep = false;
let cleaning: Promise<void> | undefined;

function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    await cluster?.stop().catch(() => undefined);
    if (resources) {
      progress(`${keep ? 'keeping' : 'dropping'} ${resources.dbName}, ${resources.queueDbName} and ${resources.prefix}*`);
      await dropResources(resources, keep);
    }
  })();
  return cleaning;
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const quick = argv.includes('--quick');
  keep = argv.includes('--keep');
  const parked = intFlag(argv, '--parked') ?? (quick ? 5_000 : 100_000);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void cleanup().finally(() => process.exit(130)));
  const began = performance.now();
  try {
    resources = await createResources();
    const res = resources;
    const machine = await describeMachine(res.admin, res.redis);
    const loadBefore = loadAverage();
    const identity = newIdentity();
    progress(`database ${res.dbName}, Redis prefix ${res.prefix}; starting the all-in-one engine`);
    cluster = await startEngine('all-in-one', {
      databaseUrl: res.dbUrl,
      redisUrl: REDIS_URL,
      queuePrefix: res.prefix,
      jwtSecret: identity.jwtSecret,
      poolSize: POOL_SIZE,
      concurrency: CONCURRENCY,
    });
    await waitForWorkers({ kind: 'redis', redis: res.redis, prefix: res.prefix }, 1, 60_000, cluster);
    await waitQuiet(cluster.pids);
    const session = new BenchSession(cluster, identity);
    const probe = new ProbeDb(res.dbUrl);
    try {
      progress(`W6: parking ${parked.toLocaleString('en-US')} waits (a tenth first), messages at 20/s at each step`);
      const w6 = await runParkedWaits(session, probe, {
        parked,
        lanes: 4 * CONCURRENCY,
        ratePerSecond: 20,
        seconds: quick ? 4 : 15,
        drainTimeoutSeconds: 30,
        redis: res.redis,
        prefix: res.prefix,
        progress,
      });
      const correctness: Record<string, Correctness> = {
        'w6-messaged': await checkInstances(probe, w6.messagedIds, W6_NODE_IDS, W6_STEPS),
        'w6-parked': await checkParkedWaits(probe, w6.parkedIds),
      };
      const total = Object.values(correctness).reduce(mergeCorrectness);
      const pass = isClean(total) && w6.errors === 0 && w6.levels.every((l) => l.latency.notDelivered === 0 && l.latency.unseen === 0);
      const seconds = (performance.now() - began) / 1000;
      const header = [
        `Workflow engine benchmark, W6 alone (${quick ? 'quick' : 'full'}), ${new Date().toISOString()}, ${Math.round(seconds)} s`,
        `Machine: ${machine.cpus} x ${machine.cpuModel}, ${machine.memoryGiB} GiB, node ${machine.node}, PostgreSQL ${machine.postgres}, Redis ${machine.redis}`,
        `Engine: all-in-one, DB_POOL_SIZE=${POOL_SIZE}, WORKER_CONCURRENCY=${CONCURRENCY}, TASK_QUEUE_REFRESH_INTERVAL_SECONDS default (60 s: SLA horizon 120 s)`,
        `Load average (1 min): ${loadBefore} before, ${loadAverage()} after`,
      ];
      const sections: ReportSection[] = [
        w6Section(w6),
        {
          title: 'Correctness',
          rows: [
            ...Object.entries(correctness).map(([k, v]) => ({
              label: k,
              value: `${v.completed}/${v.instances} ok, lost ${v.lostSteps}, dup ${v.duplicateSteps}`,
              verdict: isClean(v) ? ('ok' as const) : ('MISS' as const),
            })),
            { label: 'HTTP errors', value: String(w6.errors) },
          ],
        },
      ];
      process.stdout.write(`${renderReport(header, sections)}\n`);
      process.stdout.write(`${JSON.stringify({ mode: quick ? 'quick' : 'full', seconds: Math.round(seconds), ...w6Json(w6), lostSteps: total.lostSteps, duplicateSteps: total.duplicateSteps, httpErrors: w6.errors, pass })}\n`);
      return pass ? 0 : 1;
    } finally {
      session.close();
      await probe.end();
    }
  } catch (err) {
    progress(`run failed: ${(err as Error).stack ?? String(err)}`);
    return 1;
  } finally {
    await cleanup();
  }
}

void main().then((code) => process.exit(code));
