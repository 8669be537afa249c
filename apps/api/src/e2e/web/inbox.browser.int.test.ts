/**
 * The inbox, task and start pages in Chromium against the whole engine: the requester starts an
 * order on the start page and the manager's open inbox shows it arrive without a reload, then
 * approves it with a comment that shows in the thread; the same done with the keyboard alone; the
 * inbox and task page at a phone's width; context values holding HTML and script shown as text;
 * and no serious accessibility violation on these pages.
 */
import type { Page } from 'playwright-core';
import { SAMPLE_WORKFLOW, SAMPLE_WORKFLOW_NAME } from '@wf/runtime';
import { eventually } from '../../testing/engine-harness';
import { pageErrors, screenshot, seriousA11yViolations, startWebApp, type WebApp } from './web-kit';

let web: WebApp;
let definitionId: string;

beforeAll(async () => {
  web = await startWebApp();
  definitionId = await web.as('admin').define(SAMPLE_WORKFLOW);
}, 120_000);

afterAll(async () => {
  await web?.close();
});

/** Start an order as the requester through the API; the manager's task id once it is in the queue. */
async function order(key: string, contextData: Record<string, unknown> = { amount: 2500, supplier: 'Acme' }): Promise<{ instanceId: string; taskId: string }> {
  const instanceId = await web.as('requester').start(definitionId, contextData, { contextEntityType: 'purchase_order', contextEntityId: key });
  const taskId = await web.as('manager').taskFor(instanceId, 'manager_approval');
  return { instanceId, taskId };
}

function row(page: Page, key: string) {
  return page.getByTestId('task-row').filter({ hasText: key });
}

/** Press Tab until the focused element is the one `matches` names; false after `max` presses. */
async function tabTo(page: Page, matches: (el: { tag: string; text: string; label: string }) => boolean, max = 80): Promise<boolean> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const el = await page.evaluate(() => {
      const a = document.activeElement as HTMLElement | null;
      return { tag: a?.tagName.toLowerCase() ?? '', text: (a?.innerText ?? '').trim(), label: a?.getAttribute('aria-label') ?? '' };
    });
    if (matches(el)) return true;
  }
  return false;
}

describe('the inbox and the task page', () => {
  it('shows an order started on the start page arriving in the manager inbox live, and approves it with a comment', async () => {
    const manager = await web.signedIn('manager');
    await manager.getByRole('heading', { level: 1, name: 'My tasks' }).waitFor();
    await manager.getByTestId('live-status').filter({ hasText: 'Live' }).waitFor({ timeout: 15_000 });
    // a reload would clear this
    await manager.evaluate(() => Object.assign(window, { __stillHere: true }));

    const requester = await web.signedIn('requester');
    await requester.goto('/workflows/start');
    await requester.getByRole('link', { name: SAMPLE_WORKFLOW_NAME }).click();
    await requester.getByLabel('Key', { exact: true }).fill('PO-7001');
    await requester.getByLabel('Kind of record').fill('purchase_order');
    await requester.getByLabel('Request details (JSON object)').fill('{"amount": 5000, "supplier": "Acme"}');
    await requester.getByRole('button', { name: 'Start', exact: true }).click();
    const started = requester.getByTestId('started');
    await started.waitFor();
    expect(await started.innerText()).toContain('PO-7001');
    await started.getByText('Waiting at: Manager Approval').waitFor({ timeout: 10_000 });
    const instanceHref = await started.getByRole('link', { name: 'Open the instance' }).getAttribute('href');
    expect(instanceHref).toMatch(/^\/workflows\/instances\/[0-9a-f-]{36}$/);
    await screenshot(requester, 'start');
    const instanceId = instanceHref!.split('/').pop()!;
    expect((await web.as('requester').instance(instanceId)).contextData).toEqual({ amount: 5000, supplier: 'Acme' });

    // arrives through the subscription, well before the 30 s backstop
    await row(manager, 'PO-7001').waitFor({ timeout: 10_000 });
    expect(await manager.evaluate(() => (window as { __stillHere?: boolean }).__stillHere)).toBe(true);
    await manager.getByTestId('live-announcement').filter({ hasText: '1 new task' }).waitFor();
    expect(await row(manager, 'PO-7001').innerText()).toMatch(/Manager Approval[\s\S]*Simple Purchase Approval[\s\S]*PO-7001/);
    await screenshot(manager, 'inbox');

    await row(manager, 'PO-7001').getByRole('link', { name: 'Manager Approval' }).click();
    await manager.getByRole('heading', { level: 1, name: 'Manager Approval' }).waitFor();
    expect(await manager.getByText('5,000').count()).toBeGreaterThan(0);
    await manager.getByLabel('Comment (optional)').fill('Within budget, go ahead');
    await screenshot(manager, 'task');
    await manager.getByRole('button', { name: 'Approve', exact: true }).click();
    await manager.getByTestId('decision-done').filter({ hasText: 'You approved this task.' }).waitFor();
    await manager.getByTestId('comment-thread').filter({ hasText: 'Within budget, go ahead' }).waitFor();
    expect(await manager.getByTestId('comment-thread').innerText()).toMatch(/mo-manager\s+approved/);
    expect((await web.as('admin').finished(instanceId)).status).toBe('completed');

    // back to the inbox: the task is gone
    await manager.getByTestId('decision-done').getByRole('link', { name: 'Back to the inbox' }).click();
    await manager.getByRole('heading', { level: 1, name: 'My tasks' }).waitFor();
    await eventually(async () => (await row(manager, 'PO-7001').count()) === 0 || undefined, 10_000, 'the decided task to leave the inbox');
  });

  it('signs in, opens the first task and approves it with the keyboard alone', async () => {
    const { instanceId } = await order('PO-KEYS');
    const page = await (await web.context()).newPage();
    await page.goto('/workflows/');
    await page.getByRole('button', { name: /^Manager\b/ }).waitFor();
    expect(await tabTo(page, (el) => el.tag === 'button' && /^Manager\b/.test(el.text))).toBe(true);
    await page.keyboard.press('Enter');
    await row(page, 'PO-KEYS').waitFor();
    expect(await tabTo(page, (el) => el.tag === 'a' && el.text === 'Manager Approval')).toBe(true);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Manager Approval' }).waitFor();
    expect(await tabTo(page, (el) => el.tag === 'button' && el.text === 'Approve')).toBe(true);
    await page.keyboard.press('Space');
    await page.getByTestId('decision-done').filter({ hasText: 'You approved this task.' }).waitFor();
    expect((await web.as('admin').finished(instanceId)).status).toBe('completed');
  });

  it('fits a 390 px phone: no sideways scroll on the inbox or the task page, and the approve button is reachable', async () => {
    const { instanceId } = await order('PO-PHONE', { amount: 1200, supplier: 'A supplier with a rather long name for a phone screen', deliveryAddress: 'Hauptstrasse 1, 10115 Berlin' });
    const page = await web.signedIn('manager', { width: 390, height: 844 });
    await row(page, 'PO-PHONE').waitFor();
    const scrollWidth = () => page.evaluate(() => document.documentElement.scrollWidth);
    expect(await scrollWidth()).toBeLessThanOrEqual(390);
    await screenshot(page, 'inbox-phone');

    await row(page, 'PO-PHONE').getByRole('link', { name: 'Manager Approval' }).click();
    const approve = page.getByRole('button', { name: 'Approve', exact: true });
    await approve.waitFor();
    expect(await scrollWidth()).toBeLessThanOrEqual(390);
    await approve.scrollIntoViewIfNeeded();
    const box = await approve.boundingBox();
    expect(box && box.x >= 0 && box.x + box.width <= 390).toBe(true);
    await screenshot(page, 'task-phone');
    await approve.click();
    await page.getByTestId('decision-done').waitFor();
    expect((await web.as('admin').finished(instanceId)).status).toBe('completed');
  });

  it('shows context values holding HTML and script as text on the inbox and the task page, and runs none of it', async () => {
    const img = '<img src=x onerror="window.__injected=1">';
    const script = '<script>window.__injected=2</script>';
    await order('PO-<b>HTML</b>', { note: img, remark: script, amount: 10 });
    const page = await web.signedIn('manager');
    const errors = await pageErrors(page, async () => {
      await row(page, 'PO-<b>HTML</b>').waitFor();
      const inboxRow = row(page, 'PO-<b>HTML</b>');
      expect(await inboxRow.innerText()).toContain(img);
      expect(await inboxRow.innerText()).toContain(script);
      expect(await page.locator('img[src="x"], main script, main b').count()).toBe(0);

      await inboxRow.getByRole('link', { name: 'Manager Approval' }).click();
      await page.getByRole('heading', { level: 1, name: 'Manager Approval' }).waitFor();
      await page.getByText(img, { exact: true }).first().waitFor();
      await page.getByText(script, { exact: true }).first().waitFor();
      await page.getByText('PO-<b>HTML</b>').first().waitFor();
      expect(await page.locator('img[src="x"], main script, main b').count()).toBe(0);
    });
    expect(await page.evaluate(() => (window as { __injected?: number }).__injected)).toBeUndefined();
    expect(errors).toEqual([]);
  });

  it('saves the filters as a view on the server, applies it and deletes it', async () => {
    await order('PO-VIEW');
    const page = await web.signedIn('manager');
    await row(page, 'PO-VIEW').waitFor();
    await page.getByLabel('Business key').fill('PO-VIEW');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/[?&]key=PO-VIEW/);
    await eventually(async () => (await page.getByTestId('task-row').count()) === 1 || undefined, 5000, 'one row');
    await page.getByLabel('Save these filters as').fill('Only the view order');
    await page.getByRole('button', { name: 'Save view' }).click();
    await page.getByRole('button', { name: 'Apply view Only the view order' }).waitFor();
    const stored = await web.as('manager').get('/api/views', { page: 'inbox' });
    expect(stored.body.items).toEqual([expect.objectContaining({ name: 'Only the view order', filters: { key: 'PO-VIEW' } })]);

    await page.getByRole('button', { name: 'Clear filters' }).click();
    await eventually(async () => (await page.getByTestId('task-row').count()) > 1 || undefined, 5000, 'every row again');
    await page.getByRole('button', { name: 'Apply view Only the view order' }).click();
    await page.waitForURL(/[?&]key=PO-VIEW/);
    await eventually(async () => (await page.getByTestId('task-row').count()) === 1 || undefined, 5000, 'the view applied');

    await page.getByRole('button', { name: 'Delete view Only the view order' }).click();
    await page.getByText('No saved views yet.').waitFor();
    expect((await web.as('manager').get('/api/views', { page: 'inbox' })).body.items).toEqual([]);
  });

  it("lists every open task of the tenant for an admin, filtered by the API, and refuses it to others", async () => {
    await order('PO-OPS-1');
    await order('PO-OPS-2');
    const admin = await web.signedIn('admin');
    await admin.getByRole('link', { name: 'All tasks' }).click();
    await admin.getByRole('heading', { level: 1, name: 'All open tasks' }).waitFor();
    await row(admin, 'PO-OPS-1').waitFor();
    expect(await row(admin, 'PO-OPS-2').innerText()).toContain('role manager');
    await admin.getByLabel('Business key').fill('PO-OPS-2');
    await admin.getByRole('button', { name: 'Apply filters' }).click();
    await eventually(async () => ((await admin.getByTestId('task-row').count()) === 1 && (await row(admin, 'PO-OPS-2').count()) === 1) || undefined, 5000, 'only PO-OPS-2');
    expect(await seriousA11yViolations(admin)).toEqual([]);

    const manager = await web.signedIn('manager');
    await manager.goto('/workflows/tasks');
    await manager.getByRole('alert').filter({ hasText: 'for admins' }).waitFor();
  });

  it('has no serious accessibility violation on the inbox, the task page and the start page', async () => {
    const { taskId } = await order('PO-AXE');
    const page = await web.signedIn('manager');
    await row(page, 'PO-AXE').waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.goto(`/workflows/tasks/${taskId}`);
    await page.getByRole('button', { name: 'Approve', exact: true }).waitFor();
    await page.getByTestId('comment-thread').or(page.getByText('No comments yet.')).first().waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    // the reject form showing its refusal
    await page.getByRole('button', { name: 'Reject', exact: true }).click();
    await page.getByText('a reason is required').waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.goto(`/workflows/start/${encodeURIComponent(SAMPLE_WORKFLOW_NAME)}`);
    await page.getByLabel('Request details (JSON object)').fill('{ nope');
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await page.getByText(/Not valid JSON at line 1/).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
  });
});

