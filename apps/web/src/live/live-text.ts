/** What the live region says, and what the indicator shows, for the task queue's live updates. */

export type LiveStatus = 'connecting' | 'live' | 'reconnecting';

type QueueChangeKind = 'ENTERED' | 'LEFT' | 'UPDATED' | 'RESYNC';

export interface TaskQueueChange {
  readonly change: QueueChangeKind;
  readonly taskId: string | null;
  readonly instanceId: string | null;
  readonly task: { readonly taskName: string; readonly workflowName: string; readonly urgencyLevel: string } | null;
}

/** `1 new task`, `3 new tasks, 1 task left your queue`, or '' when nothing entered or left. */
export function queueAnnouncement(entered: number, left: number): string {
  const parts: string[] = [];
  if (entered > 0) parts.push(`${entered} new ${entered === 1 ? 'task' : 'tasks'}`);
  if (left > 0) parts.push(`${left} ${left === 1 ? 'task' : 'tasks'} left your queue`);
  return parts.join(', ');
}

export const STATUS_TEXT: Record<LiveStatus, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
};

/** Wait before the `attempt`-th reconnection (0-based): 1 s, 2 s, 4 s, … at most 30 s. */
export function retryDelayMs(attempt: number): number {
  return Math.min(30_000, 1000 * 2 ** Math.max(0, attempt));
}

/** A `next` payload's change, or null when it is not one (an error result, an unknown shape). */
export function changeOf(payload: unknown): TaskQueueChange | null {
  const data = (payload as { data?: { taskQueueChanged?: unknown } } | null)?.data?.taskQueueChanged;
  if (typeof data !== 'object' || data === null) return null;
  const c = data as Record<string, unknown>;
  if (c['change'] !== 'ENTERED' && c['change'] !== 'LEFT' && c['change'] !== 'UPDATED' && c['change'] !== 'RESYNC') return null;
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  const task = typeof c['task'] === 'object' && c['task'] !== null ? (c['task'] as TaskQueueChange['task']) : null;
  return { change: c['change'], taskId: str(c['taskId']), instanceId: str(c['instanceId']), task };
}
