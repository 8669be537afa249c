/** What the instance page shows, from the API's answers: labels, the actions offered, the history's chain. */

import type { HistoryItemDto } from '../../api/types';

interface ExecutionErrorDto {
  readonly code?: string;
  readonly message?: string;
  readonly details?: unknown;
}

interface WaitDto {
  readonly waitingFor: string;
  readonly wakeAt: string | null;
  readonly dueAt: string | null;
  readonly messageName: string | null;
  readonly correlationKey: string | null;
  readonly callbackUrl: string | null;
}

export interface NodeExecutionDto {
  readonly id: string;
  readonly nodeId: string;
  readonly nodeType: string;
  readonly name: string;
  readonly status: string;
  readonly assignedUserId: string | null;
  readonly assignedRole: string | null;
  readonly decision: string | null;
  readonly comments: string | null;
  readonly attempts: number;
  readonly error: unknown;
  readonly slaDeadline: string | null;
  readonly startedAt: string | null;
  readonly completedAt: string | null;
  readonly wait: WaitDto | null;
  readonly atRiskAt: string | null;
}

export interface InstanceDetailDto {
  readonly id: string;
  readonly status: string;
  readonly workflowDefinitionId: string;
  readonly workflowName: string;
  readonly workflowVersion: number;
  readonly contextEntityType: string | null;
  readonly contextEntityId: string | null;
  readonly contextData: Record<string, unknown>;
  readonly triggerType: string;
  readonly startedBy: string;
  readonly parentInstanceId: string | null;
  readonly slaDeadline: string | null;
  readonly startedAt: string;
  readonly completedAt: string | null;
  readonly cancelReason: string | null;
  readonly slaPausedHours: number;
  readonly atRisk: boolean;
  readonly nodes: readonly NodeExecutionDto[];
}

export type { HistoryItemDto };

export interface HistoryVerificationDto {
  readonly valid: boolean;
  readonly checked: number;
  readonly brokenAt: string | null;
}

/** Statuses in which the instance can still be cancelled (the API decides; it refuses otherwise). */
const CANCELLABLE = new Set(['running', 'waiting']);

/** The buttons the page offers for an instance in `status`. */
export function instanceActions(status: string): { cancel: boolean; retry: boolean } {
  return { cancel: CANCELLABLE.has(status), retry: status === 'failed' };
}

/** Whether the page keeps asking for news (the instance can still change by itself). */
export function isLive(status: string): boolean {
  return status === 'running';
}

/** `task_approved` -> `Task approved`. */
export function eventLabel(eventType: string): string {
  const text = eventType.replace(/_/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** An execution's error as text: `CODE: message`. */
export function errorText(error: unknown): string | null {
  if (error === null || error === undefined) return null;
  if (typeof error === 'string') return error;
  if (typeof error === 'object') {
    const e = error as ExecutionErrorDto;
    const message = typeof e.message === 'string' ? e.message : JSON.stringify(error);
    return typeof e.code === 'string' ? `${e.code}: ${message}` : message;
  }
  return String(error);
}

/** A history entry's details as short `key: value` pairs (nested values as JSON), for the timeline. */
export function detailPairs(details: unknown, max = 6): { key: string; value: string }[] {
  if (typeof details !== 'object' || details === null || Array.isArray(details)) return [];
  return Object.entries(details as Record<string, unknown>)
    .filter(([, v]) => v !== null && v !== undefined && v !== '')
    .slice(0, max)
    .map(([key, v]) => {
      const value = typeof v === 'string' ? v : JSON.stringify(v);
      return { key, value: value.length > 200 ? `${value.slice(0, 199)}…` : value };
    });
}

/** What the verify endpoint said, in words; `brokenAt` named by its place in the history when known. */
export function chainText(verify: HistoryVerificationDto, history: readonly HistoryItemDto[]): string {
  if (verify.valid) return `Chain verified (${verify.checked} ${verify.checked === 1 ? 'entry' : 'entries'})`;
  if (verify.brokenAt === null) return 'Chain broken';
  const index = history.findIndex((h) => h.id === verify.brokenAt);
  if (index < 0) return `Chain broken at entry ${verify.brokenAt}`;
  const entry = history[index] as HistoryItemDto;
  return `Chain broken at entry ${index + 1} (${eventLabel(entry.eventType)}, ${entry.createdAt})`;
}

/** The executions of one node, latest first. */
export function executionsOf(nodes: readonly NodeExecutionDto[], nodeId: string): NodeExecutionDto[] {
  return nodes.filter((n) => n.nodeId === nodeId).reverse();
}

const DECISION_EVENTS = new Set(['task_approved', 'task_rejected', 'task_completed', 'task_returned', 'task_voted']);

/** Who decided an execution, from the history (the execution names its role, not its decider): `mo (approved)`. */
export function decidersOf(history: readonly HistoryItemDto[], executionId: string): string[] {
  return history
    .filter((h) => h.nodeExecutionId === executionId && DECISION_EVENTS.has(h.eventType) && h.actorUserId !== null)
    .map((h) => `${h.actorUserId} (${h.eventType.replace(/^task_/, '')})`);
}
