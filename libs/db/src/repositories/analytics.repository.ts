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
