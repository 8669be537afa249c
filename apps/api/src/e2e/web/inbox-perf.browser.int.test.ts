/**
 * The inbox with 1,000 open tasks: the first page (the API's page size) shows without waiting for
 * the rest, "Show more" reads the next one. How long the inbox takes to become interactive is
 * measured with the Performance API and written to test-artifacts/web/inbox-1000.json (a
 * measurement for BENCHMARKS.md, not a timed assertion).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ARTIFACTS, startWebApp, type WebApp } from './web-kit';

const TASKS = 1000;
const PAGE_SIZE = 100;

let web: WebApp;

beforeAll(async () => {
  web = await startWebApp();
  const admin = web.as('admin');
  const definitionId = await admin.define({
    name: 'Bulk approvals',
    nodes: [{ id: 'ok', nodeType: 'approval', name: 'Approve the expense', approverRole: 'manager', slaHours: 48 }],
    routes: [],
  });
  const requester = web.as('requester');
  let next = 0;
  const startSome = async () => {
    while (next < TASKS) {
      const n = next++;
      await requester.start(definitionId, { amount: n, purpose: `Expense ${n}` }, { contextEntityId: `EXP-${String(n).padStart(4, '0')}` });
    }
  };
  await Promise.all(Array.from({ length: 16 }, startSome));
  // every task parked before the page is measured
  const manager = web.as('manager');
  for (let seen = 0, i = 0; seen < TASKS; i++) {
    let cursor: string | null = null;
    seen = 0;
    do {
      const page = await manager.get('/api/tasks/mine', cursor ? { limit: 500, cursor } : { limit: 500 });
      seen += (page.body.items as unknown[]).length;
      cursor = page.body.nextCursor as string | null;
    } while (cursor);
    if (seen < TASKS) await new Promise((r) => setTimeout(r, 250));
    if (i > 240) throw new Error(`only ${seen} of ${TASKS} tasks reached the queue`);
  }
}, 300_000);

afterAll(async () => {
  await web?.close();
});

describe('the inbox with 1,000 open tasks', () => {
  it('shows the first page at once and reads the next on demand', async () => {
    const page = await web.signedIn('manager');
    const listRequests: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/api/tasks/mine')) listRequests.push(r.url());
    });
    await page.goto('/workflows/');
    const first = page.getByTestId('task-row').first().getByRole('link');
    await first.waitFor();
    const timing = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
      return { firstRowMs: Math.round(performance.now()), domContentLoadedMs: Math.round(nav?.domContentLoadedEventEnd ?? 0) };
    });
    expect(await page.getByTestId('task-row').count()).toBe(PAGE_SIZE);
    // the first page only (read again once the live feed connects, as subscribe-then-read asks), no other page
    expect(listRequests.length).toBeGreaterThanOrEqual(1);
    expect(listRequests.filter((u) => u.includes('cursor='))).toEqual([]);
    // interactive: the first task opens with a click right away
    const start = Date.now();
    await first.click();
    await page.getByRole('heading', { level: 1, name: 'Approve the expense' }).waitFor();
    const openMs = Date.now() - start;

    await page.goBack();
    const more = page.getByRole('button', { name: 'Show more tasks' });
    await more.waitFor();
    await more.focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('task-row').nth(2 * PAGE_SIZE - 1).waitFor();
    expect(await page.getByTestId('task-row').count()).toBe(2 * PAGE_SIZE);
    expect(listRequests.some((u) => u.includes('cursor='))).toBe(true);

    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(join(ARTIFACTS, 'inbox-1000.json'), `${JSON.stringify({ openTasks: TASKS, pageSize: PAGE_SIZE, ...timing, openFirstTaskMs: openMs }, null, 2)}\n`);
  });
});
