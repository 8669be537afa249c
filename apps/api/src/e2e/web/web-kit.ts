/**
 * What the web app's browser tests share: the whole engine as `npm start` runs it (the API with
 * GraphQL and the web app at /workflows, a worker, the scheduler) on a loopback port, Debian's
 * Chromium through playwright-core, sign-in through the app's own development picker, screenshots
 * under test-artifacts/web/, and an axe-core check. Chromium is required: without /usr/bin/chromium
 * these tests fail, they do not skip.
 */
import { existsSync, mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createApp, ensureWebBundle, graphqlApiOf } from '@wf/http';
import { createLogger, DEV_PEOPLE, DEV_TENANT_ID, signSessionToken } from '@wf/runtime';
import { createHarness, type Harness } from '../../testing/engine-harness';
import type { UserClient } from '../../testing/user-client';


const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = join(__dirname, '..', '..', '..', '..', '..', 'test-artifacts', 'web');


/** The development tenant's people, as the sign-in picker lists them (libs/runtime's DEV_PEOPLE). */
type Person = 'admin' | 'requester' | 'manager' | 'cfo' | 'clerk';
const PEOPLE = Object.fromEntries(DEV_PEOPLE.map((p) => [p.key, { userId: p.userId, roles: [...p.roles] }])) as Record<Person, { userId: string; roles: string[] }>;

export interface WebApp {
  readonly h: Harness;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly browser: Browser;
  /** an API client acting as one of the development tenant's people (same identity as the picker) */
  as(person: Person): UserClient;
  /** a fresh browser context (phone width with `{ width: 390 }`) */
  context(viewport?: { width: number; height: number }): Promise<BrowserContext>;
  /** a new page in a new context, signed in as `person` through the picker, showing /workflows */
  signedIn(person: Person, viewport?: { width: number; height: number }): Promise<Page>;
  /** a new page whose context holds a session cookie for anyone (another tenant's user, say), as an OpenID sign-in would set it */
  withSession(actor: { tenantId: string; userId: string; roles: string[] }): Promise<Page>;
  close(): Promise<void>;
}

export async function startWebApp(opts: { env?: Record<string, string> } = {}): Promise<WebApp> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium) to run the browser tests`);
  }
  const log = createLogger(process.env['TEST_LOG_LEVEL'] ?? 'silent');
  const webDir = await ensureWebBundle(log);
  if (!webDir) throw new Error('no web app bundle could be built');
  const h = await createHarness({ env: { SEED_SAMPLE_WORKFLOW: 'false', ...opts.env } });
  h.startScheduler();
  const gql = graphqlApiOf(h.rt, log);
  const app = createApp({ services: h.rt.services, config: h.rt.config, logger: log, graphql: gql.mount, webApp: { dir: webDir } });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const web: WebApp = {
    h,
    url,
    browser,
    as: (person) => h.as(PEOPLE[person].userId, [...PEOPLE[person].roles], DEV_TENANT_ID),
    context: (viewport = { width: 1280, height: 900 }) => browser.newContext({ baseURL: url, viewport }),
    async signedIn(person, viewport) {
      const page = await (await web.context(viewport)).newPage();
      await signInAs(page, person);
      return page;
    },
    async withSession(actor) {
      const context = await web.context();
      const { token } = await signSessionToken(h.rt.config.jwtSecret, { actor, method: 'oidc', hours: 1 });
      await context.addCookies([{ name: 'wf_session', value: token, url, httpOnly: true, sameSite: 'Lax' }]);
      return context.newPage();
    },
    async close() {
      await browser.close();
      await gql.close();
      await new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      });
      await h.close();
    },
  };
  return web;
}

const PICKER_LABEL: Record<Person, string> = { requester: 'Requester', manager: 'Manager', cfo: 'CFO', admin: 'Admin', clerk: 'Clerk' };

/** Sign in through the development picker, then wait for the signed-in frame. */
async function signInAs(page: Page, person: Person): Promise<void> {
  await page.goto('/workflows/');
  await page.getByRole('button', { name: new RegExp(`^${PICKER_LABEL[person]}\\b`) }).click();
  await page.getByTestId('signed-in-user').filter({ hasText: PEOPLE[person].userId }).waitFor();
}

/** Save a full-page screenshot as test-artifacts/web/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** axe-core's serious and critical violations on the page as it is now (expect it to be `[]`). */
export async function seriousA11yViolations(page: Page): Promise<{ id: string; impact: string | null | undefined; help: string; targets: string[] }[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
}

/** Console errors and CSP violations a page reports while `run` goes on (expect `[]`). */
export async function pageErrors(page: Page, run: () => Promise<void>): Promise<string[]> {
  const errors: string[] = [];
  const onConsole = (m: { type(): string; text(): string }) => {
    if (m.type() === 'error') errors.push(m.text());
  };
  const onError = (e: Error) => errors.push(e.message);
  page.on('console', onConsole);
  page.on('pageerror', onError);
  try {
    await run();
  } finally {
    page.off('console', onConsole);
    page.off('pageerror', onError);
  }
  return errors;
}
