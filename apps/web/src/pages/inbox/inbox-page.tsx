/**
 * The inbox: the signed-in user's tasks (`scope="mine"`, GET /api/tasks/mine) or, for admins,
 * every open task of the tenant (`scope="all"`, GET /api/tasks), most urgent first as the API
 * orders them. The first page shows at once and "Show more" reads the next; filters live in the
 * URL and can be saved as views on the server; the list follows the live task queue.
 */

import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useMemo, useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'wouter';
import { api, query } from '../../api/client';
import { isAdmin, useUser } from '../../api/session';
import { UrgencyBadge } from '../../components/badges';
import { Countdown } from '../../components/countdown';
import { humanize } from '../../components/context-view';
import { ErrorBanner } from '../../components/error-banner';
import { Loading, Page } from '../../components/page';
import { LiveAnnouncer, LiveIndicator } from '../../live/live-indicator';
import { useTaskQueueLive, BACKSTOP_MS } from '../../live/use-task-queue-live';
import { taskKeys, URGENCY_LEVELS, type PageOf, type TaskItem, type UrgencyLevel } from '../task/task-types';
import {
  apiParams,
  filtersFromSearch,
  filtersToSearch,
  hasFilters,
  keyFields,
  VIEW_PAGE,
  workflowNames,
  type InboxFilters,
  type InboxScope,
} from './inbox-filters';
import { SavedViews } from './saved-views';
import './inbox.css';

const WIDE = '(min-width: 761px)';

const URGENCY_TEXT: Record<UrgencyLevel, string> = { OVERDUE: 'Overdue', AT_RISK: 'At risk', URGENT: 'Urgent', NORMAL: 'Normal' };

interface DefinitionName {
  readonly name: string;
}

function FilterForm({ filters, choices, onChange }: { filters: InboxFilters; choices: readonly string[]; onChange: (f: InboxFilters) => void }) {
  const [workflow, setWorkflow] = useState(filters.workflow ?? '');
  const [key, setKey] = useState(filters.key ?? '');
  // a view applied or the URL changed: the fields follow
  const [shown, setShown] = useState(filters);
  if (filtersToSearch(shown) !== filtersToSearch(filters)) {
    setShown(filters);
    setWorkflow(filters.workflow ?? '');
    setKey(filters.key ?? '');
  }
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onChange({ ...filters, workflow: workflow.trim() || undefined, key: key.trim() || undefined });
  };
  return (
    <form className="filters inbox-filters" onSubmit={submit} aria-label="Filter tasks">
      <label>
        Urgency
        <select
          value={filters.urgency ?? ''}
          onChange={(e) => onChange({ ...filters, urgency: (e.target.value || undefined) as UrgencyLevel | undefined })}
        >
          <option value="">Any urgency</option>
          {URGENCY_LEVELS.map((u) => (
            <option key={u} value={u}>
              {URGENCY_TEXT[u]}
            </option>
          ))}
        </select>
      </label>
      <label>
        Workflow
        <input value={workflow} onChange={(e) => setWorkflow(e.target.value)} list="inbox-workflows" autoComplete="off" placeholder="Any workflow" />
      </label>
      <datalist id="inbox-workflows">
        {choices.map((name) => (
          <option key={name} value={name} />
        ))}
      </datalist>
      <label>
        Business key
        <input value={key} onChange={(e) => setKey(e.target.value)} autoComplete="off" placeholder="Exact key" />
      </label>
      <div className="filter-buttons">
        <button type="submit">Apply filters</button>
        {hasFilters(filters) && (
          <button type="button" className="link-button" onClick={() => onChange({})}>
            Clear filters
          </button>
        )}
      </div>
    </form>
  );
}

function TaskRow({ task, scope }: { task: TaskItem; scope: InboxScope }) {
  const fields = keyFields(task.contextData);
  return (
    <tr data-testid="task-row" data-task-id={task.taskId}>
      <td data-label="Urgency">
        <UrgencyBadge urgency={task.urgencyLevel} />
      </td>
      <td data-label="Time left">
        <Countdown dueAt={task.slaDeadline} />
      </td>
      <th scope="row" data-label="Task">
        <Link href={`/tasks/${task.taskId}`} className="task-link">
          {task.taskName}
        </Link>
        {task.onBehalfOf && <span className="muted"> for {task.onBehalfOf}</span>}
      </th>
      <td data-label="Workflow">{task.workflowName}</td>
      <td data-label="Business key">{task.contextEntityId ?? <span className="muted">none</span>}</td>
      <td data-label="Details">
        {fields.length === 0 ? (
          <span className="muted">no fields</span>
        ) : (
          <dl className="key-fields">
            {fields.map((f) => (
              <div key={f.name}>
                <dt>{humanize(f.name)}</dt>
                <dd>{f.value}</dd>
              </div>
            ))}
          </dl>
        )}
      </td>
      {scope === 'all' && (
        <td data-label="Assigned to">{task.assignedUserId ?? (task.assignedRole ? `role ${task.assignedRole}` : task.candidateUsers.join(', ') || '—')}</td>
      )}
    </tr>
  );
}

export function InboxPage({ scope }: { scope: InboxScope }) {
  const user = useUser();
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => filtersFromSearch(params), [params]);
  const filterKey = filtersToSearch(filters);
  const allowed = scope === 'mine' || isAdmin(user);
  // open beside the list on a wide screen; folded above it on a phone, where the tasks come first
  const [sideOpen, setSideOpen] = useState(() => typeof window.matchMedia !== 'function' || window.matchMedia(WIDE).matches);

  const list = useInfiniteQuery({
    queryKey: taskKeys.list(scope, filterKey),
    queryFn: ({ pageParam, signal }) => {
      const { path, params: q } = apiParams(scope, filters, pageParam);
      return api.get<PageOf<TaskItem>>(`${path}${query(q)}`, signal);
    },
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    enabled: allowed,
    // the operator view has no live feed of its own: read it again every 30 s
    refetchInterval: scope === 'all' ? BACKSTOP_MS : false,
  });
  const live = useTaskQueueLive(taskKeys.all, scope === 'mine' && allowed);
  const definitions = useQuery({
    queryKey: ['definitions', 'active-names'],
    queryFn: ({ signal }) => api.get<PageOf<DefinitionName>>(`/api/definitions${query({ isActive: true, limit: 500 })}`, signal),
    enabled: allowed,
    staleTime: 60_000,
  });

  const loaded = useMemo(() => list.data?.pages.flatMap((p) => p.items) ?? [], [list.data]);
  const choices = useMemo(() => workflowNames(loaded, definitions.data?.items.map((d) => d.name) ?? []), [loaded, definitions.data]);

  const setFilters = (next: InboxFilters) => setParams(new URLSearchParams(filtersToSearch(next)));
  const title = scope === 'mine' ? 'My tasks' : 'All open tasks';

  if (!allowed) {
    return (
      <Page title={title}>
        <p className="banner banner-error" role="alert">
          The list of all open tasks is for admins. <Link href="/">Your own tasks</Link> are in your inbox.
        </p>
      </Page>
    );
  }

  const actions =
    scope === 'mine' ? (
      <LiveIndicator status={live.status} />
    ) : (
      <button type="button" onClick={() => void list.refetch()} disabled={list.isFetching}>
        {list.isFetching ? 'Refreshing…' : 'Refresh'}
      </button>
    );

  return (
    <Page title={title} actions={actions}>
      <LiveAnnouncer text={live.announcement} />
      <div className="inbox-layout">
        <details className="inbox-side" open={sideOpen} onToggle={(e) => setSideOpen(e.currentTarget.open)}>
          <summary>
            Filters and saved views
            {hasFilters(filters) && <span className="muted"> (filtered)</span>}
          </summary>
          <FilterForm filters={filters} choices={choices} onChange={setFilters} />
          <SavedViews page={VIEW_PAGE[scope]} filters={filters} onApply={setFilters} />
        </details>
        <section className="inbox-list" aria-labelledby="inbox-list-h">
          <h2 id="inbox-list-h" className="visually-hidden">
            Tasks
          </h2>
          {list.error && <ErrorBanner error={list.error} title="The tasks could not be read" />}
          {list.isPending ? (
            <Loading what="Reading your tasks" />
          ) : (
            <>
              <p className="muted inbox-count" data-testid="task-count">
                {loaded.length === 1 ? '1 task' : `${loaded.length} tasks`}
                {list.hasNextPage ? ' shown, more to read' : ''}
                {scope === 'mine' && (filters.workflow || filters.key) ? ' (workflow and key filter the tasks read so far)' : ''}
              </p>
              {loaded.length === 0 ? (
                <p className="card empty">{hasFilters(filters) ? 'No task matches these filters.' : scope === 'mine' ? 'Nothing waits for you.' : 'No open tasks.'}</p>
              ) : (
                <div className="table-wrap task-table-wrap">
                  <table className="task-table">
                    <caption className="visually-hidden">{title}, most urgent first</caption>
                    <thead>
                      <tr>
                        <th scope="col">Urgency</th>
                        <th scope="col">Time left</th>
                        <th scope="col">Task</th>
                        <th scope="col">Workflow</th>
                        <th scope="col">Business key</th>
                        <th scope="col">Details</th>
                        {scope === 'all' && <th scope="col">Assigned to</th>}
                      </tr>
                    </thead>
                    <tbody>
                      {loaded.map((task) => (
                        <TaskRow key={task.taskId} task={task} scope={scope} />
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
              {list.hasNextPage && (
                <button type="button" className="show-more" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
                  {list.isFetchingNextPage ? 'Reading more…' : 'Show more tasks'}
                </button>
              )}
            </>
          )}
        </section>
      </div>
    </Page>
  );
}
