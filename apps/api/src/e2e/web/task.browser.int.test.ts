/**
 * Deciding on the task page in Chromium against the whole engine: the CFO rejects an order, the
 * page refusing a rejection without a reason before anything is sent; a clerk submits a user
 * task's form with a mistake, sees the server's message beside the field, fixes it and completes
 * the task; no serious accessibility violation on the form.
 */
import type { Page } from 'playwright-core';
import { SAMPLE_WORKFLOW } from '@wf/runtime';
import { screenshot, seriousA11yViolations, startWebApp, type WebApp } from './web-kit';

let web: WebApp;
let orderDefinition: string;
let formDefinition: string;

const ORDER_FORM = {
  type: 'object',
  required: ['quantity', 'supplier'],
  properties: {
    quantity: { type: 'integer', title: 'Quantity', minimum: 1 },
    supplier: { type: 'string', title: 'Supplier', minLength: 2 },
    express: { type: 'boolean', title: 'Express delivery' },
  },
};

beforeAll(async () => {
  web = await startWebApp();
  const admin = web.as('admin');
  orderDefinition = await admin.define(SAMPLE_WORKFLOW);
  formDefinition = await admin.define({
    name: 'Order details',
    nodes: [
      { id: 'fill', nodeType: 'user_task', name: 'Fill in the order', assigneeRole: 'clerk', formSchema: ORDER_FORM },
      { id: 'done', nodeType: 'service_task', name: 'Done', serviceType: 'set_context', serviceConfig: { values: { done: true } } },
    ],
    routes: [{ fromNodeId: 'fill', toNodeId: 'done' }],
  });
}, 120_000);

afterAll(async () => {
  await web?.close();
});

async function openTask(page: Page, taskId: string, heading: string): Promise<void> {
  await page.goto(`/workflows/tasks/${taskId}`);
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
}

describe('deciding on the task page', () => {
  it('lets the CFO reject an order only with a reason', async () => {
    const instanceId = await web.as('requester').start(orderDefinition, { amount: 25_000, supplier: 'Globex' }, { contextEntityId: 'PO-CFO-1' });
    await web.as('manager').approve(await web.as('manager').taskFor(instanceId, 'manager_approval'));
    const taskId = await web.as('cfo').taskFor(instanceId, 'cfo_approval');

    const page = await web.signedIn('cfo');
    // through the inbox
    await page.getByTestId('task-row').filter({ hasText: 'PO-CFO-1' }).getByRole('link', { name: 'CFO Approval' }).click();
    await page.getByRole('heading', { level: 1, name: 'CFO Approval' }).waitFor();

    const sent: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().includes('/reject')) sent.push(r.url());
    });
    await page.getByRole('button', { name: 'Reject', exact: true }).click();
    const refusal = page.getByRole('alert').filter({ hasText: 'a reason is required' });
    await refusal.waitFor();
    expect(await page.getByLabel('Reason for rejecting (required)').getAttribute('aria-invalid')).toBe('true');
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('TEXTAREA');
    expect(sent).toEqual([]);
    expect((await web.as('cfo').task(taskId)).status).toBe('waiting');

    await page.getByLabel('Reason for rejecting (required)').fill('Over the quarterly budget');
    await page.getByRole('button', { name: 'Reject', exact: true }).click();
    await page.getByTestId('decision-done').filter({ hasText: 'You rejected this task.' }).waitFor();
    expect(sent).toHaveLength(1);
    await page.getByTestId('comment-thread').filter({ hasText: 'Over the quarterly budget' }).waitFor();
    expect((await web.as('admin').finished(instanceId)).status).toBe('rejected');
    // no decision is left to take
    expect(await page.getByRole('button', { name: 'Approve', exact: true }).count()).toBe(0);
  });

  it('lets an admin reassign a task to a user from the task page', async () => {
    const instanceId = await web.as('requester').start(orderDefinition, { amount: 900, supplier: 'Initech' }, { contextEntityId: 'PO-REASSIGN-1' });
    const taskId = await web.as('manager').taskFor(instanceId, 'manager_approval');
    expect((await web.as('admin').task(taskId)).allowedActions).toContain('reassign');

    const page = await web.signedIn('admin');
    await openTask(page, taskId, 'Manager Approval');
    const form = page.getByRole('form', { name: 'Reassign' });
    await form.getByLabel('User id').fill('mo-manager');
    await form.getByRole('button', { name: 'Reassign' }).click();
    await page.getByTestId('decision-done').waitFor();
    expect((await web.as('admin').task(taskId)).assignedUserId).toBe('mo-manager');
  });

  it("shows the server's message beside the field of a form sent with a mistake, and completes it once fixed", async () => {
    const instanceId = await web.as('admin').start(formDefinition, { orderRef: 'ORD-9' }, { contextEntityId: 'ORD-9' });
    const taskId = await web.as('clerk').taskFor(instanceId, 'fill');
    const page = await web.signedIn('clerk');
    await openTask(page, taskId, 'Fill in the order');

    await page.getByLabel(/^Quantity/).fill('0');
    await page.getByLabel(/^Supplier/).fill('Initech');
    await page.getByRole('button', { name: 'Complete task' }).click();
    // beside the field: in its own error list, which the input names as describing it
    const quantityError = page.locator('#root_quantity__error');
    await quantityError.filter({ hasText: 'must be >= 1' }).waitFor();
    expect(await page.getByLabel(/^Quantity/).getAttribute('aria-describedby')).toContain('root_quantity__error');
    expect(await page.locator('#root_supplier__error').count()).toBe(0);
    await page.getByRole('alert').filter({ hasText: 'The form was not accepted' }).waitFor();
    expect((await web.as('clerk').task(taskId)).status).toBe('waiting');
    await screenshot(page, 'task-form');
    expect(await seriousA11yViolations(page)).toEqual([]);

    await page.getByLabel(/^Quantity/).fill('3');
    await page.getByRole('button', { name: 'Complete task' }).click();
    await page.getByTestId('decision-done').filter({ hasText: 'You completed this task.' }).waitFor();
    expect(await page.locator('#root_quantity__error').count()).toBe(0);
    const done = await web.as('admin').finished(instanceId);
    expect(done.status).toBe('completed');
    expect(done.contextData).toMatchObject({ orderRef: 'ORD-9', quantity: 3, supplier: 'Initech', done: true });
  });

  it('places a missing required field beside that field', async () => {
    const instanceId = await web.as('admin').start(formDefinition, {}, { contextEntityId: 'ORD-10' });
    const taskId = await web.as('clerk').taskFor(instanceId, 'fill');
    const page = await web.signedIn('clerk');
    await openTask(page, taskId, 'Fill in the order');
    await page.getByLabel(/^Quantity/).fill('2');
    await page.getByRole('button', { name: 'Complete task' }).click();
    await page.locator('#root_supplier__error').filter({ hasText: "must have required property 'supplier'" }).waitFor();
    expect(await page.locator('#root_quantity__error').count()).toBe(0);
  });
});
