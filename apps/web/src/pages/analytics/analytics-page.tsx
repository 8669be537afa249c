/**
 * Analytics (/analytics): for a window of the last 7, 30 or 90 days, SLA compliance and average
 * completion time per workflow, instances started over time and breaches, as charts each with
 * its numbers in a table; per-version and per-step figures (p50, p90); and the all-time totals
 * of the guide's v_workflow_analytics. Every figure is the API's (`GET /api/analytics/workflows`).
 */

import { useQueries, useQuery, type UseQueryResult } from '@tanstack/react-query';
import { useId, useMemo } from 'react';
import { useSearchParams } from 'wouter';
import { api, query } from '../../api/client';
import { ChartFigure } from '../../charts/chart-figure';
import { ErrorBanner } from '../../components/error-banner';
import { Loading, Page } from '../../components/page';
import {
  breachFigures,
  breachesModel,
  completionModel,
  hoursText,
  overTimeModel,
  percentText,
  slaModel,
  WINDOW_CHOICES,
  windowDaysFrom,
  windowOf,
  type AnalyticsAnswer,
  type WorkflowDetail,
  type WorkflowTotals,
} from './analytics-data';
import './analytics.css';

const ANALYTICS = '/api/analytics/workflows';

/** The buckets' answers as one value, the same object while none of them changed. */
function combineBuckets(results: readonly UseQueryResult<AnalyticsAnswer>[]) {
  return {
    answers: results.map((r) => r.data),
    loading: results.some((r) => r.isPending),
    error: results.find((r) => r.error)?.error ?? null,
  };
}

function WindowPicker({ days, onChange }: { days: number; onChange: (days: number) => void }) {
  const id = useId();
  return (
    <fieldset className="window-picker">
      <legend>Window</legend>
      {WINDOW_CHOICES.map((choice) => (
        <label key={choice} htmlFor={`${id}-${choice}`} className="window-choice">
          <input id={`${id}-${choice}`} type="radio" name="window" value={choice} checked={days === choice} onChange={() => onChange(choice)} />
          Last {choice} days
        </label>
      ))}
    </fieldset>
  );
}

function VersionTable({ items }: { items: readonly WorkflowDetail[] }) {
  const rows = items.flatMap((w) => w.versions.map((v) => ({ w, v })));
  if (rows.length === 0) return <p className="muted">No instance started in this window.</p>;
  return (
    <div className="table-wrap" role="region" aria-label="Figures per version" tabIndex={0}>
      <table data-testid="version-table">
        <caption className="visually-hidden">Figures per workflow version in the window</caption>
        <thead>
          <tr>
            <th scope="col">Workflow</th>
            <th scope="col">Version</th>
            <th scope="col">Instances</th>
            <th scope="col">Completed</th>
            <th scope="col">SLA compliance</th>
            <th scope="col">p50 completion</th>
            <th scope="col">p90 completion</th>
            <th scope="col">SLA breaches</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(({ w, v }) => (
            <tr key={v.definitionId}>
              <th scope="row">{w.workflowName}</th>
              <td>v{v.version}</td>
              <td>{v.totalInstances}</td>
              <td>{v.completedInstances}</td>
              <td>{percentText(v.slaCompliancePercentage)}</td>
              <td>{hoursText(v.p50CompletionHours)}</td>
              <td>{hoursText(v.p90CompletionHours)}</td>
              <td>{v.slaBreaches}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function NodeTable({ items }: { items: readonly WorkflowDetail[] }) {
  const rows = items.flatMap((w) => w.nodes.map((n) => ({ w, n })));
  if (rows.length === 0) return <p className="muted">No step ran in this window.</p>;
  return (
    <div className="table-wrap" role="region" aria-label="Figures per step" tabIndex={0}>
      <table data-testid="node-table">
        <caption className="visually-hidden">Figures per step in the window; the slowest step of each workflow is marked</caption>
        <thead>
          <tr>
            <th scope="col">Workflow</th>
            <th scope="col">Step</th>
            <th scope="col">Runs</th>
            <th scope="col">p50</th>
            <th scope="col">p90</th>
            <th scope="col">Average</th>
            <th scope="col">Deadline breaches</th>
            <th scope="col">At risk</th>
            <th scope="col">Waiting now</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(({ w, n }) => (
            <tr key={`${w.workflowName}/${n.nodeId}`}>
              <th scope="row">{w.workflowName}</th>
              <td>
                <code>{n.nodeId}</code> <span className="muted">({n.nodeType})</span>
                {w.slowestNode?.nodeId === n.nodeId && <span className="badge slowest"> slowest</span>}
              </td>
              <td>{n.executions}</td>
              <td>{hoursText(n.p50Hours)}</td>
              <td>{hoursText(n.p90Hours)}</td>
              <td>{hoursText(n.avgHours)}</td>
              <td>{n.slaBreaches}</td>
              <td>{n.atRisk}</td>
              <td>{n.open}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function TotalsTable({ items }: { items: readonly WorkflowTotals[] }) {
  if (items.length === 0) return <p className="muted">No workflow has instances yet.</p>;
  return (
    <div className="table-wrap" role="region" aria-label="All-time totals" tabIndex={0}>
      <table data-testid="totals-table">
        <caption className="visually-hidden">All-time totals per workflow</caption>
        <thead>
          <tr>
            <th scope="col">Workflow</th>
            <th scope="col">Total</th>
            <th scope="col">Running</th>
            <th scope="col">Completed</th>
            <th scope="col">Rejected</th>
            <th scope="col">Failed</th>
            <th scope="col">Cancelled</th>
            <th scope="col">SLA compliance</th>
            <th scope="col">Average completion</th>
          </tr>
        </thead>
        <tbody>
          {items.map((w) => (
            <tr key={w.workflowName}>
              <th scope="row">{w.workflowName}</th>
              <td>{w.totalInstances}</td>
              <td>{w.runningInstances}</td>
              <td>{w.completedInstances}</td>
              <td>{w.rejectedInstances}</td>
              <td>{w.failedInstances}</td>
              <td>{w.cancelledInstances}</td>
              <td>{percentText(w.slaCompliancePercentage)}</td>
              <td>{hoursText(w.avgCompletionHours)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function AnalyticsPage() {
  const [params, setParams] = useSearchParams();
  const days = windowDaysFrom(params.get('days'));
  // the window is fixed when it is chosen, so its buckets' queries keep their keys
  const window = useMemo(() => windowOf(days, new Date()), [days]);

  const detail = useQuery({
    queryKey: ['analytics', 'window', window.from, window.to],
    queryFn: ({ signal }) => api.get<AnalyticsAnswer>(`${ANALYTICS}${query({ from: window.from, to: window.to })}`, signal),
  });
  const allTime = useQuery({
    queryKey: ['analytics', 'all-time'],
    queryFn: ({ signal }) => api.get<AnalyticsAnswer<WorkflowTotals>>(ANALYTICS, signal),
  });
  const buckets = useQueries({
    queries: window.buckets.map((b) => ({
      queryKey: ['analytics', 'window', b.from, b.to],
      queryFn: ({ signal }: { signal: AbortSignal }) => api.get<AnalyticsAnswer>(`${ANALYTICS}${query({ from: b.from, to: b.to })}`, signal),
      staleTime: 60_000,
    })),
    combine: combineBuckets,
  });
  const overTime = useMemo(() => overTimeModel(window, buckets.answers), [window, buckets.answers]);

  const items = useMemo(() => detail.data?.items ?? [], [detail.data]);
  const sla = useMemo(() => slaModel(items), [items]);
  const completion = useMemo(() => completionModel(items), [items]);
  const breaches = useMemo(() => breachesModel(items), [items]);
  const breachTotal = items.reduce((sum, i) => {
    const f = breachFigures(i);
    return sum + f.instanceBreaches + f.taskBreaches;
  }, 0);

  const status = detail.isPending
    ? 'Loading the figures…'
    : detail.isError
      ? 'The figures could not be loaded.'
      : `Figures for ${items.length} ${items.length === 1 ? 'workflow' : 'workflows'} over the last ${days} days${buckets.loading ? '; instances over time still loading' : ''}.`;

  return (
    <Page title="Analytics">
      <div className="analytics-head">
        <WindowPicker days={days} onChange={(d) => setParams({ days: String(d) })} />
        <p className="muted" data-testid="analytics-window" data-from={window.from} data-to={window.to}>
          Instances started from <time dateTime={window.from}>{new Date(window.from).toLocaleDateString()}</time> until the end of{' '}
          <time dateTime={window.to}>{new Date(Date.parse(window.to) - 1).toLocaleDateString()}</time>.
        </p>
      </div>
      <p role="status" aria-live="polite" data-testid="analytics-status">
        {status}
      </p>
      {detail.isPending && <Loading what="Loading analytics" />}
      <ErrorBanner error={detail.error} title="The figures could not be loaded" />
      {detail.data && (
        <>
          {items.length > 0 && (
            <ul className="analytics-kpis" aria-label="The window in numbers">
              <li>
                <strong>{items.reduce((s, i) => s + i.totalInstances, 0)}</strong> instances started
              </li>
              <li>
                <strong>{items.reduce((s, i) => s + i.completedInstances, 0)}</strong> completed
              </li>
              <li>
                <strong>{breachTotal}</strong> deadline breaches
              </li>
              <li>
                <strong>{items.reduce((s, i) => s + i.atRiskTasks, 0)}</strong> tasks at risk
              </li>
            </ul>
          )}
          <div className="grid-2 charts">
            <ChartFigure model={sla} testId="chart-sla" />
            <ChartFigure model={completion} testId="chart-completion" />
            <div>
              {buckets.loading && <Loading what="Loading instances over time" />}
              <ErrorBanner error={buckets.error} title="Some days could not be loaded" />
              <ChartFigure model={overTime} testId="chart-over-time" />
            </div>
            <ChartFigure model={breaches} testId="chart-breaches" />
          </div>
          <section aria-labelledby="analytics-versions">
            <h2 id="analytics-versions">Per version</h2>
            <VersionTable items={items} />
          </section>
          <section aria-labelledby="analytics-steps">
            <h2 id="analytics-steps">Per step</h2>
            <NodeTable items={items} />
          </section>
        </>
      )}
      <section aria-labelledby="analytics-all-time">
        <h2 id="analytics-all-time">All time</h2>
        {allTime.isPending && <Loading what="Loading the all-time totals" />}
        <ErrorBanner error={allTime.error} title="The all-time totals could not be loaded" />
        {allTime.data && <TotalsTable items={allTime.data.items} />}
      </section>
    </Page>
  );
}
