/**
 * Every run checks what it drove, straight from Postgres (as the superuser, past RLS): each
 * instance reached exactly one terminal state (status completed, completed_at set, one terminal
 * history event), each expected node ran exactly once (one execution row per node id, one
 * `node_completed` event per execution, step_count as expected).
 */

import type { ProbeDb } from './bench-resources';
import { sleep } from './stats';

export interface Correctness {
  readonly instances: number;
  readonly completed: number;
  /** still running after the drain timeout */
  readonly running: number;
  readonly missing: number;
  /** expected node executions that never completed */
  readonly lostSteps: number;
  /** per instance the largest of: extra execution rows per node id, extra node_completed events, step_count above expectation */
  readonly duplicateSteps: number;
  /** instances without exactly one terminal history event */
  readonly badTerminal: number;
}

export const NO_PROBLEMS: Correctness = { instances: 0, completed: 0, running: 0, missing: 0, lostSteps: 0, duplicateSteps: 0, badTerminal: 0 };

export function mergeCorrectness(a: Correctness, b: Correctness): Correctness {
  return {
    instances: a.instances + b.instances,
    completed: a.completed + b.completed,
    running: a.running + b.running,
    missing: a.missing + b.missing,
    lostSteps: a.lostSteps + b.lostSteps,
    duplicateSteps: a.duplicateSteps + b.duplicateSteps,
    badTerminal: a.badTerminal + b.badTerminal,
  };
}

export function isClean(c: Correctness): boolean {
  return c.lostSteps === 0 && c.duplicateSteps === 0 && c.badTerminal === 0 && c.running === 0 && c.missing === 0 && c.completed === c.instances;
}

/** Wait until none of `ids` is running any more (or the timeout passes). */
export async function drain(db: ProbeDb, ids: readonly string[], timeoutSeconds: number, table = 'workflow_instances'): Promise<number> {
  const until = Date.now() + timeoutSeconds * 1000;
  for (;;) {
    const r = await db.query<{ n: string }>(
      `SELECT count(*) AS n FROM ${table} WHERE id = ANY ($1::uuid[]) AND status = 'running'`,
      [ids],
    );
    const running = Number(r.rows[0]?.n ?? 0);
    if (running === 0 || Date.now() > until) return running;
    await sleep(200);
  }
}

export async function checkInstances(
  db: ProbeDb,
  ids: readonly string[],
  expectedNodeIds: readonly string[],
  expectedStepCount: number,
): Promise<Correctness> {
  if (ids.length === 0) return NO_PROBLEMS;
  const r = await db.query<Record<string, string>>(
    `WITH ids AS (SELECT DISTINCT unnest($1::uuid[]) AS id),
     inst AS (SELECT ids.id, i.status, i.completed_at, i.step_count FROM ids LEFT JOIN workflow_instances i ON i.id = ids.id),
     nodes AS (SELECT instance_id, node_id, count(*) AS c, count(*) FILTER (WHERE status = 'completed') AS done
               FROM workflow_instance_nodes WHERE instance_id = ANY ($1::uuid[]) GROUP BY 1, 2),
     node_agg AS (SELECT instance_id, sum(c - 1) AS dup_rows,
                    count(*) FILTER (WHERE done > 0 AND node_id = ANY ($2::text[])) AS done_nodes
                  FROM nodes GROUP BY 1),
     hist AS (SELECT instance_id, node_execution_id, event_type, count(*) AS c FROM workflow_instance_history
              WHERE instance_id = ANY ($1::uuid[])
                AND event_type IN ('node_completed', 'instance_completed', 'instance_rejected', 'instance_failed', 'instance_cancelled')
              GROUP BY 1, 2, 3),
     hist_agg AS (SELECT instance_id,
                    coalesce(sum(c - 1) FILTER (WHERE event_type = 'node_completed'), 0) AS dup_events,
                    coalesce(sum(c) FILTER (WHERE event_type <> 'node_completed'), 0) AS terminal_events
                  FROM hist GROUP BY 1)
     SELECT count(*) AS n,
       count(*) FILTER (WHERE inst.status IS NULL) AS missing,
       count(*) FILTER (WHERE inst.status = 'completed' AND inst.completed_at IS NOT NULL) AS completed,
       count(*) FILTER (WHERE inst.status = 'running') AS running,
       coalesce(sum(greatest($3::int - coalesce(na.done_nodes, 0), 0)), 0) AS lost,
       coalesce(sum(greatest(coalesce(na.dup_rows, 0), coalesce(ha.dup_events, 0), greatest(coalesce(inst.step_count, 0) - $4::int, 0))), 0) AS dup,
       count(*) FILTER (WHERE coalesce(ha.terminal_events, 0) <> 1) AS bad_terminal
     FROM inst LEFT JOIN node_agg na ON na.instance_id = inst.id LEFT JOIN hist_agg ha ON ha.instance_id = inst.id`,
    [ids, expectedNodeIds, expectedNodeIds.length, expectedStepCount],
  );
  const row = r.rows[0] ?? {};
  const n = (k: string) => Number(row[k] ?? 0);
  return {
    instances: n('n'),
    completed: n('completed'),
    running: n('running'),
    missing: n('missing'),
    lostSteps: n('lost'),
    duplicateSteps: n('dup'),
    badTerminal: n('bad_terminal'),
  };
}
