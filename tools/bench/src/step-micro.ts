/**
 * The step path without Redis, HTTP or BullMQ: W1 instances (start -> 5 set_context steps) driven
 * by `executeNode` straight from an in-memory queue, `concurrency` at a time, on a database of its
 * own (`wf_micro_<pid>`, dropped at the end). Prints steps/s and the CPU per step of this process
 * and of its Postgres backends: the quickest read of what a change to the store costs.
 *
 *   npx tsx tools/bench/src/step-micro.ts [instances=400] [concurrency=8] [stepsPerTransaction=20]
 *
 * Steps are counted per node execution, whether or not they shared a transaction (the worker runs
 * up to MAX_INLINE_STEPS steps without I/O in one; pass 1 for one transaction per step).
 *
 * MICRO_STEPS=<n> sets the instances' chain length (default 5): runs with 1 and 5 separate what an
 * instance costs once (start, job, transaction) from what each further step adds.
 *
 * MICRO_PARKED=<n> first parks n instances at an approval in the same tenant, as W3 seeds them.
 *
 * MICRO_AFTER_MIGRATE='<sql>' runs that SQL on the fresh database before measuring: a way to try a
 * schema change (an index, a trigger, a foreign key) against the step path without a migration.
 */
import { readFileSync } from 'node:fs';
import { Client } from 'pg';
import { executeNode, type NodeJob, type Actor } from '@wf/engine';
import { createEngineRuntime, createLogger, loadConfig, MAX_INLINE_STEPS, type EngineRuntime } from '@wf/runtime';
import { serviceChainDefinition } from '@wf/runtime/testing';
import { migrateUp } from '@wf/db';
import { databaseUrl, withAdminClient } from '@wf/db/testing';
import { ProbeDb } from './bench-resources';
import { seedParked } from './workloads/w3-growth';

const TENANT = '0e000000-0000-4000-8000-00000000000e';
const clockTicks = 100;
function cpuOf(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(f[11]) + Number(f[12])) / clockTicks) * 1e6;
}

async function main(): Promise<void> {
  const instances = Number(process.argv[2] ?? 400);
  const concurrency = Number(process.argv[3] ?? 8);
  const perTransaction = Number(process.argv[4] ?? MAX_INLINE_STEPS);
  const name = `wf_micro_${process.pid}`;
  await withAdminClient((c) => c.query(`CREATE DATABASE ${name}`));
  const db = { url: databaseUrl(name), drop: () => withAdminClient((c) => c.query(`DROP DATABASE ${name} WITH (FORCE)`)) };
  await migrateUp({ url: db.url });
  const experiment = process.env['MICRO_AFTER_MIGRATE'];
  if (experiment) {
    const c = new Client({ connectionString: db.url });
    await c.connect();
    await c.query(experiment).finally(() => c.end());
  }
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: db.url, AUTH_JWT_SECRET: 'x', DB_POOL_SIZE: String(concurrency), LOG_LEVEL: 'silent', QUEUE_PREFIX: 'micro' });
  const rt = await createEngineRuntime(config, createLogger('silent'), 'micro');
  try {
    await measure(rt, instances, concurrency, perTransaction);
  } finally {
    await rt.close();
    await db.drop();
  }
}

async function measure(rt: EngineRuntime, instances: number, concurrency: number, perTransaction: number): Promise<void> {
  const queue: NodeJob[] = [];
  (rt.ports as { dispatcher: unknown }).dispatcher = {
    dispatch: async (jobs: readonly NodeJob[]) => void queue.push(...jobs),
    scheduleSlaChecks: async () => undefined,
  };
  const admin: Actor = { tenantId: TENANT, userId: 'admin', roles: ['admin'] };
  const def = await rt.services.definitions.create(admin, serviceChainDefinition('micro', Number(process.env['MICRO_STEPS'] ?? 5)));
  await rt.services.definitions.setActive(admin, def.id, true);
  const parked = Number(process.env['MICRO_PARKED'] ?? 0);
  if (parked > 0) {
    const probe = new ProbeDb(rt.config.databaseUrl);
    try {
      await seedParked(probe, TENANT, def.id, parked);
    } finally {
      await probe.end();
    }
  }
  const run = async (n: number): Promise<number> => {
    for (let i = 0; i < n; i++) await rt.services.instances.start(admin, { workflowName: 'micro' });
    let steps = 0;
    const worker = async (): Promise<void> => {
      for (;;) {
        const job = queue.shift();
        if (!job) return;
        const result = await executeNode(rt.ports, job, { attempt: 1, finalAttempt: true, maxInlineSteps: perTransaction });
        steps += 1 + (result.inlineSteps?.length ?? 0);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return steps;
  };
  await run(50); // warm-up
  const pids = (await rt.store.pool.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE application_name = 'workflow-micro'`)).rows.map((r) => r.pid);
  const cpu = () => ({ node: process.cpuUsage().user + process.cpuUsage().system, pg: pids.reduce((s, p) => s + cpuOf(p), 0) });
  queue.length = 0;
  const c0 = cpu();
  const t0 = performance.now();
  const steps = await run(instances);
  const secs = (performance.now() - t0) / 1000;
  const c1 = cpu();
  // starts are counted in, as in W1
  console.log(JSON.stringify({ steps, secs: +secs.toFixed(2), stepsPerSec: Math.round(steps / secs), nodeCpuUsPerStep: Math.round((c1.node - c0.node) / steps), pgCpuUsPerStep: Math.round((c1.pg - c0.pg) / steps), backends: pids.length }));
}
void main().then(() => process.exit(0), (err) => { console.error(err); process.exit(1); });
