/**
 * The instance page in a real browser: the definition drawn in BPMN notation (bpmn-js over the
 * app's export, laid out by bpmn-auto-layout), coloured by each node's latest execution; a failed
 * node red, its error shown on a click, Retry making it proceed; the path a completed purchase
 * order took highlighted; the history as a timeline with the verify endpoint's "Chain verified";
 * cancel with a confirmation; no serious accessibility violation, no CSP violation, the node list
 * used by keyboard alone.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { definition } from '@wf/testkit/definitions';
import { purchaseOrderDefinition } from '@wf/runtime/testing';
import { pageErrors, screenshot, seriousA11yViolations, startWebApp, type WebApp } from './web-kit';

let web: WebApp;
let erp: Server;
/** how many more requests the ERP answers with 503 */
let erpFailuresLeft = 0;
let erpUrl = '';

beforeAll(async () => {
  erp = createServer((_req, res) => {
    if (erpFailuresLeft > 0) {
      erpFailuresLeft -= 1;
      res.writeHead(503).end('down for maintenance');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
  const port = await new Promise<number>((resolve) => erp.listen(0, '127.0.0.1', () => resolve((erp.address() as AddressInfo).port)));
  web = await startWebApp({ env: { HTTP_CALL_ALLOWED_HOSTS: `127.0.0.1:${port}`, WORKFLOW_MAX_RETRIES: '0', WORKFLOW_RETRY_BACKOFF_MS: '10' } });
  erpUrl = `http://127.0.0.1:${port}/orders`;
});
afterAll(async () => {
  await web?.close();
  await new Promise<void>((done) => (erp ? erp.close(() => done()) : done()));
});

/** The shape (or connection) of a BPMN element on the diagram. */
const shape = (page: Page, elementId: string) => page.locator(`[data-testid="instance-diagram"] [data-element-id="${elementId}"]`);

async function classesOf(page: Page, elementId: string): Promise<string[]> {
  return ((await shape(page, elementId).getAttribute('class')) ?? '').split(/\s+/);
}

async function openInstance(page: Page, id: string): Promise<void> {
  await page.goto(`/workflows/instances/${id}`);
  await page.locator('[data-testid="instance-diagram"] .wf-diagram-canvas[data-state="ready"]').waitFor();
}

describe('a failed instance', () => {
  it('shows the failed node red, its error on a click, and proceeds after Retry, with the chain verified', async () => {
    const admin = web.as('admin');
    const defId = await admin.define(
      definition('Instance page: ERP order')
        .service('erp', 'http_call', { url: erpUrl, method: 'POST' }, { name: 'Send to ERP' })
        .setContext('booked', { booked: true }, { name: 'Mark booked' })
        .chain('erp', 'booked')
        .build(),
    );
    erpFailuresLeft = 1;
    const id = await admin.start(defId, { orderNo: 'PO-77' }, { contextEntityType: 'purchase_order', contextEntityId: 'PO-77' });
    const failed = await admin.until(id, (i) => i.status === 'failed', 'the instance to fail');
    const erpError = failed.nodes.find((n) => n.nodeId === 'erp')?.error;
    expect(erpError?.message).toBeTruthy();

    const page = await web.signedIn('admin');
    const errors = await pageErrors(page, async () => {
      await openInstance(page, id);
      await page.getByTestId('instance-status').filter({ hasText: 'failed' }).waitFor();
      // the failed node is red (its marker class on the shape), the node after it not reached
      await page.locator('[data-testid="instance-diagram"] [data-element-id="Node_erp"].wf-failed').waitFor();
      expect(await classesOf(page, 'Node_booked')).not.toEqual(expect.arrayContaining(['wf-done']));
      expect(await classesOf(page, 'Flow_start')).toContain('wf-taken');
      // the list says the same in text
      await page.getByRole('button', { name: /Send to ERP\s*Failed/ }).waitFor();

      // a click on the shape shows its execution with the error
      await shape(page, 'Node_erp').click();
      const details = page.getByTestId('node-details');
      await details.filter({ hasText: 'Send to ERP' }).waitFor();
      await expect(details.getByTestId('execution-error').innerText()).resolves.toContain(erpError!.message);
      expect(await details.innerText()).toMatch(/Attempts\s*1/);
      await expect(page.getByRole('button', { name: 'Send to ERP Failed' }).getAttribute('aria-pressed')).resolves.toBe('true');
      await expect(page.getByRole('button', { name: /Cancel instance/ }).count()).resolves.toBe(0);
      await screenshot(page, 'instance-failed');

      // the ERP is back: Retry makes the node run again and the instance complete
      await page.getByRole('button', { name: 'Retry' }).click();
      await page.getByRole('status').filter({ hasText: 'Retry started' }).waitFor();
      await admin.until(id, (i) => i.status === 'completed', 'the retried instance to complete');
      await page.getByTestId('instance-status').filter({ hasText: 'completed' }).waitFor({ timeout: 15_000 });
      await page.locator('[data-testid="instance-diagram"] [data-element-id="Node_booked"].wf-done').waitFor();
      expect(await classesOf(page, 'Node_erp')).toContain('wf-done');
      expect(await classesOf(page, 'Flow_1')).toContain('wf-taken');
      await expect(page.getByRole('button', { name: 'Retry' }).count()).resolves.toBe(0);

      // the timeline has the failure and the retry, and the verify endpoint's verdict
      const timeline = page.getByTestId('timeline');
      await timeline.locator('li[data-event-type="instance_completed"]').waitFor();
      for (const event of ['instance_started', 'node_failed', 'instance_failed', 'instance_retried', 'instance_completed']) {
        await expect(timeline.locator(`li[data-event-type="${event}"]`).count()).resolves.toBeGreaterThan(0);
      }
      await expect(timeline.innerText()).resolves.toContain('Instance retried');
      const badge = page.getByTestId('chain-badge');
      await badge.filter({ hasText: 'Chain verified' }).waitFor();
      const events = await admin.events(id);
      await expect(badge.innerText()).resolves.toContain(`(${events.length} entries)`);
    });
    expect(errors).toEqual([]);
    await page.context().close();
  });
});

describe('a completed purchase order', () => {
  let id: string;

  beforeAll(async () => {
    const admin = web.as('admin');
    const defId = await admin.define(purchaseOrderDefinition('Instance page: Purchase Order'));
    id = await web.as('requester').start(defId, { amount: 5000, item: 'Laptops <b>x3</b>' }, { contextEntityType: 'purchase_order', contextEntityId: 'PO-5000' });
    const manager = web.as('manager');
    await manager.approve(await manager.taskFor(id), 'fine by me');
    expect((await admin.finished(id)).status).toBe('completed');
  });

  it('shows the done nodes green and the path taken, the skipped approval not reached', async () => {
    const page = await web.signedIn('admin');
    const errors = await pageErrors(page, async () => {
      await openInstance(page, id);
      for (const node of ['Node_manager_approval', 'Node_amount_check', 'Node_complete']) expect(await classesOf(page, node)).toContain('wf-done');
      const cfo = await classesOf(page, 'Node_cfo_approval');
      for (const marker of ['wf-done', 'wf-active', 'wf-failed', 'wf-cancelled']) expect(cfo).not.toContain(marker);
      // start -> manager -> check --false--> complete -> end; not the true branch to the CFO
      for (const flow of ['Flow_start', 'Flow_1', 'Flow_3', 'Flow_end_Node_complete']) expect(await classesOf(page, flow)).toContain('wf-taken');
      for (const flow of ['Flow_2', 'Flow_4']) expect(await classesOf(page, flow)).not.toContain('wf-taken');
      // BPMN notation: the approvals are user tasks, the check an exclusive gateway, with start and end events
      await expect(shape(page, 'StartEvent').count()).resolves.toBe(1);
      await expect(shape(page, 'End_Node_complete').count()).resolves.toBe(1);
      await expect(page.getByText('Not reached').count()).resolves.toBeGreaterThan(0);
      // the context is shown as text, markup and all
      await expect(page.locator('.context-view').innerText()).resolves.toContain('Laptops <b>x3</b>');
      await page.getByTestId('chain-badge').filter({ hasText: 'Chain verified' }).waitFor();
      await screenshot(page, 'instance');
    });
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('has no serious accessibility violation, and the node list works by keyboard alone', async () => {
    const page = await web.signedIn('requester');
    await openInstance(page, id);
    expect(await seriousA11yViolations(page)).toEqual([]);

    // Tab from the first step's button to the next, Enter and Space choose
    const first = page.getByRole('button', { name: /^Manager Approval\s*Done$/ });
    await first.focus();
    await page.keyboard.press('Enter');
    const details = page.getByTestId('node-details');
    await details.filter({ hasText: 'Manager Approval' }).waitFor();
    const text = await details.innerText();
    expect(text).toContain('mo-manager');
    expect(text).toMatch(/Decision\s*approved/);
    expect(text).toContain('fine by me');
    await page.keyboard.press('Tab');
    await expect(page.evaluate(() => document.activeElement?.getAttribute('data-node-id'))).resolves.toBe('amount_check');
    await page.keyboard.press('Space');
    await details.filter({ hasText: 'Check Amount' }).waitFor();
    await expect(page.getByRole('button', { name: /^Check Amount/ }).getAttribute('aria-pressed')).resolves.toBe('true');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await details.filter({ hasText: 'This step has not run in this instance.' }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.context().close();
  });

  it('works at a phone’s width', async () => {
    const page = await web.signedIn('requester', { width: 390, height: 844 });
    await openInstance(page, id);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.getByRole('button', { name: /^Complete Order/ }).click();
    await page.getByTestId('node-details').filter({ hasText: 'Complete Order' }).waitFor();
    await page.context().close();
  });
});

describe('cancelling', () => {
  it('asks for confirmation, then cancels with the reason; the API refusing another user is shown', async () => {
    const admin = web.as('admin');
    const defId = await admin.define(definition('Instance page: waits for approval').approval('approve', { approverRole: 'manager' }).build());
    const id = await web.as('requester').start(defId, {});
    await web.as('manager').taskFor(id);

    // the manager neither started it nor is an admin: the API refuses, and the page says why
    const manager = await web.signedIn('manager');
    await openInstance(manager, id);
    await manager.getByRole('button', { name: 'Cancel instance…' }).click();
    await manager.getByRole('button', { name: 'Yes, cancel it' }).click();
    await manager.getByRole('alert').filter({ hasText: 'Cancel refused' }).waitFor();
    expect((await admin.instance(id)).status).toBe('running');
    await manager.context().close();

    const page = await web.signedIn('requester');
    await openInstance(page, id);
    await page.locator('[data-testid="instance-diagram"] [data-element-id="Node_approve"].wf-active').waitFor();
    await page.getByRole('button', { name: 'Cancel instance…' }).click();
    await page.getByRole('button', { name: 'Keep it running' }).click();
    expect((await admin.instance(id)).status).toBe('running');
    await page.getByRole('button', { name: 'Cancel instance…' }).click();
    await page.getByLabel('Reason (optional)').fill('ordered by mistake');
    await page.getByRole('button', { name: 'Yes, cancel it' }).click();
    await page.getByTestId('instance-status').filter({ hasText: 'cancelled' }).waitFor();
    const cancelled = await admin.instance(id);
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.cancelReason).toBe('ordered by mistake');
    await page.locator('[data-testid="instance-diagram"] [data-element-id="Node_approve"].wf-cancelled').waitFor();
    await expect(page.getByRole('button', { name: 'Cancel instance…' }).count()).resolves.toBe(0);
    await page.context().close();
  });
});
