import type { Actor } from '@wf/engine';
import { listWorkflowAnalytics, type PgStore } from '@wf/db';
import type { AnalyticsService, WorkflowAnalyticsDto } from './service.types';

const num = (v: string | null): number | null => (v === null ? null : Number(v));

export class AnalyticsServiceImpl implements AnalyticsService {
  constructor(private readonly store: PgStore) {}

  async workflows(actor: Actor): Promise<{ items: WorkflowAnalyticsDto[] }> {
    const rows = await this.store.inTenant(actor.tenantId, (tx) => listWorkflowAnalytics(tx));
    return {
      items: rows.map((r) => ({
        workflowName: r.workflow_name,
        totalInstances: r.total_instances,
        runningInstances: r.running_instances,
        completedInstances: r.completed_instances,
        rejectedInstances: r.rejected_instances,
        failedInstances: r.failed_instances,
        cancelledInstances: r.cancelled_instances,
        slaCompliancePercentage: num(r.sla_compliance_percentage),
        avgCompletionHours: num(r.avg_completion_hours),
      })),
    };
  }
}
