/**
 * Instance search (/instances): filters in a form, kept in the URL's query string; the matches of
 * `GET /api/instances` as a table, a page at a time ("Show more" follows the cursor); the person's
 * saved searches, stored on the server (`/api/views?page=instances`).
 */

import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useMemo, useState, type FormEvent } from 'react';
import { Link, useSearch, useSearchParams } from 'wouter';
import { api, ApiError, query } from '../../api/client';
import { StatusBadge } from '../../components/badges';
import { ErrorBanner } from '../../components/error-banner';
import { Loading, Page } from '../../components/page';
import { formatWhen, shortId } from './format';
import {
  describeFilters,
  EMPTY_FILTERS,
  fieldOfProblem,
  filtersFrom,
  INSTANCE_STATUSES,
  setFilters,
  toApiQuery,
  toSearchParams,
  type SearchFilters,
} from './search-filters';
import './search.css';
import type { InstanceSummaryDto } from '../../api/types';

type InstanceRow = InstanceSummaryDto;

interface InstancePage {
  readonly items: InstanceRow[];
  readonly nextCursor: string | null;
}

interface SavedView {
  readonly id: string;
  readonly page: string;
  readonly name: string;
  readonly filters: Record<string, string | number | boolean | string[]>;
  readonly position: number;
}

const PAGE_SIZE = 50;
const VIEWS_KEY = ['views', 'instances'] as const;

/** The workflow names the tenant has, for the workflow filter. */
function useWorkflowNames(): readonly string[] {
  const { data } = useQuery({
    queryKey: ['definitions', 'names'],
    queryFn: ({ signal }) => api.get<{ items: { name: string }[] }>(`/api/definitions${query({ limit: 500 })}`, signal),
    staleTime: 60_000,
  });
  return useMemo(() => [...new Set((data?.items ?? []).map((d) => d.name))].sort((a, b) => a.localeCompare(b)), [data]);
}

function problemsByField(error: unknown): Partial<Record<keyof SearchFilters, string>> {
  const out: Partial<Record<keyof SearchFilters, string>> = {};
  if (!(error instanceof ApiError)) return out;
  for (const d of error.details) {
    const field = fieldOfProblem(d.path);
    if (field && !out[field]) out[field] = d.message;
  }
  return out;
}

interface FieldProps {
  readonly name: keyof SearchFilters;
  readonly label: string;
  readonly value: string;
  readonly problem: string | undefined;
  readonly onChange: (value: string) => void;
  readonly type?: 'text' | 'date';
}

function Field({ name, label, value, problem, onChange, type = 'text' }: FieldProps) {
  const id = useId();
  return (
    <label htmlFor={`${id}-${name}`}>
      {label}
      <input
        id={`${id}-${name}`}
        name={name}
        type={type}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={problem ? true : undefined}
        aria-describedby={problem ? `${id}-${name}-problem` : undefined}
      />
      {problem && (
        <span id={`${id}-${name}-problem`} className="search-problem">
          {problem}
        </span>
      )}
    </label>
  );
}

function FilterForm({
  initial,
  workflows,
  problems,
  onSearch,
}: {
  initial: SearchFilters;
  workflows: readonly string[];
  problems: Partial<Record<keyof SearchFilters, string>>;
  onSearch: (filters: SearchFilters) => void;
}) {
  const [draft, setDraft] = useState<SearchFilters>(initial);
  const set = (key: keyof SearchFilters) => (value: string) => setDraft((d) => ({ ...d, [key]: value }));
  const id = useId();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSearch(draft);
  };
  const workflowOptions = draft.workflowName && !workflows.includes(draft.workflowName) ? [draft.workflowName, ...workflows] : workflows;
  return (
    <form className="card search-form" aria-labelledby={`${id}-title`} onSubmit={submit} role="search">
      <h2 id={`${id}-title`}>Filters</h2>
      <div className="filters">
        <label htmlFor={`${id}-workflow`}>
          Workflow
          <select id={`${id}-workflow`} name="workflowName" value={draft.workflowName} onChange={(e) => set('workflowName')(e.target.value)}>
            <option value="">Any workflow</option>
            {workflowOptions.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
          {problems.workflowName && <span className="search-problem">{problems.workflowName}</span>}
        </label>
        <label htmlFor={`${id}-status`}>
          Status
          <select id={`${id}-status`} name="status" value={draft.status} onChange={(e) => set('status')(e.target.value)}>
            <option value="">Any status</option>
            {INSTANCE_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
          {problems.status && <span className="search-problem">{problems.status}</span>}
        </label>
        <Field name="contextEntityId" label="Business key" value={draft.contextEntityId} problem={problems.contextEntityId} onChange={set('contextEntityId')} />
        <Field name="contextEntityType" label="Entity type" value={draft.contextEntityType} problem={problems.contextEntityType} onChange={set('contextEntityType')} />
        <Field name="startedBy" label="Started by (user id)" value={draft.startedBy} problem={problems.startedBy} onChange={set('startedBy')} />
      </div>
      <fieldset className="filters date-range">
        <legend>Started</legend>
        <Field type="date" name="startedFrom" label="On or after" value={draft.startedFrom} problem={problems.startedFrom} onChange={set('startedFrom')} />
        <Field type="date" name="startedTo" label="On or before" value={draft.startedTo} problem={problems.startedTo} onChange={set('startedTo')} />
      </fieldset>
      <fieldset className="filters date-range">
        <legend>Ended</legend>
        <Field type="date" name="endedFrom" label="On or after" value={draft.endedFrom} problem={problems.endedFrom} onChange={set('endedFrom')} />
        <Field type="date" name="endedTo" label="On or before" value={draft.endedTo} problem={problems.endedTo} onChange={set('endedTo')} />
      </fieldset>
      <div className="form-actions">
        <button type="submit" className="primary">
          Search
        </button>
        <button
          type="button"
          onClick={() => {
            setDraft(EMPTY_FILTERS);
            onSearch(EMPTY_FILTERS);
          }}
        >
          Clear filters
        </button>
      </div>
    </form>
  );
}

function SavedSearches({ filters }: { filters: SearchFilters }) {
  const client = useQueryClient();
  const id = useId();
  const [name, setName] = useState('');
  const [said, setSaid] = useState('');
  const views = useQuery({
    queryKey: VIEWS_KEY,
    queryFn: ({ signal }) => api.get<{ items: SavedView[] }>(`/api/views${query({ page: 'instances' })}`, signal),
  });
  const save = useMutation({
    mutationFn: (viewName: string) => api.put<SavedView>(`/api/views/instances/${encodeURIComponent(viewName)}`, { filters: setFilters(filters) }),
    onSuccess: async (view) => {
      setName('');
      // said once the list shows it
      await client.invalidateQueries({ queryKey: VIEWS_KEY });
      setSaid(`Saved the search “${view.name}”.`);
    },
  });
  const remove = useMutation({
    mutationFn: (viewName: string) => api.del(`/api/views/instances/${encodeURIComponent(viewName)}`),
    onSuccess: async (_void, viewName) => {
      await client.invalidateQueries({ queryKey: VIEWS_KEY });
      setSaid(`Deleted the saved search “${viewName}”.`);
    },
  });
  const nameProblem = save.error instanceof ApiError ? save.error.details.find((d) => d.path === 'name')?.message : undefined;

  return (
    <section className="card saved-searches" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Saved searches</h2>
      {views.isPending && <Loading what="Loading your saved searches" />}
      <ErrorBanner error={views.error} title="Your saved searches could not be loaded" />
      {views.data && views.data.items.length === 0 && <p className="muted">You have no saved searches yet.</p>}
      {views.data && views.data.items.length > 0 && (
        <ul className="saved-list" aria-label="Your saved searches">
          {views.data.items.map((view) => {
            const viewFilters = filtersFrom(view.filters);
            const search = toSearchParams(viewFilters).toString();
            return (
              <li key={view.id}>
                <Link href={`/instances${search ? `?${search}` : ''}`}>{view.name}</Link>{' '}
                <span className="muted">({describeFilters(viewFilters)})</span>{' '}
                <button
                  type="button"
                  className="link-button"
                  aria-label={`Delete saved search ${view.name}`}
                  disabled={remove.isPending}
                  onClick={() => remove.mutate(view.name)}
                >
                  Delete
                </button>
              </li>
            );
          })}
        </ul>
      )}
      <form
        className="filters save-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (name.trim() !== '') save.mutate(name.trim());
        }}
      >
        <label htmlFor={`${id}-name`}>
          Save the current search as
          <input
            id={`${id}-name`}
            name="viewName"
            value={name}
            maxLength={80}
            required
            onChange={(e) => setName(e.target.value)}
            aria-invalid={nameProblem ? true : undefined}
            aria-describedby={nameProblem ? `${id}-name-problem` : undefined}
          />
          {nameProblem && (
            <span id={`${id}-name-problem`} className="search-problem">
              {nameProblem}
            </span>
          )}
        </label>
        <button type="submit" disabled={save.isPending}>
          Save search
        </button>
      </form>
      {save.error && !nameProblem && <ErrorBanner error={save.error} title="The search was not saved" />}
      <ErrorBanner error={remove.error} title="The saved search was not deleted" />
      <p className="visually-hidden" role="status" aria-live="polite">
        {said}
      </p>
    </section>
  );
}

function useSearchResults(filters: SearchFilters) {
  const apiQuery = useMemo(() => toApiQuery(filters), [filters]);
  return useInfiniteQuery({
    queryKey: ['instances', 'search', apiQuery],
    queryFn: ({ pageParam, signal }) => api.get<InstancePage>(`/api/instances${query({ ...apiQuery, limit: PAGE_SIZE, cursor: pageParam })}`, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    // a refused search (400) is the person's to fix, not worth a retry
    retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 1,
  });
}

function Results({ filters, results }: { filters: SearchFilters; results: ReturnType<typeof useSearchResults> }) {
  const id = useId();
  const rows = useMemo(() => results.data?.pages.flatMap((p) => p.items) ?? [], [results.data]);
  const status = results.isPending
    ? ''
    : results.isError
      ? 'The search failed.'
      : rows.length === 0
        ? 'No instance matches this search.'
        : `${rows.length} ${rows.length === 1 ? 'instance' : 'instances'} shown${results.hasNextPage ? ', more to show' : ''}.`;

  return (
    <section aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Instances</h2>
      <p className="muted">Search: {describeFilters(filters)}</p>
      {results.isPending && <Loading what="Searching" />}
      <ErrorBanner error={results.error} title="The search failed" />
      <p role="status" aria-live="polite" data-testid="search-status">
        {status}
      </p>
      {rows.length > 0 && (
        <div className="table-wrap">
          <table className="results" data-testid="search-results">
            <caption className="visually-hidden">Instances matching {describeFilters(filters)}</caption>
            <thead>
              <tr>
                <th scope="col">Instance</th>
                <th scope="col">Status</th>
                <th scope="col">Workflow</th>
                <th scope="col">Business key</th>
                <th scope="col">Started by</th>
                <th scope="col">Started</th>
                <th scope="col">Ended</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.id} data-instance-id={row.id}>
                  <th scope="row">
                    <Link href={`/instances/${row.id}`} aria-label={`Open instance ${row.contextEntityId ?? shortId(row.id)} of ${row.workflowName}`}>
                      <code>{shortId(row.id)}</code>
                    </Link>
                  </th>
                  <td>
                    <StatusBadge status={row.status} />
                  </td>
                  <td>
                    {row.workflowName} <span className="muted">v{row.workflowVersion}</span>
                  </td>
                  <td>
                    {row.contextEntityId ?? <span className="muted">none</span>}
                    {row.contextEntityType && <span className="muted"> ({row.contextEntityType})</span>}
                  </td>
                  <td>{row.startedBy}</td>
                  <td>
                    <time dateTime={row.startedAt}>{formatWhen(row.startedAt)}</time>
                  </td>
                  <td>{row.completedAt ? <time dateTime={row.completedAt}>{formatWhen(row.completedAt)}</time> : <span className="muted">not ended</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {results.hasNextPage && (
        <button type="button" onClick={() => void results.fetchNextPage()} disabled={results.isFetchingNextPage}>
          {results.isFetchingNextPage ? 'Loading more…' : 'Show more'}
        </button>
      )}
      {results.isFetchNextPageError && <ErrorBanner error={results.error} title="More could not be loaded" />}
    </section>
  );
}

export function SearchPage() {
  const search = useSearch();
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => filtersFrom(params), [params]);
  const workflows = useWorkflowNames();
  const results = useSearchResults(filters);

  return (
    <Page title="Instances">
      <div className="search-layout">
        <FilterForm
          key={search}
          initial={filters}
          workflows={workflows}
          problems={problemsByField(results.error)}
          onSearch={(next) => setParams(toSearchParams(next))}
        />
        <SavedSearches filters={filters} />
      </div>
      <Results filters={filters} results={results} />
    </Page>
  );
}
