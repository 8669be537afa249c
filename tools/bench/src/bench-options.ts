/**
 * What one run measures and for how long, parsed once from the command line. `--quick` is the
 * one-minute read; the full run takes a few minutes on a 2-core machine.
 */

export interface BenchOptions {
  readonly quick: boolean;
  /** keep the database and Redis keys afterwards (debugging), default false */
  readonly keep: boolean;
  /** write a V8 CPU profile of every engine process into this directory (slows the engine), default none */
  readonly profileDir: string | null;
  /** DB_POOL_SIZE of every engine process, and the pool of A2/A3, default 10 */
  readonly poolSize: number;
  /** WORKER_CONCURRENCY of every worker, and the concurrency of A1/A2, default 8 */
  readonly concurrency: number;
  /** `--queue-pairs N`: W1 on Redis and on the PostgreSQL queue backend, N times each, for the median ratio; default 3 (one pair alone is skewed, see BENCHMARKS.md) */
  readonly queuePairs: number;
  /** steps per chain in A1/A2 (start + 5 steps in W1 is 6 jobs), default 6 */
  readonly chainSteps: number;
  /** instances (chains) kept in flight per unit of worker concurrency in closed-loop runs, default 4 */
  readonly inflightPerSlot: number;
  readonly anchors: { a1Seconds: number; a2Seconds: number; a3Seconds: number; warmupSeconds: number };
  readonly w1: { warmupSeconds: number; seconds: number; openLoopSeconds: number };
  readonly w2: { ratePerSecond: number; seconds: number };
  /** W5 quorum votes: its latency phase runs at W2's rate and length; then this many instances voted through in each of two closed loops */
  readonly w5: { throughputInstances: number };
  readonly w6: { parked: number; ratePerSecond: number; seconds: number };
  readonly w3: { parkedLevels: readonly number[]; w1Seconds: number; taskQueryCount: number; taskQuerySeconds: number; engineParked: number };
  readonly drainTimeoutSeconds: number;
}

/** `--name N`: a positive integer, else `fallback` when the flag is absent. */
export function intFlag(argv: readonly string[], name: string, fallback: number): number {
  const i = argv.indexOf(name);
  if (i < 0) return fallback;
  const v = Number(argv[i + 1]);
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} needs a positive integer`);
  return v;
}

function stringFlag(argv: readonly string[], name: string): string | null {
  const i = argv.indexOf(name);
  if (i < 0) return null;
  const v = argv[i + 1];
  if (!v || v.startsWith('--')) throw new Error(`${name} needs a value`);
  return v;
}

export function parseOptions(argv: readonly string[]): BenchOptions {
  const known = new Set(['--quick', '--keep', '--pool', '--concurrency', '--profile', '--queue-pairs']);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (!a.startsWith('--')) continue;
    if (!known.has(a)) throw new Error(`unknown option ${a} (known: ${[...known].join(', ')})`);
  }
  const quick = argv.includes('--quick');
  return {
    quick,
    keep: argv.includes('--keep'),
    profileDir: stringFlag(argv, '--profile'),
    poolSize: intFlag(argv, '--pool', 10),
    concurrency: intFlag(argv, '--concurrency', 8),
    queuePairs: intFlag(argv, '--queue-pairs', 3),
    chainSteps: 6,
    inflightPerSlot: 4,
    anchors: quick
      ? { a1Seconds: 1.5, a2Seconds: 2.5, a3Seconds: 1.5, warmupSeconds: 0.5 }
      : { a1Seconds: 5, a2Seconds: 8, a3Seconds: 5, warmupSeconds: 1 },
    w1: quick ? { warmupSeconds: 1.5, seconds: 6, openLoopSeconds: 5 } : { warmupSeconds: 3, seconds: 20, openLoopSeconds: 20 },
    w2: quick ? { ratePerSecond: 20, seconds: 4 } : { ratePerSecond: 20, seconds: 15 },
    w5: { throughputInstances: quick ? 200 : 1_000 },
    w6: quick ? { parked: 5_000, ratePerSecond: 20, seconds: 4 } : { parked: 100_000, ratePerSecond: 20, seconds: 15 },
    w3: quick
      ? { parkedLevels: [0, 10_000], w1Seconds: 4, taskQueryCount: 100, taskQuerySeconds: 4, engineParked: 300 }
      : { parkedLevels: [0, 10_000, 100_000], w1Seconds: 40, taskQueryCount: 300, taskQuerySeconds: 12, engineParked: 1_000 },
    drainTimeoutSeconds: 30,
  };
}
