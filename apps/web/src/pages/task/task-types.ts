/**
 * The task answers the app reads, as libs/http/src/response-schemas.ts describes them (the app
 * keeps its own copy of the shapes: it is built apart from the engine's libraries).
 */

export type UrgencyLevel = 'OVERDUE' | 'AT_RISK' | 'URGENT' | 'NORMAL';
export const URGENCY_LEVELS: readonly UrgencyLevel[] = ['OVERDUE', 'AT_RISK', 'URGENT', 'NORMAL'];

export type TaskAction = 'approve' | 'reject' | 'delegate' | 'complete' | 'return' | 'claim' | 'release' | 'reassign';

type JsonObject = Record<string, unknown>;

/** One row of `GET /api/tasks/mine` and `GET /api/tasks`. */
export interface TaskItem {
  readonly taskId: string;
  readonly instanceId: string;
  readonly workflowName: string;
  readonly taskName: string;
  readonly nodeId: string;
  readonly nodeType: string;
  readonly urgencyLevel: UrgencyLevel;
  readonly hoursRemaining: number | null;
  readonly isOverdue: boolean;
  readonly slaDeadline: string | null;
  readonly assignedUserId: string | null;
  readonly assignedRole: string | null;
  readonly candidateUsers: readonly string[];
  readonly claimedAt: string | null;
  readonly startedBy: string;
  readonly atRiskAt: string | null;
  readonly onBehalfOf: string | null;
  readonly contextEntityType: string | null;
  readonly contextEntityId: string | null;
  readonly contextData: JsonObject;
  readonly createdAt: string;
}

export interface PageOf<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

interface Vote {
  readonly userId: string;
  readonly onBehalfOf: string | null;
  readonly decision: 'approved' | 'rejected';
  readonly comments: string | null;
  readonly at: string;
}

type Forecast =
  | { readonly available: true; readonly finishAt: string; readonly atRisk: boolean; readonly atRiskAt: string | null; readonly model: string }
  | { readonly available: false; readonly reason: string };

/** `GET /api/tasks/:id` */
export interface TaskDetail {
  readonly taskId: string;
  readonly instanceId: string;
  readonly workflowName: string;
  readonly workflowVersion: number;
  readonly taskName: string;
  readonly nodeId: string;
  readonly nodeType: string;
  readonly status: string;
  readonly instanceStatus: string;
  readonly startedBy: string;
  readonly assignedUserId: string | null;
  readonly assignedRole: string | null;
  readonly candidateUsers: readonly string[];
  readonly escalationRole: string | null;
  readonly escalatedAt: string | null;
  readonly claimedAt: string | null;
  readonly slaDeadline: string | null;
  readonly urgencyLevel: UrgencyLevel | null;
  readonly hoursRemaining: number | null;
  readonly isOverdue: boolean;
  readonly decision: 'approved' | 'rejected' | 'completed' | 'returned' | null;
  readonly decidedBy: string | null;
  readonly onBehalfOf: string | null;
  readonly comments: string | null;
  readonly revision: { readonly round: number; readonly fromNodeId: string; readonly by: string; readonly comments: string; readonly at: string } | null;
  readonly quorum: {
    readonly required: number;
    readonly approvals: number;
    readonly rejections: number;
    readonly electorate: number | null;
    readonly rejectPolicy: 'any' | 'quorum';
    readonly votes: readonly Vote[];
  } | null;
  readonly returnTo: string | null;
  readonly rounds: { readonly used: number; readonly max: number } | null;
  readonly forecast: Forecast;
  readonly allowedActions: readonly TaskAction[];
  readonly actingFor: string | null;
  readonly contextEntityType: string | null;
  readonly contextEntityId: string | null;
  readonly contextData: JsonObject;
  readonly formSchema: JsonObject | null;
  readonly createdAt: string | null;
  readonly completedAt: string | null;
}

/** What approve, reject, return and complete answer. */
export interface TaskDecision {
  readonly taskId: string;
  readonly instanceId: string;
  readonly status: 'completed' | 'waiting';
  readonly decision?: 'approved' | 'rejected' | 'returned';
  readonly vote?: { readonly decision: 'approved' | 'rejected'; readonly approvals: number; readonly rejections: number; readonly required: number; readonly outcome: 'approved' | 'rejected' | null };
}

export interface CommentItem {
  readonly id: string;
  readonly instanceId: string;
  readonly authorUserId: string;
  readonly text: string;
  readonly createdAt: string;
}

export type { HistoryItemDto as HistoryItem } from '../../api/types';

/** The query keys the inbox and the task page share, so a decision refreshes both. */
export const taskKeys = {
  all: ['tasks'] as const,
  list: (scope: string, filters: unknown) => ['tasks', 'list', scope, filters] as const,
  detail: (taskId: string) => ['tasks', 'detail', taskId] as const,
  comments: (instanceId: string) => ['instances', instanceId, 'comments'] as const,
  history: (instanceId: string) => ['instances', instanceId, 'history'] as const,
};
