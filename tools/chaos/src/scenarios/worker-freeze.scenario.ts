/**
 * 2. A worker frozen with SIGSTOP for longer than its job lock, its I/O steps' lease and
 *    `idle_in_transaction_session_timeout`, then resumed with SIGCONT. Two ways:
 *    - frozen inside a step transaction that holds the instance's row lock: the suite holds the
 *      lock of a few instances whose ledger step is in a worker's hands, waits until a worker's
 *      completion transaction queues behind it, freezes that worker, and lets go; the frozen
 *      worker now sits idle in a transaction holding the lock until Postgres ends it;
 *    - frozen in the middle of a ledger step (its lease held, the side effect pending).
 *    The other workers take the frozen one's jobs over; whatever it does after waking must not
 *    advance anything a second time, and nothing waits on it for long.
 */

import { Client } from 'pg';
import { socketOwner } from '../infra/socket-owner';
import { pickBusyWorker } from './pick-worker';
import { sleep, type ChaosEnv, type Scenario, type ScenarioOutcome } from './scenario';

const FREEZE_MS = 8000;

interface Caught {
  readonly name: string;
  readonly pid: number;
  readonly backendPid: number;
}

/** Hold instance locks until a worker's step transaction waits on one; that worker is caught. */
async function catchWorkerInTransaction(env: ChaosEnv, client: Client): Promise<Caught | null> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    await client.query('BEGIN');
    const { rows } = await client.query<{ id: string }>(
      `SELECT i.id FROM workflow_instances i JOIN workflow_instance_nodes n ON n.instance_id = i.id
       WHERE i.tenant_id = $1 AND i.status = 'running' AND n.status = 'running' AND n.node_id LIKE 'ledger\\_%'
       LIMIT 5 FOR UPDATE OF i SKIP LOCKED`,
      [env.tenantId],
    );
    if (rows.length > 0) {
      const until = Date.now() + 2000;
      while (Date.now() < until) {
        const waiting = await env.db.query<{ pid: number; client_port: number }>(
          `SELECT pid, client_port FROM pg_stat_activity
           WHERE application_name = 'workflow-worker' AND wait_event_type = 'Lock' AND client_port IS NOT NULL`,
        );
        const workers = env.readyWorkers();
        for (const w of waiting.rows) {
          const owner = socketOwner(w.client_port, workers.map((p) => p.pid));
          const proc = workers.find((p) => p.pid === owner);
          if (proc) return { name: proc.name, pid: proc.pid, backendPid: w.pid };
        }
        await sleep(50);
      }
    }
    await client.query('ROLLBACK');
    await sleep(100);
  }
  return null;
}

async function freezeInsideTransaction(env: ChaosEnv, outcome: ScenarioOutcome): Promise<void> {
  const client = new Client({ connectionString: env.pg.url('chaos'), application_name: 'chaos-locker' });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const caught = await catchWorkerInTransaction(env, client);
    if (!caught) {
      outcome.notes.push('no worker could be caught inside a step transaction within 20 s (skipped that freeze)');
      return;
    }
    const fault = env.fault({ kind: 'SIGSTOP in a step transaction', target: caught.name, pid: caught.pid, at: Date.now() });
    await env.fleet.signal(caught.name, 'SIGSTOP');
    // let go: the frozen worker's statement now takes the instance lock and its transaction idles, holding it
    await client.query('COMMIT');
    env.log(`SIGSTOP ${caught.name} (pid ${caught.pid}) inside a step transaction (backend ${caught.backendPid}) for ${FREEZE_MS / 1000} s`);
    let idleSeen = false;
    let endedAfter: number | null = null;
    const t0 = Date.now();
    while (Date.now() - t0 < FREEZE_MS) {
      const r = await env.db.query<{ state: string }>(`SELECT state FROM pg_stat_activity WHERE pid = $1`, [caught.backendPid]);
      if (r.rows[0]?.state === 'idle in transaction') idleSeen = true;
      if (!r.rows[0] && endedAfter === null) endedAfter = Date.now() - t0;
      await sleep(100);
    }
    await env.fleet.signal(caught.name, 'SIGCONT');
    fault.restoredAt = Date.now();
    env.log(`SIGCONT ${caught.name}`);
    outcome.notes.push(
      `frozen inside a step transaction: its backend was ${idleSeen ? 'idle in transaction, holding the lock' : 'never seen idle in transaction'}, ` +
        (endedAfter === null ? 'and Postgres did not end it during the freeze' : `ended by Postgres ${endedAfter} ms into the freeze`),
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function freezeMidStep(env: ChaosEnv): Promise<void> {
  const target = await pickBusyWorker(env);
  const fault = env.fault({ kind: 'SIGSTOP mid-step', target: target.name, pid: target.pid, at: Date.now() });
  await env.fleet.signal(target.name, 'SIGSTOP');
  env.log(`SIGSTOP ${target.name} (pid ${target.pid}) mid-step for ${FREEZE_MS / 1000} s`);
  await sleep(FREEZE_MS);
  await env.fleet.signal(target.name, 'SIGCONT');
  fault.restoredAt = Date.now();
  env.log(`SIGCONT ${target.name}`);
}

export const workerFreezeScenario: Scenario = {
  id: 2,
  name: 'worker-freeze',
  title: 'worker SIGSTOP past its lock',
  steadyMix: true,
  async run(env: ChaosEnv, outcome) {
    await sleep(3000);
    await freezeInsideTransaction(env, outcome);
    await sleep(5000);
    await freezeMidStep(env);
    await sleep(5000);
  },
};
