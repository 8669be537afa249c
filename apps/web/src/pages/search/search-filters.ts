/**
 * The instance search's filters in their three shapes: the URL query string (what the page keeps,
 * so a search can be bookmarked, shared and reloaded), the saved view's `filters` (the same plain
 * strings, stored on the server), and `GET /api/instances`' query parameters (dates turned into
 * instants: a day the person picks is that whole day in their own time zone).
 */

export const INSTANCE_STATUSES = ['running', 'completed', 'rejected', 'failed', 'cancelled'] as const;

/** The filters as the form holds them: strings, empty when unset; dates as `YYYY-MM-DD`. */
export interface SearchFilters {
  readonly workflowName: string;
  readonly status: string;
  readonly contextEntityType: string;
  readonly contextEntityId: string;
  readonly startedBy: string;
  readonly startedFrom: string;
  readonly startedTo: string;
  readonly endedFrom: string;
  readonly endedTo: string;
}

const FILTER_KEYS = [
  'workflowName',
  'status',
  'contextEntityType',
  'contextEntityId',
  'startedBy',
  'startedFrom',
  'startedTo',
  'endedFrom',
  'endedTo',
] as const satisfies readonly (keyof SearchFilters)[];

export const EMPTY_FILTERS: SearchFilters = {
  workflowName: '',
  status: '',
  contextEntityType: '',
  contextEntityId: '',
  startedBy: '',
  startedFrom: '',
  startedTo: '',
  endedFrom: '',
  endedTo: '',
};

const DATE_KEYS = new Set<keyof SearchFilters>(['startedFrom', 'startedTo', 'endedFrom', 'endedTo']);
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The filters of a URL query string (or a saved view's filters); unknown keys are ignored. */
export function filtersFrom(source: URLSearchParams | Readonly<Record<string, unknown>>): SearchFilters {
  const read = (key: string): unknown => (source instanceof URLSearchParams ? source.get(key) : source[key]);
  const out: Record<string, string> = { ...EMPTY_FILTERS };
  for (const key of FILTER_KEYS) {
    const value = read(key);
    if (typeof value !== 'string') continue;
    const trimmed = value.trim();
    // a date that is not a calendar day is dropped rather than sent for the API to refuse
    if (DATE_KEYS.has(key) && trimmed !== '' && !isDay(trimmed)) continue;
    out[key] = trimmed;
  }
  return out as unknown as SearchFilters;
}

/** Only the filters that are set, as plain strings: the URL query and the saved view's `filters`. */
export function setFilters(filters: SearchFilters): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of FILTER_KEYS) {
    const value = filters[key].trim();
    if (value !== '') out[key] = value;
  }
  return out;
}

export function toSearchParams(filters: SearchFilters): URLSearchParams {
  return new URLSearchParams(setFilters(filters));
}

export function hasFilters(filters: SearchFilters): boolean {
  return Object.keys(setFilters(filters)).length > 0;
}

export function isDay(value: string): boolean {
  const m = DAY.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(y, mo - 1, d);
  return date.getFullYear() === y && date.getMonth() === mo - 1 && date.getDate() === d;
}

/** Local midnight of `YYYY-MM-DD`, `plusDays` later, as an ISO instant. */
export function localMidnight(day: string, plusDays = 0): string {
  const m = DAY.exec(day);
  if (!m) throw new Error(`not a day: ${day}`);
  return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + plusDays).toISOString();
}

/**
 * `GET /api/instances`' parameters: an "on or after" day starts at its local midnight, an "on or
 * before" day ends at the next one (the API's upper bounds are exclusive).
 */
export function toApiQuery(filters: SearchFilters): Record<string, string> {
  const set = setFilters(filters);
  const out: Record<string, string> = {};
  for (const key of ['workflowName', 'status', 'contextEntityType', 'contextEntityId', 'startedBy'] as const) {
    const value = set[key];
    if (value !== undefined) out[key] = value;
  }
  if (set['startedFrom']) out['startedFrom'] = localMidnight(set['startedFrom']);
  if (set['startedTo']) out['startedTo'] = localMidnight(set['startedTo'], 1);
  if (set['endedFrom']) out['completedFrom'] = localMidnight(set['endedFrom']);
  if (set['endedTo']) out['completedTo'] = localMidnight(set['endedTo'], 1);
  return out;
}

const API_TO_FORM: Readonly<Record<string, keyof SearchFilters>> = {
  completedFrom: 'endedFrom',
  completedTo: 'endedTo',
};

/** The form field an API problem's `path` names (`completedTo` is the "ended" field). */
export function fieldOfProblem(path: string | undefined): keyof SearchFilters | null {
  if (!path) return null;
  const key = path.replace(/^query\./, '');
  if (key in API_TO_FORM) return API_TO_FORM[key] ?? null;
  return (FILTER_KEYS as readonly string[]).includes(key) ? (key as keyof SearchFilters) : null;
}

const LABELS: Readonly<Record<keyof SearchFilters, string>> = {
  workflowName: 'workflow',
  status: 'status',
  contextEntityType: 'entity type',
  contextEntityId: 'business key',
  startedBy: 'started by',
  startedFrom: 'started on or after',
  startedTo: 'started on or before',
  endedFrom: 'ended on or after',
  endedTo: 'ended on or before',
};

/** `status failed, business key PO-1` — a search said in words (live region, saved view list). */
export function describeFilters(filters: SearchFilters): string {
  const parts = Object.entries(setFilters(filters)).map(([key, value]) => `${LABELS[key as keyof SearchFilters]} ${value}`);
  return parts.length === 0 ? 'all instances' : parts.join(', ');
}
