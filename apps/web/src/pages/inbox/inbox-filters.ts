/**
 * The inbox's filters: read from and written to the URL's query string, turned into the API's
 * query (both task lists filter by urgency, workflow and business key on the server, so paging
 * stays within the filter), and stored as a saved view's `filters`.
 */

import { URGENCY_LEVELS, type TaskItem, type UrgencyLevel } from '../task/task-types';

export type InboxScope = 'mine' | 'all';

export interface InboxFilters {
  readonly urgency?: UrgencyLevel;
  readonly workflow?: string;
  /** the business key (`contextEntityId`) */
  readonly key?: string;
}

/** The saved-view page each scope stores its views under (`/api/views?page=`). */
export const VIEW_PAGE: Record<InboxScope, 'inbox' | 'tasks'> = { mine: 'inbox', all: 'tasks' };

function isUrgency(value: unknown): value is UrgencyLevel {
  return typeof value === 'string' && (URGENCY_LEVELS as readonly string[]).includes(value);
}

function text(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

/** Filters from any record of values (a saved view's `filters`, or the URL's parameters); unknown or ill-typed values are dropped. */
export function filtersFrom(values: Readonly<Record<string, unknown>>): InboxFilters {
  const urgency = values['urgency'];
  const workflow = text(values['workflow']);
  const key = text(values['key']);
  return {
    ...(isUrgency(urgency) ? { urgency } : {}),
    ...(workflow ? { workflow } : {}),
    ...(key ? { key } : {}),
  };
}

export function filtersFromSearch(search: URLSearchParams | string): InboxFilters {
  const params = typeof search === 'string' ? new URLSearchParams(search) : search;
  return filtersFrom(Object.fromEntries(params.entries()));
}

/** `urgency=URGENT&workflow=…` (empty when no filter is set), in a stable order. */
export function filtersToSearch(filters: InboxFilters): string {
  const params = new URLSearchParams();
  if (filters.urgency) params.set('urgency', filters.urgency);
  if (filters.workflow) params.set('workflow', filters.workflow);
  if (filters.key) params.set('key', filters.key);
  return params.toString();
}

/** A saved view's `filters`: only the filters that are set. */
export function filtersToView(filters: InboxFilters): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(filtersToSearch(filters)).entries());
}

export function sameFilters(a: InboxFilters, b: InboxFilters): boolean {
  return filtersToSearch(a) === filtersToSearch(b);
}

export function hasFilters(filters: InboxFilters): boolean {
  return filtersToSearch(filters) !== '';
}

type Params = Record<string, string | undefined>;

/** The API request for one page: the path and its query parameters. */
export function apiParams(scope: InboxScope, filters: InboxFilters, cursor: string | null): { path: string; params: Params } {
  const page: Params = cursor ? { cursor } : {};
  return {
    path: scope === 'mine' ? '/api/tasks/mine' : '/api/tasks',
    params: { urgencyLevel: filters.urgency, workflowName: filters.workflow, contextEntityId: filters.key, ...page },
  };
}

export interface KeyField {
  readonly name: string;
  readonly value: string;
}

const MAX_FIELD_TEXT = 60;

/** The first `count` scalar fields of a context (strings, numbers, booleans), as text, long ones cut. */
export function keyFields(context: Readonly<Record<string, unknown>>, count = 3): KeyField[] {
  const out: KeyField[] = [];
  for (const [name, value] of Object.entries(context)) {
    if (out.length >= count) break;
    let shown: string;
    if (typeof value === 'string') shown = value;
    else if (typeof value === 'number') shown = value.toLocaleString('en');
    else if (typeof value === 'boolean') shown = value ? 'yes' : 'no';
    else continue;
    out.push({ name, value: shown.length > MAX_FIELD_TEXT ? `${shown.slice(0, MAX_FIELD_TEXT - 1)}…` : shown });
  }
  return out;
}

/** The distinct workflow names among the rows, sorted, for the workflow filter's choices. */
export function workflowNames(tasks: readonly TaskItem[], extra: readonly string[] = []): string[] {
  return [...new Set([...tasks.map((t) => t.workflowName), ...extra])].sort((a, b) => a.localeCompare(b));
}
