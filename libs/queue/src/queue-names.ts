/** Queue names and job ids. BullMQ job ids may not contain ':' nor be all digits. */

import type { NodeJob, SlaCheck } from '@wf/engine';

/** Node executions that are ready to run. */
export const NODE_QUEUE = 'node-executions';

/** Delayed checks at task deadlines (escalation). */
export const SLA_QUEUE = 'sla-checks';

/** Every queue the engine uses (Bull Board shows these). */
export const ALL_QUEUES = [NODE_QUEUE, SLA_QUEUE] as const;

/** One check per task and deadline. */
export function slaJobId(check: Pick<SlaCheck, 'executionId' | 'dueAt'>): string {
  return `sla-${check.executionId}-${check.dueAt.getTime()}`;
}

/** One job per execution, generation and kind: enqueueing twice is harmless. */
export function nodeJobId(job: Pick<NodeJob, 'executionId' | 'generation' | 'kind'>): string {
  return `exec-${job.executionId}-g${job.generation}${job.kind === 'resume' ? '-resume' : ''}`;
}

/**
 * A job's data as the engine's union. Jobs written before `kind` was required carried it only
 * for resumes (`kind: 'resume'`), so a job without one is a run.
 */
export function nodeJobOf(data: Omit<NodeJob, 'kind'> & { readonly kind?: NodeJob['kind'] }): NodeJob {
  return { ...data, kind: data.kind === 'resume' ? 'resume' : 'run' };
}
