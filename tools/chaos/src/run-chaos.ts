/**
 * The chaos run: a private Postgres cluster and Redis server (none with `--queue postgres`: the
 * queues then live in the chaos database, on BullMQ's PostgreSQL backend), the engine as separate
 * processes against them, the steady mix, each scenario's faults, the invariants, and the report.
 * Everything it started is torn down at the end, on failure, and on SIGINT/SIGTERM.
 */

import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client, Pool } from 'pg';
import { signToken } from '@wf/runtime';
import { freePort, startRedisServer, type RedisServer } from '@wf/testkit';
import { crashReason, digestLogs } from './checks/engine-logs';
import { checkInvariants } from './checks/invariants';
import { describeCounts, describeLocation, pendingJobs, queueCounts, type QueueLocation } from './checks/queue-probe';
import { measureRecovery, type Fault, type FaultRecovery } from './checks/recovery';
import { waitForSettle } from './checks/settle';
import { Findings } from './checks/violations';
import { TallyingApiClient } from './driver/tallying-api-client';
import {
  APPROVER_ROLE,
  ESCALATION_ROLE,
  approvalDefinition,
  chainDefinition,
  childDefinition,
  forkDefinition,
  parentDefinition,
  raceDefinition,
  slaDefinition,
} from './driver/definitions';
import { LoadDriver } from './driver/load-driver';
import { EngineFleet, type EngineRole, type FleetProcess } from './infra/engine-fleet';
import { startPostgresCluster, type PostgresCluster } from './infra/postgres-cluster';
import { sleep } from './infra/run-command';
import { LEDGER_TABLES_SQL } from './ledger.handler';
import type { ChaosOptions } from './options';
import type { ChaosReport, ScenarioResult } from './report';
import { decisionRaceScenario } from './scenarios/decision-race.scenario';
import { postgresRestartScenario } from './scenarios/postgres-restart.scenario';
import { redisOutageScenario } from './scenarios/redis-outage.scenario';
import { redisRestartScenario } from './scenarios/redis-restart.scenario';
import { schedulerRestartsScenario } from './scenarios/scheduler-restarts.scenario';
import { timerKillsScenario } from './scenarios/timer-kills.scenario';
import type { ChaosEnv, RunTokens, Scenario, ScenarioOutcome } from './scenarios/scenario';
import { workerFreezeScenario } from './scenarios/worker-freeze.scenario';
import { workerKillsScenario } from './scenarios/worker-kills.scenario';

const LEDGER_MODULE = resolve(__dirname, 'ledger.handler.ts');
const QUEUE_PREFIX = 'chaos';
const DATABASE = 'chaos';
/** a killed or frozen worker's steps must be taken over within this */
const RESUME_LIMIT_MS = 15_000;
const READY_TIMEOUT_MS = 90_000;

const SCENARIOS: readonly Scenario[] = [
  workerKillsScenario,
  workerFreezeScenario,
  redisRestartScenario,
  redisOutageScenario,
  postgresRestartScenario,
  schedulerRestartsScenario,
  decisionRaceScenario,
  timerKillsScenario,
];

/** Undo steps, last first; each runs once even if teardown is asked for twice. */
class Teardown {
  private readonly steps: { name: string; run: () => Promise<void>; now?: () => void; done: boolean }[] = [];
  private running: Promise<void> | null = null;

  add(name: string, run: () => Promise<void>, now?: () => void): void {
    this.steps.push({ name, run, done: false, ...(now ? { now } : {}) });
  }

  run(): Promise<void> {
    this.running ??= (async () => {
      for (const step of [...this.steps].reverse()) {
        try {
          await step.run();
        } catch (err) {
          process.stderr.write(`teardown: ${step.name} failed: ${(err as Error).message}\n`);
        }
        step.done = true;
      }
    })();
    return this.running;
  }

  /** Synchronous last resort when the process exits before `run` got through every step. */
  runNow(): void {
    for (const step of [...this.steps].reverse()) {
      if (step.done) continue;
      try {
        step.now?.();
      } catch {
        // best effort
      }
    }
  }
}

function engineEnv(opts: ChaosOptions, pg: PostgresCluster, redis: RedisServer | null, apiPort: number, jwtSecret: string): Record<string, string> {
  const inherited = Object.fromEntries(
    ['PATH', 'HOME', 'LANG', 'TMPDIR'].flatMap((k) => (process.env[k] ? [[k, process.env[k] as string]] : [])),
  );
  return {
    ...inherited,
    NODE_ENV: 'production',
    AUTH_JWT_SECRET: jwtSecret,
    // the superuser: every process migrates (the engine's schema and, on the postgres backend, BullMQ's)
    DATABASE_URL: pg.url(DATABASE),
    ...(redis ? { QUEUE_BACKEND: 'redis', REDIS_URL: redis.url } : { QUEUE_BACKEND: opts.queueBackend }),
    QUEUE_PREFIX,
    PORT: String(apiPort),
    RATE_LIMIT_PER_MINUTE: '0',
    WORKFLOW_RECONCILE_AFTER_SECONDS: '2',
    WORKER_LOCK_DURATION_MS: '3000',
    WORKFLOW_STEP_LEASE_MS: '5000',
    TASK_QUEUE_REFRESH_INTERVAL_SECONDS: '1',
    WORKFLOW_HANDLER_MODULES: LEDGER_MODULE,
    CHAOS_LEDGER_URL: pg.url(DATABASE),
    SEED_SAMPLE_WORKFLOW: 'false',
    LOG_LEVEL: opts.engineLogLevel,
  };
}

/** One line naming the scenarios the queue backend rules out, or null when none was. */
function skippedScenarios(opts: ChaosOptions): string | null {
  const skipped = SCENARIOS.filter((s) => opts.skipped.includes(s.id));
  if (skipped.length === 0) return null;
  const names = skipped.map((s) => `${s.id} (${s.title})`).join(', ');
  return `skipped ${skipped.length > 1 ? 'scenarios' : 'scenario'} ${names}: ${skipped.length > 1 ? 'they break' : 'it breaks'} Redis, and with --queue ${opts.queueBackend} no Redis runs`;
}

/** `proc.ready`; if it exits first, the error says why (its log is gone with the work directory). */
async function startedOrWhy(proc: FleetProcess): Promise<void> {
  try {
    await proc.ready;
  } catch (err) {
    await proc.exited;
    // its log file is written until the pipes drain, a moment after the exit
    await sleep(300);
    const reason = crashReason(proc.logFile);
    throw new Error(`${(err as Error).message}${reason ? `: ${reason}` : ''}`);
  }
}

/** The engine runs on the queue backend the run asked for: its /readyz says which one it chose. */
async function assertQueueBackend(apiPort: number, expected: ChaosOptions['queueBackend']): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${apiPort}/readyz`);
  const body = (await res.json().catch(() => ({}))) as { queue?: { backend?: string } };
  if (res.status !== 200 || body.queue?.backend !== expected) {
    throw new Error(`the API is not ready on the ${expected} queue backend: /readyz answered ${res.status} ${JSON.stringify(body)}`);
  }
}

async function createDatabase(pg: PostgresCluster): Promise<void> {
  const admin = new Client({ connectionString: pg.url('postgres') });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await admin.end();
  }
  const c = new Client({ connectionString: pg.url(DATABASE) });
  await c.connect();
  try {
    await c.query(LEDGER_TABLES_SQL);
  } finally {
    await c.end();
  }
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

export async function runChaos(opts: ChaosOptions, print: (line: string) => void): Promise<ChaosReport> {
  const began = Date.now();
  const runId = randomBytes(3).toString('hex');
  const workDir = mkdtempSync(join(tmpdir(), 'wf-chaos-'));
  const logDir = join(workDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const teardown = new Teardown();
  let currentScenario = 'setup';
  const log = (line: string) => {
    const t = Math.round((Date.now() - began) / 1000);
    print(`[${String(Math.floor(t / 60)).padStart(2, '0')}:${String(t % 60).padStart(2, '0')}] [${currentScenario}] ${line}`);
  };

  teardown.add(
    'remove the temporary directory',
    async () => {
      if (!opts.keepWorkDir) rmSync(workDir, { recursive: true, force: true });
    },
    () => {
      if (!opts.keepWorkDir) rmSync(workDir, { recursive: true, force: true });
    },
  );
  // a listener stays registered for repeats: Ctrl-C reaches npm and tsx too, which relay it again,
  // and a second SIGINT with no listener left would end the process in the middle of the teardown
  let signalled = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signalled += 1;
    if (signalled > 1) return;
    print(`\n${signal}: tearing down`);
    void teardown.run().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  const onExit = () => teardown.runNow();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.once('exit', onExit);

  try {
    log(`work directory ${workDir}`);
    const pg = await startPostgresCluster(workDir, opts.pgBinDir ? { binDir: opts.pgBinDir } : {});
    teardown.add('stop Postgres', () => pg.stop(), () => pg.stopNow());
    log(`Postgres on port ${pg.port} (${pg.binDir})`);
    await createDatabase(pg);
    let redis: RedisServer | null = null;
    let queues: QueueLocation = { kind: 'postgres', url: pg.url(DATABASE) };
    if (opts.queueBackend === 'redis') {
      const server = await startRedisServer({ logFile: join(logDir, 'redis.log') });
      redis = server;
      teardown.add('stop Redis', () => server.stop(), () => server.stopNow());
      log(`Redis on port ${server.port}`);
      queues = { kind: 'redis', url: server.url, prefix: QUEUE_PREFIX };
    }
    log(`queues on ${describeLocation(queues)}`);
    const skippedNote = skippedScenarios(opts);
    if (skippedNote) log(skippedNote);

    const apiPort = await freePort();
    const jwtSecret = randomBytes(32).toString('hex');
    const exits: string[] = [];
    /** the log of each unexpected exit, to read why once the process has flushed it */
    const exitLogs = new Map<string, string>();
    const explain = (line: string) => {
      const logFile = exitLogs.get(line);
      const reason = logFile ? crashReason(logFile) : null;
      return reason ? `${line}: ${reason}` : line;
    };
    let tearingDown = false;
    const roleOf = (name: string): EngineRole => (name.startsWith('worker') ? 'worker' : name.startsWith('scheduler') ? 'scheduler' : 'api');
    const fleet: EngineFleet = new EngineFleet(engineEnv(opts, pg, redis, apiPort, jwtSecret), logDir, (exit) => {
      if (tearingDown) return;
      const line = `${exit.name} (pid ${exit.pid}) exited with ${exit.signal ?? `code ${exit.code}`} during ${currentScenario}; log ${exit.logFile}`;
      exits.push(line);
      exitLogs.set(line, exit.logFile);
      log(`UNEXPECTED EXIT: ${line}`);
      // keep the run going: start it again, as an orchestrator would
      setTimeout(() => {
        try {
          if (!tearingDown && !fleet.get(exit.name)?.isAlive()) fleet.spawn(exit.name, roleOf(exit.name));
        } catch (err) {
          log(`could not restart ${exit.name}: ${(err as Error).message}`);
        }
      }, 1000);
    });
    teardown.add(
      'stop the engine processes',
      async () => {
        tearingDown = true;
        await fleet.shutdown(3000);
      },
      () => fleet.killAllNow(),
    );

    // the API first: it migrates the empty database; the others then find it migrated
    const api0 = fleet.spawn('api', 'api');
    await withTimeout(startedOrWhy(api0), READY_TIMEOUT_MS, 'API start-up');
    await assertQueueBackend(apiPort, opts.queueBackend);
    const workerNames = Array.from({ length: opts.workers }, (_, i) => `worker-${i + 1}`);
    const starting = [...workerNames.map((n) => fleet.spawn(n, 'worker')), fleet.spawn('scheduler-a', 'scheduler')];
    await withTimeout(Promise.all(starting.map(startedOrWhy)), READY_TIMEOUT_MS, 'worker and scheduler start-up');
    log(`engine up: api on port ${apiPort}, ${workerNames.length} workers, 1 scheduler`);

    const api = new TallyingApiClient(`http://127.0.0.1:${apiPort}`);
    teardown.add('close the HTTP client', async () => api.close());
    const db = new Pool({ connectionString: pg.url(DATABASE), max: 6, connectionTimeoutMillis: 3000, application_name: 'chaos-driver' });
    // a Postgres restart drops idle connections; the pool must not crash the run
    db.on('error', () => undefined);
    teardown.add('close the driver pool', () => db.end());

    const tenantId = randomUUID();
    const mint = (user: string, roles: readonly string[]) => signToken(jwtSecret, { tenantId, userId: user, roles, expiresInSeconds: 6 * 3600 });
    const tokens: RunTokens = {
      admin: mint('chaos-admin', ['admin']),
      starter: mint('chaos-starter', []),
      approver: mint('chaos-approver-1', [APPROVER_ROLE]),
      director: mint('chaos-director', [ESCALATION_ROLE]),
      mint,
    };
    const definitions = new Map<string, string>();
    for (const def of [chainDefinition, approvalDefinition, childDefinition, parentDefinition, forkDefinition, slaDefinition, raceDefinition]) {
      const res = await api.call<{ id: string }>(`create ${def.name}`, 'POST', '/api/definitions', tokens.admin, { body: def, expected: [201] });
      if (res.status !== 201) throw new Error(`creating ${def.name} failed: ${res.status} ${JSON.stringify(res.body)}`);
      definitions.set(def.name, res.body.id);
    }
    log(`${definitions.size} definitions created for tenant ${tenantId}`);

    const driver = new LoadDriver(api, db, runId, tenantId, tokens);
    driver.startDeciding();
    teardown.add('stop the driver', async () => {
      driver.stopMix();
      await driver.stopDeciding();
    });

    const faults: Fault[] = [];
    const env: ChaosEnv = {
      opts,
      runId,
      tenantId,
      pg,
      redis,
      fleet,
      api,
      db,
      driver,
      tokens,
      log,
      fault(f) {
        const fault: Fault = { ...f, scenario: currentScenario };
        faults.push(fault);
        return fault;
      },
      readyWorkers: () => fleet.alive('worker').filter((p) => p.isReady() && !p.frozen),
    };

    /** the base fleet back up and awake: api, every worker, the first scheduler */
    const ensureBaseFleet = async () => {
      for (const p of [...fleet.alive('worker'), ...fleet.alive('scheduler'), ...fleet.alive('api')]) {
        if (p.frozen) await fleet.signal(p.name, 'SIGCONT');
      }
      if (redis && !redis.running) await redis.start();
      const waits = [];
      for (const [name, role] of [['api', 'api'], ...workerNames.map((n) => [n, 'worker']), ['scheduler-a', 'scheduler']] as [string, EngineRole][]) {
        const proc = fleet.get(name);
        waits.push((proc?.isAlive() ? proc : fleet.spawn(name, role)).ready);
      }
      await withTimeout(Promise.all(waits), READY_TIMEOUT_MS, 'restarting the base fleet');
    };

    const results: ScenarioResult[] = [];
    for (const sc of SCENARIOS.filter((s) => opts.scenarios.includes(s.id))) {
      currentScenario = sc.name;
      const started = Date.now();
      api.scenario = sc.name;
      driver.scenario = sc.name;
      log(`scenario ${sc.id}: ${sc.title}`);
      const outcome: ScenarioOutcome = { findings: new Findings(), notes: [] };
      if (sc.steadyMix) driver.startMix(opts.startsPerSecond);
      try {
        await sc.run(env, outcome);
      } catch (err) {
        outcome.findings.addCount('other', 'scenario aborted', 1, [(err as Error).message]);
        log(`scenario aborted: ${(err as Error).message}`);
      } finally {
        driver.stopMix();
      }
      const left = await driver.drainDeferred(60_000);
      outcome.findings.addCount('other', 'start never accepted (503 or no answer for 60 s)', left);
      await ensureBaseFleet().catch((err: Error) => outcome.findings.addCount('other', 'base fleet did not come back', 1, [err.message]));
      log('settling');
      const settle = await waitForSettle({ db, tenantId, scenario: sc.name, queues, timeoutMs: opts.settleTimeoutMs });
      log(settle.settled ? `settled in ${(settle.ms / 1000).toFixed(1)} s` : `did NOT settle: ${settle.state}`);
      if (!settle.settled) outcome.findings.addCount('other', 'did not settle in time', 1, [settle.state]);
      try {
        await sc.verify?.(env, outcome);
      } catch (err) {
        outcome.findings.addCount('other', 'scenario checks failed to run', 1, [(err as Error).message]);
      }
      const inv = await checkInvariants(db, tenantId, sc.name, driver.accepted, driver.decisions);
      const recoveries: FaultRecovery[] = [];
      const workerFaultTimes = faults.filter((x) => x.pid !== undefined).map((x) => x.at);
      for (const f of faults.filter((x) => x.scenario === sc.name)) recoveries.push(await measureRecovery(db, tenantId, f, workerFaultTimes));
      const slow = recoveries.filter((r) => (r.inHandResumeMs ?? 0) > RESUME_LIMIT_MS);
      outcome.findings.add('other', `a killed or frozen worker's steps waited over ${RESUME_LIMIT_MS / 1000} s`, slow, (r: FaultRecovery) => `${r.fault.kind} ${r.fault.target}: ${r.inHandResumeMs} ms (${r.slowest ?? '?'})`);
      const noRecovery = recoveries.filter((r) => r.recoveryMs === null && r.fault.kind !== 'kill -9 scheduler');
      outcome.findings.add('other', 'no step completed after a fault', noRecovery, (r: FaultRecovery) => `${r.fault.kind} ${r.fault.target}`);
      const scenarioExits = exits.filter((e) => e.includes(`during ${sc.name};`));
      outcome.findings.addCount('other', 'engine process exited on its own', scenarioExits.length, scenarioExits.map(explain));
      const result: ScenarioResult = {
        id: sc.id,
        name: sc.name,
        title: sc.id === 1 ? `${sc.title} (x${opts.kills})` : sc.id === 7 ? `${sc.title} (${opts.decisionTasks * opts.decisionsPerTask} on ${opts.decisionTasks})` : sc.title,
        counts: inv.counts,
        violations: [...inv.findings.items, ...outcome.findings.items],
        faults: faults.filter((x) => x.scenario === sc.name).length,
        http500: api.countOf(500, sc.name),
        requests: api.requestsIn(sc.name),
        statuses: api.statusSummary(sc.name),
        recoveries,
        settle,
        notes: outcome.notes,
        durationMs: Date.now() - started,
      };
      results.push(result);
      const v = result.violations;
      log(
        `done: ${inv.counts.instances} instances, ${inv.counts.steps} steps, ${result.faults} faults, ${result.http500} 500s, ` +
          `lost ${v.filter((x) => x.cls === 'lost').reduce((n, x) => n + x.count, 0)}, ` +
          `duplicated ${v.filter((x) => x.cls === 'duplicated').reduce((n, x) => n + x.count, 0)}, ` +
          `other ${v.filter((x) => x.cls === 'other').reduce((n, x) => n + x.count, 0)}`,
      );
    }

    // the whole run once more: nothing moved after its scenario was checked, and the queues are empty
    currentScenario = 'final';
    api.scenario = 'final';
    const final = new Findings();
    for (const r of results) {
      const again = await checkInvariants(db, tenantId, r.name, driver.accepted, driver.decisions);
      for (const v of again.findings.items) {
        if (!r.violations.some((x) => x.kind === v.kind && x.count === v.count)) final.addCount(v.cls, `[${r.name}] ${v.kind} (at the final re-check)`, v.count, v.samples);
      }
    }
    try {
      const counts = await queueCounts(queues);
      if (pendingJobs(counts) > 0) final.addCount('other', 'queues not drained at the end', pendingJobs(counts), [describeCounts(counts)]);
    } catch (err) {
      final.addCount('other', 'queues could not be counted at the end', 1, [(err as Error).message]);
    }
    const setupExits = exits.filter((e) => e.includes('during setup;') || e.includes('during final;'));
    final.addCount('other', 'engine process exited on its own', setupExits.length, setupExits.map(explain));
    final.addCount('other', 'HTTP 500 outside the scenarios', api.countOf(500, 'setup') + api.countOf(500, 'final'));
    final.add('other', 'unexpected HTTP answer', api.unexpected.filter((a) => a.status !== 500), (a: { scenario: string; what: string; status: number }) => `[${a.scenario}] ${a.what} -> ${a.status}`);

    driver.stopMix();
    await driver.stopDeciding();
    tearingDown = true;
    await fleet.shutdown(3000);
    const report: ChaosReport = {
      runId,
      mode: `${opts.short ? 'short' : 'default'}, scenarios ${opts.scenarios.join(',')}, ${opts.workers} workers, queues on ${opts.queueBackend}`,
      notes: skippedNote ? [skippedNote] : [],
      durationMs: Date.now() - began,
      scenarios: results,
      final: final.items,
      http500Total: api.countOf(500),
      unexpectedAnswers: api.unexpected,
      unexpectedExits: exits.map(explain),
      logDigest: digestLogs(logDir),
      workDir: opts.keepWorkDir ? workDir : null,
      removedWorkDir: opts.keepWorkDir ? null : workDir,
    };
    return report;
  } finally {
    await teardown.run();
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    process.removeListener('exit', onExit);
  }
}
