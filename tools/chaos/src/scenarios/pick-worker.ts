import type { FleetProcess } from '../infra/engine-fleet';
import { sleep, type ChaosEnv } from './scenario';

/**
 * A serving worker, preferably one in the middle of a step: it holds the lease of a ledger step
 * it started moments ago. Waits up to `patienceMs` for such a worker, then takes any. At least one
 * other worker is serving when it returns (so the victim's jobs have somewhere to go), unless
 * none came up within 30 s.
 */
export async function pickBusyWorker(env: ChaosEnv, patienceMs = 3000): Promise<FleetProcess> {
  const quorumBy = Date.now() + 30_000;
  while (env.readyWorkers().length < 2 && Date.now() < quorumBy) await sleep(100);
  const deadline = Date.now() + patienceMs;
  for (;;) {
    const ready = env.readyWorkers();
    if (ready.length > 0) {
      const { rows } = await env.db
        .query<{ pid: number }>(
          `SELECT DISTINCT a.pid FROM chaos_attempts a JOIN workflow_instance_nodes n ON n.id = a.execution_id
           WHERE n.status = 'running' AND a.at > now() - interval '2 seconds' AND a.pid = ANY($1::int[])`,
          [ready.map((p) => p.pid)],
        )
        .catch(() => ({ rows: [] as { pid: number }[] }));
      const busy = ready.filter((p) => rows.some((r) => r.pid === p.pid));
      if (busy.length > 0) return busy[Math.floor(Math.random() * busy.length)] as FleetProcess;
      if (Date.now() > deadline) return ready[Math.floor(Math.random() * ready.length)] as FleetProcess;
    }
    await sleep(100);
  }
}
