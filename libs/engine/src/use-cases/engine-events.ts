/**
 * What the engine reports after a commit. Metrics, logs and tests listen to the same events, so a
 * test waits for "instance finished" instead of sleeping.
 */

import type { InstanceStatus, NodeJob, TriggerType } from '../runtime/model';

export type EngineEvent =
  /** a job's step (or a step run inline after it) committed */
  | { readonly type: 'step_committed'; readonly tenantId: string; readonly instanceId: string; readonly executionId: string; readonly job: NodeJob['kind']; readonly inline: boolean }
  | { readonly type: 'instance_started'; readonly tenantId: string; readonly instanceId: string; readonly definitionId: string; readonly triggerType: TriggerType }
  /** the instance left `running` (completed, rejected, failed or cancelled) */
  | { readonly type: 'instance_finished'; readonly tenantId: string; readonly instanceId: string; readonly status: Exclude<InstanceStatus, 'running'> }
  | { readonly type: 'task_decided'; readonly tenantId: string; readonly instanceId: string; readonly taskId: string; readonly action: string; readonly actorUserId: string }
  /** a task now waits for someone: just created, or escalated (notifications listen: mail its holders) */
  | {
    readonly type: 'task_waiting';
    readonly tenantId: string;
    readonly instanceId: string;
    readonly taskId: string;
    readonly nodeId: string;
    readonly reason: 'created' | 'escalated' | 'reminder';
    /** an escalation ladder level that says `notify`: mail even where the node does not */
    readonly notify?: boolean;
  }
  /** a task passed its deadline: its breach is recorded, and `escalated` when escalation moved it */
  | { readonly type: 'task_escalated'; readonly tenantId: string; readonly instanceId: string; readonly executionId: string; readonly escalated: boolean }
  /** an event or cron trigger fired; `created` false when its idempotency key had started it already */
  | { readonly type: 'trigger_fired'; readonly tenantId: string; readonly definitionId: string; readonly trigger: 'event' | 'cron'; readonly instanceId: string; readonly created: boolean }
  /**
   * the jobs or deadline checks of a committed change could not be handed to the queue; nothing is
   * lost (reconciliation re-dispatches ready work, the SLA sweep finds deadlines)
   */
  | { readonly type: 'effects_deferred'; readonly what: 'jobs' | 'sla_checks'; readonly count: number; readonly error: string };

export type EngineEventType = EngineEvent['type'];
