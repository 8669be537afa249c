import {
  breachesModel,
  completionModel,
  hoursText,
  MAX_LINES,
  overTimeModel,
  percentText,
  slaModel,
  windowDaysFrom,
  windowOf,
  type WorkflowDetail,
  type WorkflowTotals,
} from './analytics-data';

const totals = (name: string, over: Partial<WorkflowTotals> = {}): WorkflowTotals => ({
  workflowName: name,
  totalInstances: 0,
  runningInstances: 0,
  completedInstances: 0,
  rejectedInstances: 0,
  failedInstances: 0,
  cancelledInstances: 0,
  slaCompliancePercentage: null,
  avgCompletionHours: null,
  ...over,
});

const detail = (name: string, over: Partial<WorkflowDetail> = {}): WorkflowDetail => ({ ...totals(name), atRiskTasks: 0, versions: [], nodes: [], slowestNode: null, ...over });

describe('the analytics window', () => {
  it('is 7, 30 or 90 days (30 unless said)', () => {
    expect(windowDaysFrom('7')).toBe(7);
    expect(windowDaysFrom('90')).toBe(90);
    expect(windowDaysFrom('12')).toBe(30);
    expect(windowDaysFrom(null)).toBe(30);
  });

  it('covers the last N days to the end of today, a bucket a day, oldest first', () => {
    const now = new Date(2026, 2, 10, 15, 30);
    const w = windowOf(7, now);
    expect(w.from).toBe(new Date(2026, 2, 4).toISOString());
    expect(w.to).toBe(new Date(2026, 2, 11).toISOString());
    expect(w.step).toBe('day');
    expect(w.buckets).toHaveLength(7);
    expect(w.buckets[0]).toEqual({ from: w.from, to: new Date(2026, 2, 5).toISOString(), label: 'Mar 4' });
    expect(w.buckets[6]?.to).toBe(w.to);
    for (let i = 1; i < w.buckets.length; i++) expect(w.buckets[i]?.from).toBe(w.buckets[i - 1]?.to);
  });

  it('counts 90 days in weeks, the earliest bucket shorter', () => {
    const w = windowOf(90, new Date(2026, 2, 10, 1));
    expect(w.step).toBe('week');
    expect(w.buckets).toHaveLength(13);
    expect(w.buckets[0]?.from).toBe(w.from);
    expect(w.from).toBe(new Date(2026, 2, 11 - 90).toISOString());
    expect(w.buckets[12]).toEqual({ from: new Date(2026, 2, 4).toISOString(), to: w.to, label: 'Mar 4 – Mar 10' });
    expect(windowOf(30, new Date(2026, 2, 10)).buckets).toHaveLength(30);
  });
});

describe('the charts\' models', () => {
  const items = [
    detail('Orders', {
      slaCompliancePercentage: 66.67,
      avgCompletionHours: 5.25,
      atRiskTasks: 1,
      versions: [
        { version: 1, definitionId: 'a', totalInstances: 2, completedInstances: 2, slaCompliancePercentage: 50, p50CompletionHours: 1, p90CompletionHours: 2, slaBreaches: 1 },
        { version: 2, definitionId: 'b', totalInstances: 1, completedInstances: 1, slaCompliancePercentage: 100, p50CompletionHours: 1, p90CompletionHours: 1, slaBreaches: 2 },
      ],
      nodes: [{ nodeId: 'ok', nodeType: 'approval', executions: 3, p50Hours: 1, p90Hours: 2, avgHours: 1.5, slaBreaches: 4, atRisk: 1, open: 0 }],
    }),
    detail('Leave'),
  ];

  it('SLA compliance and completion time per workflow, by name, none as none', () => {
    expect(slaModel(items)).toMatchObject({ labels: ['Leave', 'Orders'], series: [{ values: [null, 66.67] }], unit: '%', max: 100 });
    expect(completionModel(items)).toMatchObject({ labels: ['Leave', 'Orders'], series: [{ values: [null, 5.25] }], unit: ' h' });
  });

  it('breaches: over the versions (instances), over the nodes (tasks), and at-risk tasks', () => {
    expect(breachesModel(items).series.map((s) => s.values)).toEqual([
      [0, 3],
      [0, 4],
      [0, 1],
    ]);
  });

  it('instances over time: all workflows, then each, a bucket not yet loaded as none', () => {
    const w = windowOf(7, new Date(2026, 2, 10));
    const answers = w.buckets.map((_, i) => (i === 6 ? undefined : { items: i === 0 ? [totals('A', { totalInstances: 2 }), totals('B', { totalInstances: 1 })] : [] }));
    const m = overTimeModel(w, answers);
    expect(m.kind).toBe('line');
    expect(m.title).toBe('Instances started per day');
    expect(m.series.map((s) => s.label)).toEqual(['All workflows', 'A', 'B']);
    expect(m.series[0]?.values).toEqual([3, 0, 0, 0, 0, 0, null]);
    expect(m.series[2]?.values[0]).toBe(1);
  });

  it(`draws at most ${MAX_LINES} workflows, the rest together`, () => {
    const w = windowOf(7, new Date(2026, 2, 10));
    const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    const answers = w.buckets.map(() => ({ items: names.map((n, i) => totals(n, { totalInstances: 10 - i })) }));
    const m = overTimeModel(w, answers);
    expect(m.series.map((s) => s.label)).toEqual(['All workflows', 'a', 'b', 'c', 'd', 'e', 'Other workflows']);
    expect(m.series[6]?.values[0]).toBe(5 + 4);
  });

  it('says hours and percentages', () => {
    expect(hoursText(5.25)).toBe('5.25 h');
    expect(hoursText(null)).toBe('—');
    expect(hoursText(0.0015)).toBe('< 0.01 h');
    expect(hoursText(0)).toBe('0 h');
    expect(percentText(88.89)).toBe('88.89%');
  });
});
