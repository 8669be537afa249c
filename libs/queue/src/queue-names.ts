/** Queue names and job ids. BullMQ job ids may not contain ':' nor be all digits. */

import type { NodeJob } from '@wf/engine';

/** Node executions that are ready to run. */
export const NODE_QUEUE = 'node-executions';

/** Every queue the engine uses (Bull Board shows these). */
export const ALL_QUEUES = [NODE_QUEUE] as const;

/** One job per execution and generation: enqueueing twice is harmless. */
export function nodeJobId(job: Pick<NodeJob, 'executionId' | 'generation' | 'kind'>): string {
  return `exec-${job.executionId}-g${job.generation}${job.kind === 'resume' ? '-resume' : ''}`;
}
