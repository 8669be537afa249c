import { formatValue, styleOf, summarize, tableOf, type ChartModel } from './chart-model';

const model: ChartModel = {
  kind: 'bar',
  title: 'SLA compliance per workflow',
  labelHeading: 'Workflow',
  labels: ['Leave', 'Orders'],
  series: [{ label: 'SLA compliance', values: [100, null] }],
  unit: '%',
  max: 100,
  noValue: 'no finished instance',
};

describe('chart model', () => {
  it('formats figures with at most two decimals and the unit', () => {
    expect(formatValue(88.888, '%')).toBe('88.89%');
    expect(formatValue(1234.5, ' h')).toBe('1,234.5 h');
    expect(formatValue(null, '%', 'none')).toBe('none');
  });

  it('summarizes the chart for a screen reader', () => {
    expect(summarize(model)).toBe('SLA compliance per workflow. Leave 100%, Orders no finished instance.');
    const two: ChartModel = { ...model, series: [...model.series, { label: 'Other', values: [1, 2] }] };
    expect(summarize(two)).toBe('SLA compliance per workflow. SLA compliance: Leave 100%, Orders no finished instance. Other: Leave 1%, Orders 2%.');
    expect(summarize({ ...model, labels: [] })).toBe('SLA compliance per workflow: no data.');
  });

  it('cuts long series, saying how many more the table has', () => {
    const labels = Array.from({ length: 30 }, (_, i) => `d${i}`);
    const long: ChartModel = { ...model, labels, series: [{ label: 's', values: labels.map(() => 1) }], unit: '' };
    expect(summarize(long)).toMatch(/d11 1, and 18 more in the table\.$/);
  });

  it('tables the same numbers, the unit in the heading', () => {
    expect(tableOf(model)).toEqual({
      head: ['Workflow', 'SLA compliance (%)'],
      rows: [
        { label: 'Leave', cells: ['100'] },
        { label: 'Orders', cells: ['no finished instance'] },
      ],
    });
  });

  it('styles series apart by more than colour', () => {
    expect(styleOf(0).point).not.toBe(styleOf(1).point);
    expect(styleOf(6)).toBe(styleOf(0));
  });
});
