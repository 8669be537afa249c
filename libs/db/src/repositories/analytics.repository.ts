import type { PgTx } from '../store/pg-store';

export interface WorkflowAnalyticsRow {
  workflow_name: string;
  total_instances: number;
  running_instances: number;
  completed_instances: number;
  rejected_instances: number;
  failed_instances: number;
  cancelled_instances: number;
  sla_compliance_percentage: string | null;
  avg_completion_hours: string | null;
}

/** Per workflow name (all versions) with instances, from v_workflow_analytics under the tenant's RLS. */
export async function listWorkflowAnalytics(tx: PgTx): Promise<WorkflowAnalyticsRow[]> {
  const r = await tx.query<WorkflowAnalyticsRow>(
    `SELECT workflow_name, total_instances, running_instances, completed_instances, rejected_instances, failed_instances,
       cancelled_instances, sla_compliance_percentage, avg_completion_hours
     FROM v_workflow_analytics ORDER BY workflow_name`,
  );
  return r.rows;
}

/**
 * Finished instances that met their deadline, %: as v_workflow_analytics counts it (the deadline
 * moved by any clock-stop, so on net time).
 */
const SLA_COMPLIANCE_SQL = `round(100.0 * count(*) FILTER (WHERE i.status IN ('completed', 'rejected') AND (i.sla_deadline IS NULL OR i.completed_at <= i.sla_deadline))
             / NULLIF(count(*) FILTER (WHERE i.status IN ('completed', 'rejected')), 0), 2)`;

/** A time window over instance starts: [from, to); either end open. */
export interface AnalyticsWindow {
  readonly from: Date | null;
  readonly to: Date | null;
}

/** The totals of `v_workflow_analytics`, for the instances started in a window. */
export async function listWorkflowAnalyticsIn(tx: PgTx, w: AnalyticsWindow): Promise<WorkflowAnalyticsRow[]> {
  const r = await tx.query<WorkflowAnalyticsRow>(
    `SELECT d.name AS workflow_name,
       count(*)::integer AS total_instances,
       (count(*) FILTER (WHERE i.status = 'running'))::integer AS running_instances,
       (count(*) FILTER (WHERE i.status = 'completed'))::integer AS completed_instances,
       (count(*) FILTER (WHERE i.status = 'rejected'))::integer AS rejected_instances,
       (count(*) FILTER (WHERE i.status = 'failed'))::integer AS failed_instances,
       (count(*) FILTER (WHERE i.status = 'cancelled'))::integer AS cancelled_instances,
       ${SLA_COMPLIANCE_SQL} AS sla_compliance_percentage,
       round((avg(extract(epoch FROM (i.completed_at - i.started_at)) / 3600) FILTER (WHERE i.status = 'completed'))::numeric, 2) AS avg_completion_hours
     FROM workflow_instances i JOIN workflow_definitions d ON d.id = i.definition_id
     WHERE ($1::timestamptz IS NULL OR i.started_at >= $1) AND ($2::timestamptz IS NULL OR i.started_at < $2)
     GROUP BY d.name ORDER BY d.name`,
    [w.from, w.to],
  );
  return r.rows;
}

export interface VersionAnalyticsRow {
  workflow_name: string;
  version: number;
  definition_id: string;
  total_instances: number;
  completed_instances: number;
  sla_compliance_percentage: string | null;
  p50_hours: string | null;
  p90_hours: string | null;
  /** finished later than the SLA deadline (net of clock-stop) */
  sla_breaches: number;
}

/** Per definition version: counts, compliance and completion-time percentiles of the instances started in the window. */
export async function listVersionAnalytics(tx: PgTx, w: AnalyticsWindow): Promise<VersionAnalyticsRow[]> {
  const r = await tx.query<VersionAnalyticsRow>(
    `SELECT d.name AS workflow_name, d.version, d.id AS definition_id,
       count(*)::integer AS total_instances,
       (count(*) FILTER (WHERE i.status = 'completed'))::integer AS completed_instances,
       ${SLA_COMPLIANCE_SQL} AS sla_compliance_percentage,
       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM (i.completed_at - i.started_at))) FILTER (WHERE i.status = 'completed') / 3600)::numeric, 2) AS p50_hours,
       round((percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM (i.completed_at - i.started_at))) FILTER (WHERE i.status = 'completed') / 3600)::numeric, 2) AS p90_hours,
       (count(*) FILTER (WHERE i.completed_at > i.sla_deadline))::integer AS sla_breaches
     FROM workflow_instances i JOIN workflow_definitions d ON d.id = i.definition_id
     WHERE ($1::timestamptz IS NULL OR i.started_at >= $1) AND ($2::timestamptz IS NULL OR i.started_at < $2)
     GROUP BY d.name, d.version, d.id ORDER BY d.name, d.version`,
    [w.from, w.to],
  );
  return r.rows;
}

export interface NodeAnalyticsRow {
  workflow_name: string;
  node_id: string;
  node_type: string;
  executions: number;
  p50_hours: string | null;
  p90_hours: string | null;
  avg_hours: string | null;
  sla_breaches: number;
  at_risk: number;
  /** waiting now */
  open: number;
}

/**
 * Per node of each workflow: how often it ran for the instances started in the window, how long
 * it took (from start to finish of each execution), deadline breaches and at-risk marks. The
 * executions are reached through the window's instances (`idx_workflow_instance_nodes_instance`),
 * never by scanning history.
 */
export async function listNodeAnalytics(tx: PgTx, w: AnalyticsWindow): Promise<NodeAnalyticsRow[]> {
  const r = await tx.query<NodeAnalyticsRow>(
    `SELECT d.name AS workflow_name, n.node_id, min(n.node_type) AS node_type,
       count(*)::integer AS executions,
       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM (n.completed_at - n.started_at))) FILTER (WHERE n.completed_at IS NOT NULL AND n.started_at IS NOT NULL) / 3600)::numeric, 4) AS p50_hours,
       round((percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM (n.completed_at - n.started_at))) FILTER (WHERE n.completed_at IS NOT NULL AND n.started_at IS NOT NULL) / 3600)::numeric, 4) AS p90_hours,
       round((avg(extract(epoch FROM (n.completed_at - n.started_at)) / 3600) FILTER (WHERE n.completed_at IS NOT NULL AND n.started_at IS NOT NULL))::numeric, 4) AS avg_hours,
       (count(*) FILTER (WHERE n.sla_breached_at IS NOT NULL))::integer AS sla_breaches,
       (count(*) FILTER (WHERE n.at_risk_at IS NOT NULL))::integer AS at_risk,
       (count(*) FILTER (WHERE n.status = 'waiting'))::integer AS open
     FROM workflow_instances i
     JOIN workflow_definitions d ON d.id = i.definition_id
     JOIN workflow_instance_nodes n ON n.instance_id = i.id
     WHERE ($1::timestamptz IS NULL OR i.started_at >= $1) AND ($2::timestamptz IS NULL OR i.started_at < $2)
     GROUP BY d.name, n.node_id ORDER BY d.name, n.node_id`,
    [w.from, w.to],
  );
  return r.rows;
}
