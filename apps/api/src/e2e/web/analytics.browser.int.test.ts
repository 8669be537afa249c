/**
 * The analytics page in a real browser, after a few completed instances, some of them late: the
 * tables of the charts (SLA compliance, average completion time, instances over time, breaches)
 * say the numbers the API gives for the same window, the canvases say them too (aria-label), the
 * window picker and the tables work by keyboard, and axe finds no serious violation, also at a
 * phone's width.
 */
import type { Page } from 'playwright-core';
import { definition } from '@wf/testkit/definitions';
import { eventually } from '../../testing/engine-harness';
import { screenshot, seriousA11yViolations, startWebApp, type WebApp } from './web-kit';

const ORDERS = 'Analytics Orders';
const QUICK = 'Analytics Quick Notes';
/** 5.4 seconds: long enough to approve one in time, short enough to wait out for the late ones */
const SLA_HOURS = 0.0015;

interface Figures {
  workflowName: string;
  totalInstances: number;
  completedInstances: number;
  slaCompliancePercentage: number | null;
  avgCompletionHours: number | null;
  atRiskTasks: number;
  versions: { version: number; slaBreaches: number; p50CompletionHours: number | null; p90CompletionHours: number | null }[];
  nodes: { nodeId: string; slaBreaches: number }[];
}

let web: WebApp;

const num = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 2 });

beforeAll(async () => {
  web = await startWebApp();
  const admin = web.as('admin');
  const manager = web.as('manager');
  const orders = await admin.define(
    definition(ORDERS).approval('approve', { approverRole: 'manager', slaHours: SLA_HOURS }).with({ slaHours: SLA_HOURS }).build(),
  );
  const quick = await admin.define(definition(QUICK).setContext('note', { noted: true }).with({ slaHours: 24 }).build());

  // one order approved in time, two after their deadline
  const onTime = await admin.start(orders, { amount: 100 }, { contextEntityId: 'PO-ON-TIME' });
  await manager.approve(await manager.taskFor(onTime));
  await admin.finished(onTime);
  const late = [await admin.start(orders, { amount: 200 }, { contextEntityId: 'PO-LATE-1' }), await admin.start(orders, { amount: 300 }, { contextEntityId: 'PO-LATE-2' })];
  const tasks = await Promise.all(late.map((id) => manager.taskFor(id)));
  // the engine marks the tasks' deadlines as breached (analytics counts them) before they are decided
  await eventually(
    async () => {
      const res = await admin.get('/api/analytics/workflows', { detail: true });
      const item = (res.body as { items: Figures[] }).items.find((i) => i.workflowName === ORDERS);
      return (item?.nodes.find((n) => n.nodeId === 'approve')?.slaBreaches ?? 0) >= 2 ? true : undefined;
    },
    30_000,
    'the two late tasks to be marked as past their deadline',
  );
  for (const task of tasks) await manager.approve(task);
  for (const id of late) await admin.finished(id);
  for (const id of [await admin.start(quick), await admin.start(quick)]) await admin.finished(id);
}, 90_000);
afterAll(() => web?.close());

/** A chart's table, opened by keyboard: its heading row and its rows of cells. */
async function chartTable(page: Page, testId: string): Promise<{ head: string[]; rows: string[][] }> {
  const chart = page.getByTestId(testId);
  const details = chart.locator('details');
  if ((await details.getAttribute('open')) === null) {
    await chart.locator('summary').focus();
    await page.keyboard.press('Enter');
    await chart.locator('details[open]').waitFor();
  }
  const head = await chart.locator('thead th').allInnerTexts();
  const rows: string[][] = [];
  for (const row of await chart.locator('tbody tr').all()) rows.push((await row.locator('th, td').allInnerTexts()).map((t) => t.trim()));
  return { head, rows };
}

async function openAnalytics(page: Page): Promise<{ from: string; to: string; items: Figures[] }> {
  await page.getByRole('link', { name: 'Analytics' }).click();
  await page.getByRole('heading', { level: 1, name: 'Analytics' }).waitFor();
  // the picker by keyboard: from "Last 30 days" (the default) to "Last 7 days"
  const thirty = page.getByRole('radio', { name: 'Last 30 days' });
  expect(await thirty.isChecked()).toBe(true);
  await thirty.focus();
  await page.keyboard.press('ArrowLeft');
  expect(await page.getByRole('radio', { name: 'Last 7 days' }).isChecked()).toBe(true);
  expect(new URL(page.url()).searchParams.get('days')).toBe('7');
  await page.getByTestId('analytics-status').filter({ hasText: /^Figures for 2 workflows over the last 7 days\.$/ }).waitFor();
  const window = page.getByTestId('analytics-window');
  const from = (await window.getAttribute('data-from')) ?? '';
  const to = (await window.getAttribute('data-to')) ?? '';
  const res = await web.as('admin').get('/api/analytics/workflows', { from, to });
  expect(res.status).toBe(200);
  return { from, to, items: (res.body as { items: Figures[] }).items };
}

describe('the analytics page', () => {
  it('shows in the charts’ tables the numbers the API gives for the window', async () => {
    const page = await web.signedIn('admin');
    const { items } = await openAnalytics(page);
    const orders = items.find((i) => i.workflowName === ORDERS);
    const quick = items.find((i) => i.workflowName === QUICK);
    // the fixture is what the test means it to be
    expect(orders).toMatchObject({ totalInstances: 3, completedInstances: 3, slaCompliancePercentage: 33.33 });
    expect(quick).toMatchObject({ totalInstances: 2, slaCompliancePercentage: 100 });
    const byName = [...items].sort((a, b) => a.workflowName.localeCompare(b.workflowName));

    const sla = await chartTable(page, 'chart-sla');
    expect(sla.head).toEqual(['Workflow', 'SLA compliance (%)']);
    expect(sla.rows).toEqual(byName.map((i) => [i.workflowName, i.slaCompliancePercentage === null ? 'no finished instance' : num(i.slaCompliancePercentage)]));

    const completion = await chartTable(page, 'chart-completion');
    expect(completion.rows).toEqual(byName.map((i) => [i.workflowName, i.avgCompletionHours === null ? 'none completed' : num(i.avgCompletionHours)]));

    const breaches = await chartTable(page, 'chart-breaches');
    expect(breaches.head).toEqual(['Workflow', 'Instances past their deadline', 'Tasks past their deadline', 'Tasks at risk']);
    expect(breaches.rows).toEqual(
      byName.map((i) => [
        i.workflowName,
        num(i.versions.reduce((s, v) => s + v.slaBreaches, 0)),
        num(i.nodes.reduce((s, n) => s + n.slaBreaches, 0)),
        num(i.atRiskTasks),
      ]),
    );
    expect(breaches.rows.find((r) => r[0] === ORDERS)).toEqual([ORDERS, '2', '2', '0']);

    // instances over time: the days partition the window, so each column adds up to the window's count
    await page.getByTestId('analytics-status').filter({ hasNotText: 'still loading' }).waitFor();
    const overTime = await chartTable(page, 'chart-over-time');
    expect(overTime.rows).toHaveLength(7);
    const column = (name: string) => overTime.rows.reduce((sum, row) => sum + Number(row[overTime.head.indexOf(name)]), 0);
    expect(column('All workflows')).toBe(items.reduce((s, i) => s + i.totalInstances, 0));
    for (const i of items) expect(column(i.workflowName)).toBe(i.totalInstances);
    // today's row holds them all
    expect(overTime.rows[6]?.[overTime.head.indexOf('All workflows')]).toBe('5');

    // the canvases say the same, as one image each
    const slaCanvas = page.getByTestId('chart-sla').getByRole('img');
    expect(await slaCanvas.getAttribute('aria-label')).toBe(`SLA compliance per workflow. ${byName.map((i) => `${i.workflowName} ${num(i.slaCompliancePercentage ?? 0)}%`).join(', ')}.`);

    // per version: p50 and p90 as the API says
    const versionRows = await page.getByTestId('version-table').locator('tbody tr').allInnerTexts();
    const orderVersion = orders?.versions[0];
    expect(versionRows.find((r) => r.startsWith(ORDERS))).toContain(`${num(orderVersion?.p90CompletionHours ?? -1)} h`);

    // all time: the guide's totals
    const totals = (await web.as('admin').get('/api/analytics/workflows')).body as { items: Figures[] };
    const totalRows = await page.getByTestId('totals-table').locator('tbody tr').allInnerTexts();
    expect(totalRows).toHaveLength(totals.items.length);
    for (const t of totals.items) expect(totalRows.find((r) => r.startsWith(t.workflowName))).toContain(`${num(t.slaCompliancePercentage ?? 0)}%`);
    await screenshot(page, 'analytics');
  });

  it('has no serious accessibility violation, at desktop and phone width, with the tables open', async () => {
    for (const viewport of [undefined, { width: 390, height: 844 }]) {
      const page = await web.signedIn('admin', viewport);
      await openAnalytics(page);
      await page.getByTestId('analytics-status').filter({ hasNotText: 'still loading' }).waitFor();
      expect(await seriousA11yViolations(page)).toEqual([]);
      for (const chart of ['chart-sla', 'chart-completion', 'chart-over-time', 'chart-breaches']) await chartTable(page, chart);
      expect(await seriousA11yViolations(page)).toEqual([]);
      if (viewport) {
        const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
        expect(overflow).toBeLessThanOrEqual(0);
        await screenshot(page, 'analytics-phone');
      }
    }
  });
});
