/**
 * The GraphQL playground in a headless Chromium: GET /graphql renders GraphiQL from the engine's
 * own files under its strict CSP (no script error, no CSP violation, no request to another
 * origin), the token entered once is kept, and a query run from the page answers with the
 * caller's data. Chromium is required: without /usr/bin/chromium this fails, it does not skip.
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { createHarness, type Harness } from '../../testing/engine-harness';
import { graphqlApp, listen, type GraphqlApp } from './graphql-test-kit';

const CHROMIUM = '/usr/bin/chromium';

let h: Harness;
let gql: GraphqlApp;
let served: { url: string; close(): Promise<void> };
let browser: Browser;

beforeAll(async () => {
  h = await createHarness({ worker: false });
  gql = graphqlApp(h);
  served = await listen(gql.app);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

afterAll(async () => {
  await browser?.close();
  await gql?.close();
  await served?.close();
  await h?.close();
});

/** A page that records every script error, CSP violation and request that leaves the engine. */
async function watchedPage(): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage();
  const problems: string[] = [];
  const origin = new URL(served.url).origin;
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    // a refused request is reported by its response below, with its URL
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) problems.push(`console error: ${msg.text()}`);
  });
  page.on('response', (res) => {
    if (res.status() >= 400) problems.push(`${res.status()} ${res.request().method()} ${res.url()}`);
  });
  page.on('request', (req) => {
    const url = req.url();
    if (!url.startsWith(origin) && !url.startsWith('blob:') && !url.startsWith('data:')) problems.push(`request off the engine: ${url}`);
  });
  return { page, problems };
}

it('renders GraphiQL from its own files, keeps the token entered once, and runs a query with it', async () => {
  const admin = h.token('ada', ['admin']);
  await h.as('ada', ['admin']).define({
    name: 'Playground Check',
    startNodeId: 'a',
    nodes: [{ id: 'a', nodeType: 'approval', name: 'A', approverRole: 'manager' }],
    routes: [],
  });
  const { page, problems } = await watchedPage();
  // GraphiQL keeps its editor's query in localStorage: start the page with this one
  await page.addInitScript({ content: `window.localStorage.setItem('graphiql:query', '{ workflowDefinitions { name } }')` });
  const res = await page.goto(`${served.url}/graphql`, { waitUntil: 'networkidle' });
  expect(res?.status()).toBe(200);
  expect(res?.headers()['content-security-policy']).toContain("script-src 'self'");
  await page.waitForSelector('.graphiql-container', { timeout: 15_000 });

  // without a token GraphiQL's schema fetch is refused, as every tokenless request is
  expect(problems.every((p) => p.startsWith('401 POST '))).toBe(true);

  await page.fill('#wf-token', admin);
  await page.click('#wf-token-form button[type="submit"]');
  await expect(page.textContent('#wf-token-state')).resolves.toContain(`Token saved (…${admin.slice(-6)})`);

  // entered once: after a reload the page still has it, and nothing fails any more
  problems.length = 0;
  await page.reload({ waitUntil: 'networkidle' });
  await page.waitForSelector('.graphiql-container', { timeout: 15_000 });
  await expect(page.textContent('#wf-token-state')).resolves.toContain('Token saved');
  await page.click('.graphiql-execute-button');
  // a locator, not a waitForFunction string: a string predicate is eval'd in the page, which its CSP refuses
  await page.locator('.graphiql-response').filter({ hasText: 'Playground Check' }).waitFor({ timeout: 15_000 });
  expect(problems).toEqual([]);
  await page.close();
});
