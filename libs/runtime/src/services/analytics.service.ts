import type { Actor } from '@wf/engine';
import { listNodeAnalytics, listVersionAnalytics, listWorkflowAnalytics, listWorkflowAnalyticsIn, type PgStore, type WorkflowAnalyticsRow } from '@wf/db';
import type { AnalyticsQuery, AnalyticsService, NodeAnalyticsDto, WorkflowAnalyticsDto, WorkflowDetailAnalyticsDto } from './service.types';

const num = (v: string | null): number | null => (v === null ? null : Number(v));

function totals(r: WorkflowAnalyticsRow): WorkflowAnalyticsDto {
  return {
    workflowName: r.workflow_name,
    totalInstances: r.total_instances,
    runningInstances: r.running_instances,
    completedInstances: r.completed_instances,
    rejectedInstances: r.rejected_instances,
    failedInstances: r.failed_instances,
    cancelledInstances: r.cancelled_instances,
    slaCompliancePercentage: num(r.sla_compliance_percentage),
    avgCompletionHours: num(r.avg_completion_hours),
  };
}

export class AnalyticsServiceImpl implements AnalyticsService {
  constructor(private readonly store: PgStore) {}

  async workflows(actor: Actor, query: AnalyticsQuery = {}): Promise<{ items: (WorkflowAnalyticsDto | WorkflowDetailAnalyticsDto)[]; from?: string | null; to?: string | null }> {
    const windowed = query.from !== undefined || query.to !== undefined;
    if (!windowed && !query.detail) {
      const rows = await this.store.inTenant(actor.tenantId, (tx) => listWorkflowAnalytics(tx));
      return { items: rows.map(totals) };
    }
    const window = { from: query.from ?? null, to: query.to ?? null };
    const [rows, versions, nodes] = await this.store.inTenant(actor.tenantId, async (tx) => [
      await listWorkflowAnalyticsIn(tx, window),
      await listVersionAnalytics(tx, window),
      await listNodeAnalytics(tx, window),
    ] as const);
    const items = rows.map((r): WorkflowDetailAnalyticsDto => {
      const mine: NodeAnalyticsDto[] = nodes
        .filter((n) => n.workflow_name === r.workflow_name)
        .map((n) => ({
          nodeId: n.node_id,
          nodeType: n.node_type,
          executions: n.executions,
          p50Hours: num(n.p50_hours),
          p90Hours: num(n.p90_hours),
          avgHours: num(n.avg_hours),
          slaBreaches: n.sla_breaches,
          atRisk: n.at_risk,
          open: n.open,
        }));
      const slowest = mine.filter((n) => n.avgHours !== null).sort((a, b) => (b.avgHours ?? 0) - (a.avgHours ?? 0))[0];
      return {
        ...totals(r),
        atRiskTasks: mine.reduce((sum, n) => sum + n.atRisk, 0),
        versions: versions
          .filter((v) => v.workflow_name === r.workflow_name)
          .map((v) => ({
            version: v.version,
            definitionId: v.definition_id,
            totalInstances: v.total_instances,
            completedInstances: v.completed_instances,
            slaCompliancePercentage: num(v.sla_compliance_percentage),
            p50CompletionHours: num(v.p50_hours),
            p90CompletionHours: num(v.p90_hours),
            slaBreaches: v.sla_breaches,
          })),
        nodes: mine,
        slowestNode: slowest ? { nodeId: slowest.nodeId, avgHours: slowest.avgHours ?? 0 } : null,
      };
    });
    return { items, from: query.from?.toISOString() ?? null, to: query.to?.toISOString() ?? null };
  }
}
