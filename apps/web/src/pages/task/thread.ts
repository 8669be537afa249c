/**
 * An instance's conversation as the task page shows it: the comment thread
 * (`GET /api/instances/:id/comments`) together with the comments people gave with their decisions
 * (approve, reject, send back, delegate, …), which the API keeps in the history
 * (`GET /api/instances/:id/history`, `details.comments`), oldest first.
 */

import type { CommentItem, HistoryItem } from './task-types';

export interface ThreadEntry {
  readonly id: string;
  readonly author: string;
  readonly text: string;
  readonly at: string;
  /** what the author did with it: `commented`, `approved`, `rejected`, … */
  readonly action: string;
}

const DECISION_EVENTS: Record<string, string> = {
  task_approved: 'approved',
  task_rejected: 'rejected',
  task_returned: 'sent back for revision',
  task_delegated: 'delegated',
  task_claimed: 'claimed',
  task_released: 'released',
  task_reassigned: 'reassigned',
  task_voted: 'voted',
};

function detailsOf(item: HistoryItem): Record<string, unknown> {
  return typeof item.details === 'object' && item.details !== null ? (item.details as Record<string, unknown>) : {};
}

function actionOf(item: HistoryItem): string {
  const details = detailsOf(item);
  const base = DECISION_EVENTS[item.eventType] ?? item.eventType;
  if (item.eventType === 'task_voted' && typeof details['decision'] === 'string') return `voted: ${details['decision']}`;
  if ((item.eventType === 'task_delegated' || item.eventType === 'task_reassigned') && typeof details['toUserId'] === 'string') {
    return `${base} to ${details['toUserId']}`;
  }
  if (item.eventType === 'task_reassigned' && typeof details['toRole'] === 'string') return `${base} to role ${details['toRole']}`;
  return base;
}

export function threadOf(comments: readonly CommentItem[], history: readonly HistoryItem[]): ThreadEntry[] {
  const entries: ThreadEntry[] = comments.map((c) => ({ id: c.id, author: c.authorUserId, text: c.text, at: c.createdAt, action: 'commented' }));
  for (const item of history) {
    if (!(item.eventType in DECISION_EVENTS)) continue;
    const text = detailsOf(item)['comments'];
    if (typeof text !== 'string' || text.trim() === '') continue;
    entries.push({ id: item.id, author: item.actorUserId ?? 'system', text, at: item.createdAt, action: actionOf(item) });
  }
  // stable: equal times keep comments first, in the API's order
  return entries
    .map((e, i) => ({ e, i }))
    .sort((a, b) => Date.parse(a.e.at) - Date.parse(b.e.at) || a.i - b.i)
    .map(({ e }) => e);
}
