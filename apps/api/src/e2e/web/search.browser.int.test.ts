/**
 * The operator's search and incident pages in a real browser: finding a failed instance by its
 * business key, seeing it on the incident list with its error and retrying it there (and a
 * non-admin's retry refused in the row, with the API's message); narrowing the search by workflow
 * and status; saved searches kept on the server per user; no serious accessibility violation,
 * the controls used by keyboard, and the pages at a phone's width.
 */
import type { Page } from 'playwright-core';
import { definition } from '@wf/testkit/definitions';
import { screenshot, seriousA11yViolations, startWebApp, type WebApp } from './web-kit';

const FAILED_KEY = 'PO-FAIL-4242';
const REQUESTER_FAILED_KEY = 'PO-FAIL-RITA';
const ALPHA = 'Search Alpha Orders';
const BETA = 'Search Beta Leave';
const FAILING = 'Search Failing Payments';

let web: WebApp;
let failedId: string;
let failedError: string;

beforeAll(async () => {
  web = await startWebApp();
  const admin = web.as('admin');
  const alpha = await admin.define(definition(ALPHA).setContext('note', { noted: true }).build());
  const alphaWaiting = await admin.define(definition(`${ALPHA} (approval)`).approval('approve', { approverRole: 'manager' }).build());
  const beta = await admin.define(definition(BETA).setContext('note', { noted: true }).build());
  const failing = await admin.define(
    definition(FAILING).service('charge', 'http_call', { url: 'http://127.0.0.1:9/nowhere', method: 'GET' }).build(),
  );
  const started = [
    await admin.start(alpha, {}, { contextEntityType: 'purchase_order', contextEntityId: 'PO-A-1' }),
    await admin.start(alpha, {}, { contextEntityType: 'purchase_order', contextEntityId: 'PO-A-2' }),
    await admin.start(beta, {}, { contextEntityType: 'leave_request', contextEntityId: 'LR-B-1' }),
  ];
  for (const id of started) await admin.finished(id);
  // a running instance of another workflow name, so that the workflow filter is exact
  await admin.start(alphaWaiting, {}, { contextEntityId: 'PO-A-WAIT' });
  failedId = await admin.start(failing, {}, { contextEntityType: 'payment', contextEntityId: FAILED_KEY });
  const failed = await admin.finished(failedId);
  expect(failed.status).toBe('failed');
  failedError = failed.nodes.find((n) => n.status === 'failed')?.error?.message ?? '';
  expect(failedError).not.toBe('');
  // one the requester started: visible to her, but only an admin may retry it
  const rita = await web.as('requester').start(failing, {}, { contextEntityId: REQUESTER_FAILED_KEY });
  await admin.finished(rita);
});
afterAll(() => web?.close());

/** How far the page scrolls sideways (run in the page). */
const PAGE_OVERFLOW = 'document.documentElement.scrollWidth - document.documentElement.clientWidth';
/** The focused element's name, else its text (run in the page). */
const FOCUSED = "(document.activeElement && (document.activeElement.name || document.activeElement.textContent)) || ''";

/** The search form's fields, by their labels. */
const form = (page: Page) => page.getByRole('search', { name: 'Filters' });

async function resultCount(page: Page): Promise<number> {
  await page.getByTestId('search-status').filter({ hasText: /shown|No instance/ }).waitFor();
  return page.getByTestId('search-results').locator('tbody tr').count();
}

describe('the search and incident pages', () => {
  it('lets the operator find a failed instance by business key, see it as an incident with its error, and retry it there', async () => {
    const page = await web.signedIn('admin');
    await page.getByRole('link', { name: 'Instances' }).click();
    await page.getByRole('heading', { level: 1, name: 'Instances' }).waitFor();

    // type the key, press Enter: the one row shows, failed
    const key = form(page).getByLabel('Business key');
    await key.focus();
    await page.keyboard.type(FAILED_KEY);
    await page.keyboard.press('Enter');
    await page.getByTestId('search-status').filter({ hasText: '1 instance shown.' }).waitFor();
    expect(new URL(page.url()).searchParams.get('contextEntityId')).toBe(FAILED_KEY);
    const rows = page.getByTestId('search-results').locator('tbody tr');
    expect(await rows.count()).toBe(1);
    await expect(rows.first().getAttribute('data-instance-id')).resolves.toBe(failedId);
    expect(await rows.first().locator('[data-status]').innerText()).toBe('failed');
    expect(await rows.first().innerText()).toContain(FAILING);
    await expect(rows.first().getByRole('link').getAttribute('href')).resolves.toBe(`/workflows/instances/${failedId}`);
    await screenshot(page, 'search');

    // the incident list: the same instance with its failed node and error, read without a request per instance
    const requests: string[] = [];
    page.on('request', (r) => requests.push(new URL(r.url()).pathname));
    await page.getByRole('link', { name: 'Incidents' }).click();
    await page.getByRole('heading', { level: 1, name: 'Incidents' }).waitFor();
    const row = page.locator(`tr[data-instance-id="${failedId}"]`);
    await row.waitFor();
    expect(requests.filter((p) => /^\/api\/instances\/[0-9a-f-]{36}$/.test(p))).toEqual([]);
    const text = await row.innerText();
    expect(text).toContain(FAILED_KEY);
    expect(text).toContain(FAILING);
    expect(text).toContain('charge');
    expect(text).toContain(failedError);
    await screenshot(page, 'incidents');

    // retry by keyboard: the row says the outcome, and the engine did retry it
    await row.getByRole('button', { name: `Retry ${FAILED_KEY} (${FAILING})` }).focus();
    await page.keyboard.press('Enter');
    await row.getByTestId('retry-outcome').filter({ hasText: 'Retried: running again' }).waitFor();
    expect(await row.getByRole('button', { name: /^Retry/ }).isDisabled()).toBe(true);
    const events = await web.as('admin').events(failedId);
    expect(events).toContain('instance_retried');
    await screenshot(page, 'incidents-retried');
  });

  it('shows a non-admin’s retry refused in the row, with the API’s message', async () => {
    const page = await web.signedIn('requester');
    await page.goto('/workflows/incidents');
    const row = page.locator('tr', { hasText: REQUESTER_FAILED_KEY });
    await row.waitFor();
    await row.getByRole('button', { name: /^Retry/ }).click();
    await row.getByTestId('retry-outcome').filter({ hasText: 'Not retried: only an admin may retry an instance' }).waitFor();
    expect(await row.getByTestId('retry-outcome').innerText()).toContain('ADMIN_REQUIRED');
  });

  it('narrows the table by workflow and status, and keeps a saved search on the server for its owner alone', async () => {
    const page = await web.signedIn('admin');
    await page.goto('/workflows/instances');
    const all = await resultCount(page);

    await form(page).getByLabel('Workflow').selectOption(ALPHA);
    await form(page).getByRole('button', { name: 'Search' }).click();
    await page.getByTestId('search-status').filter({ hasText: '2 instances shown.' }).waitFor();
    const byWorkflow = await page.getByTestId('search-results').locator('tbody tr').allInnerTexts();
    expect(byWorkflow.every((t) => t.includes(ALPHA) && !t.includes('(approval)'))).toBe(true);
    expect(all).toBeGreaterThan(byWorkflow.length);

    // the running one of the other name and every completed one: status narrows it
    await form(page).getByLabel('Workflow').selectOption(`${ALPHA} (approval)`);
    await form(page).getByLabel('Status').selectOption('running');
    await form(page).getByRole('button', { name: 'Search' }).click();
    await page.getByTestId('search-status').filter({ hasText: '1 instance shown.' }).waitFor();
    expect(await page.getByTestId('search-results').innerText()).toContain('PO-A-WAIT');
    await form(page).getByLabel('Status').selectOption('completed');
    await form(page).getByRole('button', { name: 'Search' }).click();
    await page.getByTestId('search-status').filter({ hasText: 'No instance matches this search.' }).waitFor();

    // save "Alpha, completed" and find it after a reload, stored on the server
    await form(page).getByLabel('Workflow').selectOption(ALPHA);
    await form(page).getByRole('button', { name: 'Search' }).click();
    await page.getByTestId('search-status').filter({ hasText: '2 instances shown.' }).waitFor();
    await page.getByLabel('Save the current search as').fill('Alpha done');
    await page.getByRole('button', { name: 'Save search' }).click();
    const saved = page.getByRole('list', { name: 'Your saved searches' }).getByRole('link', { name: 'Alpha done' });
    await saved.waitFor();
    const stored = (await web.as('admin').get('/api/views', { page: 'instances' })).body as { items: { name: string; filters: unknown }[] };
    expect(stored.items).toEqual([expect.objectContaining({ name: 'Alpha done', filters: { workflowName: ALPHA, status: 'completed' } })]);

    await page.goto('/workflows/instances');
    await saved.waitFor();
    expect(await resultCount(page)).toBe(all);
    await saved.click();
    await page.getByTestId('search-status').filter({ hasText: '2 instances shown.' }).waitFor();
    expect(await form(page).getByLabel('Workflow').inputValue()).toBe(ALPHA);
    expect(await form(page).getByLabel('Status').inputValue()).toBe('completed');
    await screenshot(page, 'search-saved');

    // another user has none of it
    const other = await web.signedIn('manager');
    await other.goto('/workflows/instances');
    await other.getByText('You have no saved searches yet.').waitFor();
    expect(await other.getByText('Alpha done').count()).toBe(0);
    const theirs = (await web.as('manager').get('/api/views', { page: 'instances' })).body as { items: unknown[] };
    expect(theirs.items).toEqual([]);
  });

  it('shows a refused search’s problem beside the field it names', async () => {
    const page = await web.signedIn('admin');
    await page.goto('/workflows/instances?startedFrom=2026-03-05&startedTo=2026-03-01');
    const field = form(page).getByLabel('On or before').first();
    await page.getByText('must be after startedFrom').first().waitFor();
    expect(await field.getAttribute('aria-invalid')).toBe('true');
  });

  it('has no serious accessibility violation on search and incidents, at desktop and phone width', async () => {
    for (const viewport of [undefined, { width: 390, height: 844 }]) {
      const page = await web.signedIn('admin', viewport);
      await page.goto(`/workflows/instances?status=failed`);
      await page.getByTestId('search-status').filter({ hasText: /shown/ }).waitFor();
      expect(await seriousA11yViolations(page)).toEqual([]);
      await page.goto('/workflows/incidents');
      await page.getByTestId('incidents-status').filter({ hasText: /shown/ }).waitFor();
      expect(await seriousA11yViolations(page)).toEqual([]);
      if (viewport) {
        // the page itself does not scroll sideways at 390 px (wide tables scroll in their own box)
        const overflow = await page.evaluate<number>(PAGE_OVERFLOW);
        expect(overflow).toBeLessThanOrEqual(0);
        await screenshot(page, 'incidents-phone');
        await page.goto('/workflows/instances');
        await page.getByTestId('search-status').filter({ hasText: /shown/ }).waitFor();
        const searchOverflow = await page.evaluate<number>(PAGE_OVERFLOW);
        expect(searchOverflow).toBeLessThanOrEqual(0);
        await screenshot(page, 'search-phone');
      }
    }
  });

  it('works by keyboard alone: Tab reaches the filters, Enter searches, a saved search is saved and deleted', async () => {
    const page = await web.signedIn('admin');
    await page.goto('/workflows/instances');
    await page.getByTestId('search-status').filter({ hasText: /shown/ }).waitFor();
    // from the skip link onwards, Tab reaches the workflow select before anything of the results
    await page.locator('body').focus();
    const reached: string[] = [];
    for (let i = 0; i < 30 && !reached.includes('workflowName'); i++) {
      await page.keyboard.press('Tab');
      reached.push(await page.evaluate<string>(FOCUSED));
    }
    expect(reached).toContain('workflowName');
    await page.keyboard.press('Tab'); // status
    await page.keyboard.press('Tab'); // business key
    await page.keyboard.type(FAILED_KEY);
    await page.keyboard.press('Enter');
    await page.getByTestId('search-status').filter({ hasText: '1 instance shown.' }).waitFor();

    await page.getByLabel('Save the current search as').focus();
    await page.keyboard.type('By key');
    await page.keyboard.press('Enter');
    const item = page.getByRole('list', { name: 'Your saved searches' }).getByRole('listitem').filter({ hasText: 'By key' });
    await item.waitFor();
    await item.getByRole('button', { name: 'Delete saved search By key' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: 'Deleted the saved search “By key”.' }).waitFor();
    expect(await page.getByRole('link', { name: 'By key' }).count()).toBe(0);
    const names = ((await web.as('admin').get('/api/views', { page: 'instances' })).body as { items: { name: string }[] }).items.map((v) => v.name);
    expect(names).not.toContain('By key');
  });
});
