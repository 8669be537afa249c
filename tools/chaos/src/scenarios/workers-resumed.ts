import type { Fault } from '../checks/recovery';
import type { ChaosEnv, ScenarioOutcome } from './scenario';

/**
 * Workers reconnect by themselves: every worker process that lived through a Redis fault has run
 * a ledger step since the fault ended (nobody restarted it).
 */
export async function checkWorkersResumed(env: ChaosEnv, outcome: ScenarioOutcome, fault: Fault): Promise<void> {
  const since = fault.restoredAt ?? fault.at;
  const survivors = env.fleet.alive('worker').filter((p) => p.startedAt < fault.at);
  if (survivors.length === 0) return;
  const { rows } = await env.db.query<{ pid: number; n: number }>(
    `SELECT pid, count(*)::int AS n FROM chaos_attempts WHERE pid = ANY($1::int[]) AND at > to_timestamp($2::double precision) GROUP BY pid`,
    [survivors.map((p) => p.pid), since / 1000],
  );
  const idle = survivors.filter((p) => !rows.some((r) => r.pid === p.pid && r.n > 0));
  outcome.findings.add('other', `worker ran no step after the ${fault.kind}`, idle, (p: { name: string; pid: number }) => `${p.name} (pid ${p.pid})`);
  outcome.notes.push(`after the ${fault.kind}: ${survivors.length - idle.length}/${survivors.length} surviving workers ran steps again without a restart`);
}
