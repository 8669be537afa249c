/** What a scenario gets to work with, and what it hands back beyond the shared invariants. */

import type { Pool } from 'pg';
import type { Fault } from '../checks/recovery';
import type { Findings } from '../checks/violations';
import type { TallyingApiClient } from '../driver/tallying-api-client';
import type { LoadDriver } from '../driver/load-driver';
import type { EngineFleet, FleetProcess } from '../infra/engine-fleet';
import type { PostgresCluster } from '../infra/postgres-cluster';
import type { RedisServer } from '@wf/testkit';
import type { ChaosOptions, ScenarioId } from '../options';

export interface RunTokens {
  readonly admin: string;
  readonly starter: string;
  readonly approver: string;
  readonly director: string;
  /** a token with `roles` for `user` */
  mint(user: string, roles: readonly string[]): string;
}

export interface ChaosEnv {
  readonly opts: ChaosOptions;
  readonly runId: string;
  readonly tenantId: string;
  readonly pg: PostgresCluster;
  /** the run's own redis-server; null when the queues are on PostgreSQL (`--queue postgres`) */
  readonly redis: RedisServer | null;
  readonly fleet: EngineFleet;
  readonly api: TallyingApiClient;
  /** superuser pool on the chaos database (RLS does not apply) */
  readonly db: Pool;
  readonly driver: LoadDriver;
  readonly tokens: RunTokens;
  /** progress lines for the person watching */
  log(line: string): void;
  /** note a fault (kept for the report and the recovery measurements) */
  fault(fault: Omit<Fault, 'scenario'>): Fault;
  /** workers that are up, serving, and not frozen */
  readyWorkers(): FleetProcess[];
}

/** Scenario-specific results, next to the shared invariants. */
export interface ScenarioOutcome {
  readonly findings: Findings;
  /** lines for the report */
  readonly notes: string[];
}

export interface Scenario {
  readonly id: ScenarioId;
  /** the `chaosScenario` tag of its instances */
  readonly name: string;
  readonly title: string;
  /** false: the steady mix is not started for this scenario */
  readonly steadyMix: boolean;
  /** inject the faults (the steady mix runs meanwhile when `steadyMix`) */
  run(env: ChaosEnv, outcome: ScenarioOutcome): Promise<void>;
  /** checks of its own, after the scenario settled */
  verify?(env: ChaosEnv, outcome: ScenarioOutcome): Promise<void>;
}

/** The run's Redis, for the scenarios that break it (the options never pick them without one). */
export function requireRedis(env: ChaosEnv): RedisServer {
  if (!env.redis) throw new Error(`this scenario breaks Redis, and the queues of this run are on ${env.opts.queueBackend} (no Redis runs)`);
  return env.redis;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
export const jitter = (min: number, max: number): number => min + Math.random() * (max - min);
