/**
 * The start page for a workflow with a `contextSchema`: the context is a form drawn from it, the
 * server's refusal is shown beside the fields it names, and once fixed the instance starts with
 * the business key given; no serious accessibility violation on the form.
 */
import { screenshot, seriousA11yViolations, startWebApp, type WebApp } from './web-kit';

let web: WebApp;

beforeAll(async () => {
  web = await startWebApp();
  await web.as('admin').define({
    name: 'Travel request',
    description: 'A trip, approved by a manager',
    contextSchema: {
      type: 'object',
      required: ['destination', 'nights'],
      properties: {
        destination: { type: 'string', title: 'Destination', minLength: 2 },
        nights: { type: 'integer', title: 'Nights', minimum: 1, maximum: 30 },
        currency: { type: 'string', title: 'Currency', pattern: '^[A-Z]{3}$' },
      },
    },
    nodes: [{ id: 'ok', nodeType: 'approval', name: 'Approve the trip', approverRole: 'manager' }],
    routes: [],
  });
}, 120_000);

afterAll(async () => {
  await web?.close();
});

it("starts a workflow from its context form, the server's refusals beside the fields", async () => {
  const page = await web.signedIn('requester');
  await page.getByRole('link', { name: 'Start', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Start a workflow' }).waitFor();
  await page.getByRole('link', { name: 'Travel request' }).click();
  await page.getByRole('heading', { level: 1, name: 'Start: Travel request' }).waitFor();

  await page.getByLabel('Key', { exact: true }).fill('TRIP-1');
  await page.getByLabel(/^Destination/).fill('Lisbon');
  await page.getByLabel(/^Nights/).fill('40');
  await page.getByLabel(/^Currency/).fill('euro');
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await page.locator('#context_nights__error').filter({ hasText: 'must be <= 30' }).waitFor();
  await page.locator('#context_currency__error').filter({ hasText: 'must match pattern' }).waitFor();
  expect(await page.locator('#context_destination__error').count()).toBe(0);
  await page.getByRole('alert').filter({ hasText: 'see the fields marked below' }).waitFor();
  expect(await seriousA11yViolations(page)).toEqual([]);
  await screenshot(page, 'start-form');

  await page.getByLabel(/^Nights/).fill('3');
  await page.getByLabel(/^Currency/).fill('EUR');
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  const started = page.getByTestId('started');
  await started.getByText('Waiting at: Approve the trip').waitFor({ timeout: 10_000 });
  const id = (await started.getByRole('link', { name: 'Open the instance' }).getAttribute('href'))!.split('/').pop()!;
  const instance = await web.as('requester').instance(id);
  expect(instance.contextEntityId).toBe('TRIP-1');
  expect(instance.contextData).toEqual({ destination: 'Lisbon', nights: 3, currency: 'EUR' });
});
