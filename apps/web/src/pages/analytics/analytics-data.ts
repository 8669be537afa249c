/**
 * The analytics page's figures, as `GET /api/analytics/workflows` gives them, turned into chart
 * models. Nothing is computed here that the API does not say, except sums of its own counts
 * (breaches over a workflow's versions or nodes) and the time buckets "instances over time" asks
 * the API about: the API has no time series, so the page asks for each day (or week) of the window.
 */

import type { ChartModel } from '../../charts/chart-model';

export interface WorkflowTotals {
  readonly workflowName: string;
  readonly totalInstances: number;
  readonly runningInstances: number;
  readonly completedInstances: number;
  readonly rejectedInstances: number;
  readonly failedInstances: number;
  readonly cancelledInstances: number;
  readonly slaCompliancePercentage: number | null;
  readonly avgCompletionHours: number | null;
}

interface VersionFigures {
  readonly version: number;
  readonly definitionId: string;
  readonly totalInstances: number;
  readonly completedInstances: number;
  readonly slaCompliancePercentage: number | null;
  readonly p50CompletionHours: number | null;
  readonly p90CompletionHours: number | null;
  readonly slaBreaches: number;
}

interface NodeFigures {
  readonly nodeId: string;
  readonly nodeType: string;
  readonly executions: number;
  readonly p50Hours: number | null;
  readonly p90Hours: number | null;
  readonly avgHours: number | null;
  readonly slaBreaches: number;
  readonly atRisk: number;
  readonly open: number;
}

export interface WorkflowDetail extends WorkflowTotals {
  readonly atRiskTasks: number;
  readonly versions: readonly VersionFigures[];
  readonly nodes: readonly NodeFigures[];
  readonly slowestNode: { readonly nodeId: string; readonly avgHours: number } | null;
}

export interface AnalyticsAnswer<T extends WorkflowTotals = WorkflowDetail> {
  readonly items: readonly T[];
  readonly from?: string | null;
  readonly to?: string | null;
}

export const WINDOW_CHOICES = [7, 30, 90] as const;
export type WindowDays = (typeof WINDOW_CHOICES)[number];

export function windowDaysFrom(value: string | null | undefined): WindowDays {
  const n = Number(value);
  return (WINDOW_CHOICES as readonly number[]).includes(n) ? (n as WindowDays) : 30;
}

interface Bucket {
  /** ISO instants: from inclusive, to exclusive (as the API reads them) */
  readonly from: string;
  readonly to: string;
  readonly label: string;
}

export interface AnalyticsWindow {
  readonly days: WindowDays;
  readonly from: string;
  readonly to: string;
  /** `day` for 7 and 30 days, `week` for 90 */
  readonly step: 'day' | 'week';
  readonly buckets: readonly Bucket[];
}

const dayLabel = (d: Date, locale: string) => d.toLocaleDateString(locale, { month: 'short', day: 'numeric' });

/**
 * The last `days` days up to the end of today (local time): from the local midnight `days - 1`
 * days ago until the next midnight, in buckets of a day (a week for 90 days, the earliest one
 * shorter so the window stays `days` long), oldest first.
 */
export function windowOf(days: WindowDays, now: Date, locale = 'en-US'): AnalyticsWindow {
  const end = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1);
  const start = new Date(end.getFullYear(), end.getMonth(), end.getDate() - days);
  const step = days > 30 ? 'week' : 'day';
  const size = step === 'week' ? 7 : 1;
  const buckets: Bucket[] = [];
  for (let i = 0; ; i++) {
    const to = new Date(end.getFullYear(), end.getMonth(), end.getDate() - i * size);
    if (to <= start) break;
    const candidate = new Date(end.getFullYear(), end.getMonth(), end.getDate() - (i + 1) * size);
    const from = candidate < start ? start : candidate;
    const lastDay = new Date(to.getFullYear(), to.getMonth(), to.getDate() - 1);
    const label = size === 1 ? dayLabel(from, locale) : `${dayLabel(from, locale)} – ${dayLabel(lastDay, locale)}`;
    buckets.unshift({ from: from.toISOString(), to: to.toISOString(), label });
  }
  return { days, from: start.toISOString(), to: end.toISOString(), step, buckets };
}

const byName = <T extends WorkflowTotals>(items: readonly T[]) => [...items].sort((a, b) => a.workflowName.localeCompare(b.workflowName));

export function slaModel(items: readonly WorkflowTotals[]): ChartModel {
  const sorted = byName(items);
  return {
    kind: 'bar',
    title: 'SLA compliance per workflow',
    labelHeading: 'Workflow',
    labels: sorted.map((i) => i.workflowName),
    series: [{ label: 'SLA compliance', values: sorted.map((i) => i.slaCompliancePercentage) }],
    unit: '%',
    max: 100,
    noValue: 'no finished instance',
  };
}

export function completionModel(items: readonly WorkflowTotals[]): ChartModel {
  const sorted = byName(items);
  return {
    kind: 'bar',
    title: 'Average completion time per workflow',
    labelHeading: 'Workflow',
    labels: sorted.map((i) => i.workflowName),
    series: [{ label: 'Average completion', values: sorted.map((i) => i.avgCompletionHours) }],
    unit: ' h',
    noValue: 'none completed',
  };
}

/** Instance SLA breaches (over the versions), task deadline breaches (over the nodes), at-risk tasks. */
export function breachFigures(item: WorkflowDetail): { instanceBreaches: number; taskBreaches: number; atRiskTasks: number } {
  return {
    instanceBreaches: item.versions.reduce((sum, v) => sum + v.slaBreaches, 0),
    taskBreaches: item.nodes.reduce((sum, n) => sum + n.slaBreaches, 0),
    atRiskTasks: item.atRiskTasks,
  };
}

export function breachesModel(items: readonly WorkflowDetail[]): ChartModel {
  const sorted = byName(items);
  const figures = sorted.map(breachFigures);
  return {
    kind: 'bar',
    title: 'SLA breaches per workflow',
    labelHeading: 'Workflow',
    labels: sorted.map((i) => i.workflowName),
    series: [
      { label: 'Instances past their deadline', values: figures.map((f) => f.instanceBreaches) },
      { label: 'Tasks past their deadline', values: figures.map((f) => f.taskBreaches) },
      { label: 'Tasks at risk', values: figures.map((f) => f.atRiskTasks) },
    ],
    unit: '',
  };
}

/** The most workflows drawn as their own line; the rest are summed as "Other workflows". */
export const MAX_LINES = 5;

/** Instances started per bucket: all workflows, then the busiest ones each (the rest together). */
export function overTimeModel(window: AnalyticsWindow, answers: readonly (AnalyticsAnswer<WorkflowTotals> | undefined)[]): ChartModel {
  const totals = new Map<string, number>();
  for (const answer of answers) for (const i of answer?.items ?? []) totals.set(i.workflowName, (totals.get(i.workflowName) ?? 0) + i.totalInstances);
  const ranked = [...totals.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([name]) => name);
  const own = ranked.length > MAX_LINES + 1 ? ranked.slice(0, MAX_LINES) : ranked;
  const others = new Set(ranked.slice(own.length));
  const countOf = (answer: AnalyticsAnswer<WorkflowTotals> | undefined, pick: (name: string) => boolean): number | null =>
    answer === undefined ? null : answer.items.filter((i) => pick(i.workflowName)).reduce((sum, i) => sum + i.totalInstances, 0);
  const series = [
    { label: 'All workflows', values: answers.map((a) => countOf(a, () => true)) },
    ...own.map((name) => ({ label: name, values: answers.map((a) => countOf(a, (n) => n === name)) })),
    ...(others.size > 0 ? [{ label: 'Other workflows', values: answers.map((a) => countOf(a, (n) => others.has(n))) }] : []),
  ];
  return {
    kind: 'line',
    title: `Instances started per ${window.step}`,
    labelHeading: window.step === 'day' ? 'Day' : 'Week',
    labels: window.buckets.map((b) => b.label),
    series,
    unit: '',
    noValue: 'not loaded',
  };
}

/** `5.25 h`, `—` for none: a duration the API gives in hours. */
export function hoursText(value: number | null): string {
  if (value === null) return '—';
  // the API gives steps' hours to four decimals: a few seconds is not "0 h"
  if (value > 0 && value < 0.01) return '< 0.01 h';
  return `${value.toLocaleString('en-US', { maximumFractionDigits: 2 })} h`;
}

export function percentText(value: number | null): string {
  return value === null ? '—' : `${value.toLocaleString('en-US', { maximumFractionDigits: 2 })}%`;
}
