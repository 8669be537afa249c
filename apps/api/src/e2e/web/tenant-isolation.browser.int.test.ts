/**
 * Another tenant's user, signed in to the web app, sees none of the first tenant's tasks,
 * instances or definitions on any page: not in the lists, and not by opening their URLs.
 */
import { definition } from '@wf/testkit/definitions';
import { TENANT_B } from '../../testing/engine-harness';
import { startWebApp, type WebApp } from './web-kit';

const SECRET_KEY = 'PO-SECRET-4711';
const SECRET_WORKFLOW = 'Tenant A Confidential Purchase';
const OTHER = { tenantId: TENANT_B, userId: 'bob-other-tenant', roles: ['admin', 'manager', 'cfo'] };

let web: WebApp;
let taskId: string;
let instanceId: string;
let failedId: string;

beforeAll(async () => {
  web = await startWebApp();
  const admin = web.as('admin');
  const approval = await admin.define(definition(SECRET_WORKFLOW).approval('approve', { approverRole: 'manager' }).build());
  instanceId = await admin.start(approval, { entityId: SECRET_KEY, supplier: 'Secret Supplier' });
  taskId = await web.as('manager').taskFor(instanceId);
  // a failed instance too, for the incident list
  const failing = await admin.define(
    definition(`${SECRET_WORKFLOW} failing`).service('call', 'http_call', { url: 'http://127.0.0.1:9/nowhere', method: 'GET' }).build(),
  );
  failedId = await admin.start(failing, { entityId: `${SECRET_KEY}-F` });
  await admin.finished(failedId);
});
afterAll(() => web?.close());

describe('the web app between tenants', () => {
  it('shows another tenant’s user none of the first tenant’s tasks, instances, incidents, definitions or analytics', async () => {
    const page = await web.withSession(OTHER);
    for (const path of ['/workflows/', '/workflows/tasks', '/workflows/instances', '/workflows/incidents', '/workflows/definitions', '/workflows/analytics', '/workflows/start']) {
      // each page asks the API for its list; its answer, and the page's render of it, come before the text is read
      const answered = page.waitForResponse((r) => /\/(api\/(?!views)|graphql)/.test(new URL(r.url()).pathname) && r.request().method() === 'GET');
      await page.goto(path);
      await page.getByTestId('signed-in-user').filter({ hasText: OTHER.userId }).waitFor();
      await page.getByRole('heading', { level: 1 }).waitFor();
      await answered;
      await page.waitForFunction(() => !/Loading…|Opening the page…/.test(document.body.innerText));
      const text = await page.innerText('body');
      expect({ path, leaks: [SECRET_KEY, SECRET_WORKFLOW, 'Secret Supplier'].filter((s) => text.includes(s)) }).toEqual({ path, leaks: [] });
    }
  });

  it('answers the first tenant’s task and instance URLs with “not found”, showing none of their data', async () => {
    const page = await web.withSession(OTHER);
    for (const path of [`/workflows/tasks/${taskId}`, `/workflows/instances/${instanceId}`, `/workflows/instances/${failedId}`]) {
      await page.goto(path);
      await page.getByRole('alert').first().waitFor();
      const text = await page.innerText('body');
      expect(text).toMatch(/not found/i);
      expect({ path, leaks: [SECRET_KEY, SECRET_WORKFLOW, 'Secret Supplier'].filter((s) => text.includes(s)) }).toEqual({ path, leaks: [] });
    }
  });

  it('still shows the first tenant’s own manager the task (the test would pass vacuously otherwise)', async () => {
    const page = await web.signedIn('manager');
    await page.getByText(SECRET_KEY).first().waitFor();
  });
});
