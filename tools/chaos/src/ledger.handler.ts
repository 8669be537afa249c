/**
 * The chaos suite's plugin service type `ledger` (loaded through WORKFLOW_HANDLER_MODULES).
 *
 * Each run writes one row keyed by the node execution into `chaos_ledger`: the side effect the
 * suite counts. A second run of the same execution (a step re-delivered after its worker died
 * between the side effect and the commit of its result) hits the key, changes nothing, and is
 * counted in `chaos_ledger_repeats`: a re-delivery the unique key absorbed. Every attempt is also
 * noted in `chaos_attempts` with the worker's pid, so the suite knows what a killed worker had in
 * hand.
 *
 * The tables live in the chaos database outside RLS; the handler connects as the superuser
 * through its own small pool, from CHAOS_LEDGER_URL. `serviceConfig.delayMs` (default 0) makes the
 * step take a while before its side effect, so that faults land in the middle of steps.
 */

import { Pool } from 'pg';
import type { ServiceCallContext, ServiceHandler, ServiceResult } from '@wf/engine';

const LEDGER_SERVICE_TYPE = 'ledger';

/** The tables the handler writes (created by the suite before the engine starts). */
export const LEDGER_TABLES_SQL = `
  CREATE TABLE IF NOT EXISTS chaos_ledger (
    execution_id uuid PRIMARY KEY,
    instance_id  uuid NOT NULL,
    node_id      text NOT NULL,
    pid          integer NOT NULL,
    at           timestamptz NOT NULL DEFAULT clock_timestamp()
  );
  CREATE INDEX IF NOT EXISTS chaos_ledger_instance ON chaos_ledger (instance_id, node_id);
  CREATE TABLE IF NOT EXISTS chaos_ledger_repeats (
    id           bigserial PRIMARY KEY,
    execution_id uuid NOT NULL,
    pid          integer NOT NULL,
    at           timestamptz NOT NULL DEFAULT clock_timestamp()
  );
  CREATE TABLE IF NOT EXISTS chaos_attempts (
    id           bigserial PRIMARY KEY,
    execution_id uuid NOT NULL,
    instance_id  uuid NOT NULL,
    node_id      text NOT NULL,
    pid          integer NOT NULL,
    attempt      integer NOT NULL,
    at           timestamptz NOT NULL DEFAULT clock_timestamp()
  );
  CREATE INDEX IF NOT EXISTS chaos_attempts_pid ON chaos_attempts (pid, at);
`;

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Error('ledger step aborted'));
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
}

function createLedgerHandler(pool: Pool): ServiceHandler {
  return {
    type: LEDGER_SERVICE_TYPE,
    async execute(call: ServiceCallContext): Promise<ServiceResult> {
      const delayMs = typeof call.config['delayMs'] === 'number' ? call.config['delayMs'] : 0;
      await pool.query(`INSERT INTO chaos_attempts (execution_id, instance_id, node_id, pid, attempt) VALUES ($1, $2, $3, $4, $5)`, [
        call.executionId,
        call.instanceId,
        call.nodeId,
        process.pid,
        call.attempt,
      ]);
      await abortableSleep(delayMs, call.signal);
      const written = await pool.query(
        `INSERT INTO chaos_ledger (execution_id, instance_id, node_id, pid) VALUES ($1, $2, $3, $4)
         ON CONFLICT (execution_id) DO NOTHING`,
        [call.executionId, call.instanceId, call.nodeId, process.pid],
      );
      if (written.rowCount === 0) {
        await pool.query(`INSERT INTO chaos_ledger_repeats (execution_id, pid) VALUES ($1, $2)`, [call.executionId, process.pid]);
      }
      return { contextUpdates: { [call.nodeId]: true }, output: { ledger: call.executionId, pid: process.pid } };
    },
  };
}

/**
 * Plugin entry: `register(registry)`. Refuses to load without CHAOS_LEDGER_URL.
 * @public loaded by path through WORKFLOW_HANDLER_MODULES, so no import names it
 */
export function register(registry: { register(handler: ServiceHandler): unknown }): void {
  const url = process.env['CHAOS_LEDGER_URL'];
  if (!url) throw new Error('CHAOS_LEDGER_URL is not set: the ledger handler needs the chaos database');
  const pool = new Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 2000, application_name: 'chaos-ledger' });
  // an idle connection dropped by a Postgres restart must not crash the worker
  pool.on('error', () => undefined);
  registry.register(createLedgerHandler(pool));
}
