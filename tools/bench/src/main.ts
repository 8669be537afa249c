/**
 * `npm run bench` (a few minutes) and `npm run bench -- --quick` (about a minute): the engine's
 * speed side by side with this machine's ceilings, measured in one run, and W1 once more with the
 * queues on BullMQ's PostgreSQL backend, as a ratio to W1 on Redis. Progress goes to stderr;
 * stdout gets the table and, as its last line, one JSON object. Exit 1 when any step was lost or
 * doubled, whatever the speed, or when the run failed.
 *
 * Options: --quick, --pool N (DB_POOL_SIZE, default 10), --concurrency N (WORKER_CONCURRENCY,
 * default 8), --keep (leave the databases and Redis keys for inspection), --profile DIR (a V8 CPU
 * profile of every engine process, written when it stops; the profiler slows the engine),
 * --queue-pairs N (W1 on Redis and on the PostgreSQL queue backend N times each, the ratio being
 * the median of the pairs'; default 3).
 */

import { parseOptions } from './bench-options';
import { createResources, dropResources, type BenchResources } from './bench-resources';
import { liveClusters, progress, runBench } from './run-bench';
import { summaryJson, summaryTable } from './summary';

let resources: BenchResources | undefined;
let cleaning: Promise<void> | undefined;
let keep = false;

async function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const c of liveClusters) await c.stop().catch(() => undefined);
    if (resources) {
      const what = `${resources.dbName}, ${resources.queueDbName} and ${resources.prefix}*`;
      progress(keep ? `keeping ${what}` : `dropping ${what}`);
      await dropResources(resources, keep);
    }
  })();
  return cleaning;
}

function onSignal(signal: NodeJS.Signals): void {
  if (cleaning) return;
  progress(`${signal}: stopping the engine and cleaning up`);
  void cleanup().finally(() => process.exit(130));
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  keep = options.keep;
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('uncaughtException', (err) => {
    progress(`uncaught: ${err.stack ?? String(err)}`);
    void cleanup().finally(() => process.exit(1));
  });
  try {
    resources = await createResources();
    progress(`databases ${resources.dbName} and ${resources.queueDbName} (W1 on the PostgreSQL queue backend), Redis prefix ${resources.prefix}, ${options.quick ? 'quick' : 'full'} run`);
    const results = await runBench(options, resources);
    const json = summaryJson(results);
    process.stdout.write(`${summaryTable(results, json)}\n`);
    process.stdout.write(`${JSON.stringify(json)}\n`);
    return json['pass'] === true ? 0 : 1;
  } catch (err) {
    progress(`run failed: ${(err as Error).stack ?? String(err)}`);
    return 1;
  } finally {
    await cleanup();
  }
}

void main().then((code) => process.exit(code));
