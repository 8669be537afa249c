/**
 * The operator's journey in one go, as a person does it: sign in through the picker, find a failed
 * order by its business key on the search page, open it, see the failed step red on the diagram
 * and its error, retry it once the ERP is back, and watch it complete. And the sign-in page itself
 * passes axe.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { definition } from '@wf/testkit/definitions';
import { pageErrors, screenshot, seriousA11yViolations, startWebApp, type WebApp } from './web-kit';

const KEY = 'PO-OPERATOR-1';
let web: WebApp;
let erp: Server;
let erpDown = true;
let instanceId: string;

beforeAll(async () => {
  erp = createServer((_req, res) => {
    if (erpDown) res.writeHead(503).end('down for maintenance');
    else res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
  const port = await new Promise<number>((resolve) => erp.listen(0, '127.0.0.1', () => resolve((erp.address() as AddressInfo).port)));
  web = await startWebApp({ env: { HTTP_CALL_ALLOWED_HOSTS: `127.0.0.1:${port}`, WORKFLOW_MAX_RETRIES: '0' } });
  const admin = web.as('admin');
  const defId = await admin.define(
    definition('Operator journey order')
      .service('erp', 'http_call', { url: `http://127.0.0.1:${port}/orders`, method: 'POST' }, { name: 'Send to ERP' })
      .setContext('booked', { booked: true }, { name: 'Mark booked' })
      .chain('erp', 'booked')
      .build(),
  );
  instanceId = await admin.start(defId, { amount: 1200 }, { contextEntityType: 'purchase_order', contextEntityId: KEY });
  await admin.until(instanceId, (i) => i.status === 'failed', 'the order to fail');
});
afterAll(async () => {
  await web?.close();
  await new Promise<void>((done) => (erp ? erp.close(() => done()) : done()));
});

describe('the operator in the web app', () => {
  it('finds a failed order by business key, sees the failed step red on the diagram, and retries it', async () => {
    const page = await (await web.context()).newPage();
    const errors = await pageErrors(page, async () => {
      await page.goto('/workflows/');
      await page.getByRole('button', { name: /^Admin\b/ }).click();
      await page.getByRole('link', { name: 'Instances' }).click();
      const search = page.getByRole('search', { name: 'Filters' });
      await search.getByLabel('Business key').fill(KEY);
      await search.getByRole('button', { name: 'Search' }).click();
      const row = page.getByTestId('search-results').locator('tbody tr').filter({ hasText: KEY });
      await row.locator('[data-status="failed"]').waitFor();
      await row.getByRole('link').first().click();

      await page.waitForURL(new RegExp(`/workflows/instances/${instanceId}$`));
      const failedShape = page.locator('[data-testid="instance-diagram"] [data-element-id="Node_erp"].wf-failed');
      await failedShape.waitFor();
      // red: the shape's outline is drawn in the failed colour, not only marked by a class
      const stroke = await failedShape.locator('rect').first().evaluate((el) => getComputedStyle(el).stroke);
      expect(stroke).toMatch(/^rgb\(\s*1[5-9]\d|^rgb\(\s*2\d\d/);
      await failedShape.click();
      await page.getByTestId('execution-error').filter({ hasText: '503' }).waitFor();
      await screenshot(page, 'operator-failed-instance');

      erpDown = false;
      await page.getByRole('button', { name: 'Retry' }).click();
      await page.getByTestId('instance-status').filter({ hasText: 'completed' }).waitFor({ timeout: 20_000 });
      await page.locator('[data-testid="instance-diagram"] [data-element-id="Node_erp"].wf-done').waitFor();
    });
    expect(errors).toEqual([]);
    expect((await web.as('admin').instance(instanceId)).status).toBe('completed');
  });

  it('has a sign-in page without serious accessibility problems, usable by keyboard', async () => {
    const page = await (await web.context()).newPage();
    await page.goto('/workflows/');
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    await screenshot(page, 'sign-in');
    expect(await seriousA11yViolations(page)).toEqual([]);
    // Tab to the first person (the skip link does not exist before sign-in) and press Enter
    await page.keyboard.press('Tab');
    await expect(page.evaluate(() => document.activeElement?.textContent ?? '')).resolves.toMatch(/^Admin/);
    await page.keyboard.press('Enter');
    await page.getByTestId('signed-in-user').filter({ hasText: 'dev-admin' }).waitFor();
  });
});
