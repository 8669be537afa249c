/**
 * Incidents (/incidents): the tenant's failed instances with the node that failed and its error,
 * a page at a time, each with a Retry button (`POST /api/instances/:id/retry`) whose outcome, or
 * the API's refusal, is said in its row.
 *
 * The list comes from GraphQL's `workflowInstancesPage(status: "failed")` with each instance's
 * executions: one request, whose executions the server reads in one batch. Where the engine serves
 * no GraphQL (404), it falls back to `GET /api/instances?status=failed` and the details of the
 * instances on the page.
 */

import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useMemo } from 'react';
import { Link } from 'wouter';
import { api, ApiError, query } from '../../api/client';
import { StatusBadge } from '../../components/badges';
import { ErrorBanner } from '../../components/error-banner';
import { Loading, Page } from '../../components/page';
import { formatWhen, shortId } from './format';
import { INCIDENTS_QUERY, incidentOf, retryOutcomeText, type FailedInstanceLike, type Incident } from './incidents';
import './search.css';

const PAGE_SIZE = 25;
const INCIDENTS_KEY = ['incidents'] as const;

interface IncidentPage {
  readonly items: Incident[];
  readonly nextCursor: string | null;
}

interface GraphqlAnswer<T> {
  readonly data?: T | null;
  readonly errors?: { message: string; extensions?: { code?: string; details?: unknown } }[];
}

async function viaGraphql(cursor: string | undefined, signal: AbortSignal): Promise<IncidentPage> {
  const variables = JSON.stringify({ limit: PAGE_SIZE, cursor: cursor ?? null });
  const answer = await api.get<GraphqlAnswer<{ workflowInstancesPage: { items: FailedInstanceLike[]; nextCursor: string | null } | null }>>(
    `/graphql${query({ query: INCIDENTS_QUERY, variables })}`,
    signal,
  );
  const page = answer.data?.workflowInstancesPage;
  const first = answer.errors?.[0];
  if (first || !page) {
    throw new ApiError(400, first?.extensions?.code ?? 'GRAPHQL_ERROR', first?.message ?? 'The incident list could not be read');
  }
  return { items: page.items.map(incidentOf), nextCursor: page.nextCursor };
}

async function viaRest(cursor: string | undefined, signal: AbortSignal): Promise<IncidentPage> {
  const page = await api.get<{ items: { id: string }[]; nextCursor: string | null }>(
    `/api/instances${query({ status: 'failed', limit: PAGE_SIZE, cursor })}`,
    signal,
  );
  // only the instances on this page: their executions carry the errors
  const details = await Promise.all(page.items.map((i) => api.get<FailedInstanceLike>(`/api/instances/${i.id}`, signal)));
  return { items: details.map(incidentOf), nextCursor: page.nextCursor };
}

async function loadIncidents(cursor: string | undefined, signal: AbortSignal): Promise<IncidentPage> {
  try {
    return await viaGraphql(cursor, signal);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return viaRest(cursor, signal);
    throw err;
  }
}

interface RetryAnswer {
  readonly id: string;
  readonly status: string;
}

function RetryCell({ incident }: { incident: Incident }) {
  const retry = useMutation({
    mutationFn: () => api.post<RetryAnswer>(`/api/instances/${incident.instanceId}/retry`),
  });
  const label = incident.businessKey ?? shortId(incident.instanceId);
  return (
    <td>
      <button
        type="button"
        className="primary"
        onClick={() => retry.mutate()}
        disabled={retry.isPending || retry.isSuccess}
        aria-label={`Retry ${label} (${incident.workflowName})`}
      >
        {retry.isPending ? 'Retrying…' : 'Retry'}
      </button>
      <span role="status" aria-live="polite" data-testid="retry-outcome" className={`outcome ${retry.isError ? 'outcome-refused' : retry.isSuccess ? 'outcome-ok' : ''}`}>
        {retry.isSuccess && (
          <>
            {retryOutcomeText(retry.data.status)} <StatusBadge status={retry.data.status} />
          </>
        )}
        {retry.isError && (
          <>
            Not retried: {retry.error.message}
            {retry.error instanceof ApiError && <span className="muted"> ({retry.error.code})</span>}
          </>
        )}
      </span>
    </td>
  );
}

export function IncidentsPage() {
  const client = useQueryClient();
  const id = useId();
  const incidents = useInfiniteQuery({
    queryKey: INCIDENTS_KEY,
    queryFn: ({ pageParam, signal }) => loadIncidents(pageParam, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    // a retried row keeps its outcome until the person refreshes the list
    refetchOnWindowFocus: false,
  });
  const rows = useMemo(() => incidents.data?.pages.flatMap((p) => p.items) ?? [], [incidents.data]);
  const status = incidents.isPending
    ? ''
    : incidents.isError
      ? 'The incident list could not be loaded.'
      : rows.length === 0
        ? 'No failed instance: nothing to do.'
        : `${rows.length} failed ${rows.length === 1 ? 'instance' : 'instances'} shown${incidents.hasNextPage ? ', more to show' : ''}.`;

  return (
    <Page
      title="Incidents"
      actions={
        <button type="button" onClick={() => void client.resetQueries({ queryKey: INCIDENTS_KEY })} disabled={incidents.isFetching}>
          Refresh list
        </button>
      }
    >
      <p className="muted">
        Failed instances, the most recently started first. Retry runs the failed node again; the outcome shows in its row. Search every instance on the{' '}
        <Link href="/instances?status=failed">instances page</Link>.
      </p>
      {incidents.isPending && <Loading what="Loading incidents" />}
      <ErrorBanner error={incidents.error} title="The incidents could not be loaded" />
      <p role="status" aria-live="polite" data-testid="incidents-status">
        {status}
      </p>
      {rows.length > 0 && (
        <div className="table-wrap">
          <table className="incidents" data-testid="incidents" aria-labelledby={`${id}-caption`}>
            <caption id={`${id}-caption`} className="visually-hidden">
              Failed instances with the node that failed and its error
            </caption>
            <thead>
              <tr>
                <th scope="col">Business key</th>
                <th scope="col">Workflow</th>
                <th scope="col">Failed node</th>
                <th scope="col">Error</th>
                <th scope="col">Failed at</th>
                <th scope="col">Action</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((incident) => (
                <tr key={incident.instanceId} data-instance-id={incident.instanceId}>
                  <th scope="row">
                    <Link href={`/instances/${incident.instanceId}`} aria-label={`Open instance ${incident.businessKey ?? shortId(incident.instanceId)}`}>
                      {incident.businessKey ?? <code>{shortId(incident.instanceId)}</code>}
                    </Link>
                    <span className="visually-hidden"> status failed</span>
                  </th>
                  <td>
                    {incident.workflowName} <span className="muted">v{incident.workflowVersion}</span>
                  </td>
                  <td>
                    {incident.failedNode ? (
                      <>
                        {incident.failedNode.name}{' '}
                        <span className="muted">
                          ({incident.failedNode.name === incident.failedNode.nodeId ? '' : `${incident.failedNode.nodeId}; `}
                          {incident.failedNode.attempts} {incident.failedNode.attempts === 1 ? 'attempt' : 'attempts'})
                        </span>
                      </>
                    ) : (
                      <span className="muted">not recorded</span>
                    )}
                  </td>
                  <td className="incident-error">
                    {incident.errorCode && <code>{incident.errorCode}</code>} {incident.errorMessage}
                  </td>
                  <td>{incident.failedAt ? <time dateTime={incident.failedAt}>{formatWhen(incident.failedAt)}</time> : <span className="muted">—</span>}</td>
                  <RetryCell incident={incident} />
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {incidents.hasNextPage && (
        <button type="button" onClick={() => void incidents.fetchNextPage()} disabled={incidents.isFetchingNextPage}>
          {incidents.isFetchingNextPage ? 'Loading more…' : 'Show more'}
        </button>
      )}
    </Page>
  );
}
