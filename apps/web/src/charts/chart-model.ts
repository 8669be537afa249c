/**
 * What a chart shows, apart from how it is drawn: labels along the x axis and one or more series
 * of numbers (null: no figure). The same model gives the chart, its table and the summary a
 * screen reader hears (the canvas's aria-label), so the three always say the same numbers.
 */

interface ChartSeries {
  readonly label: string;
  readonly values: readonly (number | null)[];
}

export interface ChartModel {
  readonly kind: 'bar' | 'line';
  /** the text title, also the table's caption */
  readonly title: string;
  /** the x axis: one label per value of every series */
  readonly labels: readonly string[];
  readonly series: readonly ChartSeries[];
  /** said after each number: `%`, ` h` */
  readonly unit: string;
  /** the first column's heading in the table (`Workflow`, `Day`) */
  readonly labelHeading: string;
  /** the y axis' top, when it has one (100 for percentages) */
  readonly max?: number;
  /** what a missing figure means (`no finished instance`) */
  readonly noValue?: string;
}

/** A figure as text: at most two decimals, the unit after it; the model's `noValue` for none. */
export function formatValue(value: number | null | undefined, unit: string, noValue = 'no figure'): string {
  if (value === null || value === undefined || Number.isNaN(value)) return noValue;
  return `${formatNumber(value)}${unit}`;
}

/** `1,234.5`: en-US grouping, at most two decimals (the API's own precision). */
function formatNumber(value: number): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

const MAX_SPOKEN = 12;

/**
 * The chart in one sentence per series: `SLA compliance per workflow: Leave 100%, Orders 88.89%.`
 * Long series are cut after a dozen points, saying how many more the table has.
 */
export function summarize(model: ChartModel): string {
  if (model.labels.length === 0 || model.series.length === 0) return `${model.title}: no data.`;
  const parts = model.series.map((s) => {
    const points = model.labels.slice(0, MAX_SPOKEN).map((label, i) => `${label} ${formatValue(s.values[i], model.unit, model.noValue)}`);
    const more = model.labels.length > MAX_SPOKEN ? `, and ${model.labels.length - MAX_SPOKEN} more in the table` : '';
    const name = model.series.length > 1 ? `${s.label}: ` : '';
    return `${name}${points.join(', ')}${more}`;
  });
  return `${model.title}. ${parts.join('. ')}.`;
}

/** The table under the chart: a header row, then one row per label with each series' figure. */
export function tableOf(model: ChartModel): { head: string[]; rows: { label: string; cells: string[] }[] } {
  return {
    head: [model.labelHeading, ...model.series.map((s) => (model.unit.trim() ? `${s.label} (${model.unit.trim()})` : s.label))],
    rows: model.labels.map((label, i) => ({ label, cells: model.series.map((s) => formatValue(s.values[i], '', model.noValue)) })),
  };
}

/**
 * Series colours that pass 3:1 against white and differ in lightness too; lines also differ in
 * dash and point shape, so no series is told apart by colour alone.
 */
const SERIES_STYLES = [
  { color: '#0b57d0', dash: [] as number[], point: 'circle' },
  { color: '#b3261e', dash: [6, 4], point: 'rect' },
  { color: '#116329', dash: [2, 3], point: 'triangle' },
  { color: '#8a4b00', dash: [10, 4, 2, 4], point: 'rectRot' },
  { color: '#6f3fb5', dash: [12, 6], point: 'crossRot' },
  { color: '#00677f', dash: [4, 4], point: 'star' },
] as const;

export function styleOf(index: number) {
  return SERIES_STYLES[index % SERIES_STYLES.length] ?? SERIES_STYLES[0];
}
