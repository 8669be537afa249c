/**
 * `npm run bench:embedded-start`: how long `npm start` takes to be ready on its own embedded
 * PostgreSQL, on a first start (initdb, migrations, the sample workflow) and on a warm restart of
 * the same data directory, with the queues on the PostgreSQL backend (what a machine with only
 * Node.js gets). Each figure is the engine process from spawn until /readyz answers 200; the
 * median of `--runs N` (default 3) fresh directories.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, launchEngine } from '@wf/testkit';

async function readyAfterMs(dataDir: string): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const engine = launchEngine({
    name: 'engine',
    entry: 'all-in-one',
    env: { PATH: process.env['PATH'] ?? '', WORKFLOW_EMBEDDED_POSTGRES: 'true', WORKFLOW_DATA_DIR: dataDir, QUEUE_BACKEND: 'postgres', PORT: String(port), LOG_LEVEL: 'info' },
  });
  try {
    await engine.ready;
    for (;;) {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => null);
      if (res?.ok) return performance.now() - started;
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    await engine.stop();
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function main(): Promise<void> {
  const runsArg = process.argv.indexOf('--runs');
  const runs = runsArg >= 0 ? Number(process.argv[runsArg + 1]) : 3;
  const first: number[] = [];
  const warm: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const dir = await mkdtemp(join(tmpdir(), 'wf-bench-embedded-'));
    // run as root, the server runs as the postgres user, who must get into the directory
    await chmod(dir, 0o755);
    try {
      first.push(await readyAfterMs(dir));
      warm.push(await readyAfterMs(dir));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  const ms = (xs: number[]) => `median ${Math.round(median(xs))} ms (runs: ${xs.map((x) => Math.round(x)).join(', ')})`;
  process.stdout.write(`embedded start to ready, first start (initdb, migrations, seed): ${ms(first)}\n`);
  process.stdout.write(`embedded start to ready, warm restart:                         ${ms(warm)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
