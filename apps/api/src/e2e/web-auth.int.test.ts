/**
 * Web sign-in against a real OpenID provider (oidc-provider, started by this test in a child
 * process on a loopback port), driven with plain HTTP the way a browser would: redirects followed
 * by hand, the provider's login form posted, cookies kept per origin. Then what the session and
 * the provider's tokens may and may not do against the real API (createHarness's engine).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { SignJWT, decodeProtectedHeader, exportJWK, generateKeyPair } from 'jose';
import type { Express } from 'express';
import { createApp, graphqlApiOf, startWebAuth, webAuthWithoutOidc } from '@wf/http';
import { DEV_TENANT_ID, createLogger, signSessionToken } from '@wf/runtime';
import { definition } from '@wf/testkit/definitions';
import { TENANT_A, createHarness, type Harness } from '../testing/engine-harness';

const ROOT = join(__dirname, '..', '..', '..', '..');
const CHILD = join(ROOT, 'libs/http/src/web-auth/testing/oidc-provider.child.ts');
const CLIENT_ID = 'workflow-web';
const CLIENT_SECRET = 'workflow-web-secret-for-tests';
const RESOURCE = 'urn:workflow-engine:api';

/** Cookies per origin, as a browser keeps them (expired ones removed). */
class CookieJar {
  private readonly byOrigin = new Map<string, Map<string, string>>();
  header(url: URL): string {
    return [...(this.byOrigin.get(url.origin) ?? new Map<string, string>())].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  get(url: string, name: string): string | undefined {
    return this.byOrigin.get(new URL(url).origin)?.get(name);
  }
  set(url: string, name: string, value: string): void {
    const origin = new URL(url).origin;
    if (!this.byOrigin.has(origin)) this.byOrigin.set(origin, new Map());
    this.byOrigin.get(origin)?.set(name, value);
  }
  store(url: URL, res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attrs] = line.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      const expires = attrs.map((a) => a.trim()).find((a) => a.toLowerCase().startsWith('expires='));
      const gone = value === '' || (expires !== undefined && new Date(expires.slice(8)).getTime() < Date.now());
      if (!this.byOrigin.has(url.origin)) this.byOrigin.set(url.origin, new Map());
      const cookies = this.byOrigin.get(url.origin) as Map<string, string>;
      if (gone) cookies.delete(name);
      else cookies.set(name, value);
    }
  }
}

/** One request as a browser sends it (no automatic redirects), cookies from and into `jar`. */
async function go(jar: CookieJar, url: URL, init: { method?: string; body?: string; headers?: Record<string, string> } = {}): Promise<Response> {
  const cookie = jar.header(url);
  const res = await fetch(url, { ...init, redirect: 'manual', headers: { ...init.headers, ...(cookie ? { cookie } : {}) } });
  jar.store(url, res);
  return res;
}

interface Provider {
  readonly issuer: string;
  readonly child: ChildProcess;
}

async function startProvider(appUrl: string): Promise<Provider> {
  const settings = {
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUri: `${appUrl}/workflows/auth/oidc/callback`,
    postLogoutRedirectUri: `${appUrl}/workflows/`,
    accounts: {
      // a Keycloak-style account: the roles under realm_access
      ann: { tenant: TENANT_A.toUpperCase(), realm_access: { roles: ['admin', 'manager'] }, email: 'ann@example.com' },
      nobody: { realm_access: { roles: ['manager'] } },
    },
    resource: RESOURCE,
    serviceClaims: { tenant: TENANT_A, realm_access: { roles: ['manager'] } },
  };
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(settings)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const issuer = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const ready = /READY (\S+)/.exec(out);
      if (ready?.[1]) resolve(ready[1]);
    });
    child.on('exit', (code) => reject(new Error(`the OpenID provider exited (${code}): ${stderr}`)));
  });
  return { issuer, child };
}

let h: Harness;
let provider: Provider;
let server: Server;
let appUrl: string;
let app: Express;
let closeGraphql: () => Promise<void>;

beforeAll(async () => {
  // the port first: the provider must know the redirect URI, the engine its PUBLIC_URL
  server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  appUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  provider = await startProvider(appUrl);
  h = await createHarness({
    env: {
      PUBLIC_URL: appUrl,
      AUTH_OIDC_ISSUER: provider.issuer,
      AUTH_OIDC_CLIENT_ID: CLIENT_ID,
      AUTH_OIDC_CLIENT_SECRET: CLIENT_SECRET,
      AUTH_OIDC_ROLES_CLAIM: 'realm_access.roles',
      AUTH_OIDC_AUDIENCE: RESOURCE,
    },
  });
  const log = createLogger('silent');
  const gql = graphqlApiOf(h.rt, log);
  closeGraphql = () => gql.close();
  app = createApp({ services: h.rt.services, config: h.rt.config, logger: log, graphql: gql.mount, webAuth: await startWebAuth(h.rt.config) });
  server.on('request', app);
}, 60_000);

afterAll(async () => {
  await closeGraphql?.();
  await new Promise<void>((resolve) => {
    server?.close(() => resolve());
    server?.closeAllConnections();
  });
  if (provider) {
    const exited = new Promise((resolve) => provider.child.once('exit', resolve));
    provider.child.kill('SIGTERM');
    await exited;
  }
  await h?.close();
});

const at = (path: string) => new URL(path, appUrl);

/** The whole code flow as a browser runs it: login link, provider, login form, callback. Returns the callback's answer. */
async function signInWithOidc(jar: CookieJar, login: string, returnTo = '/workflows/inbox', accept = 'application/json'): Promise<Response> {
  let url = at(`/workflows/auth/oidc/login?returnTo=${encodeURIComponent(returnTo)}`);
  let res = await go(jar, url);
  expect(res.status).toBe(302);
  const authorize = new URL(res.headers.get('location') ?? '');
  expect(authorize.origin).toBe(new URL(provider.issuer).origin);
  expect(Object.fromEntries(authorize.searchParams)).toMatchObject({ response_type: 'code', client_id: CLIENT_ID, code_challenge_method: 'S256', scope: 'openid profile email' });
  expect(authorize.searchParams.get('state')).toBeTruthy();
  expect(authorize.searchParams.get('nonce')).toBeTruthy();
  expect(authorize.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
  url = authorize;
  res = await go(jar, url);
  for (let step = 0; step < 12; step++) {
    if (res.status >= 300 && res.status < 400) {
      url = new URL(res.headers.get('location') ?? '', url);
      if (url.origin === appUrl && url.pathname === '/workflows/auth/oidc/callback') return go(jar, url, { headers: { accept } });
      res = await go(jar, url);
      continue;
    }
    const html = await res.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    const prompt = /name="prompt" value="(\w+)"/.exec(html)?.[1];
    if (res.status !== 200 || !action || !prompt) throw new Error(`unexpected provider answer ${res.status}: ${html.slice(0, 500)}`);
    const form = new URLSearchParams(prompt === 'login' ? { prompt, login, password: 'any' } : { prompt });
    url = new URL(action.replace(/&amp;/g, '&'), url);
    res = await go(jar, url, { method: 'POST', body: form.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  }
  throw new Error('the sign-in did not come back to the callback');
}

async function sessionOf(jar: CookieJar): Promise<Record<string, unknown>> {
  const res = await go(jar, at('/workflows/auth/session'));
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

async function signedInJar(login = 'ann'): Promise<{ jar: CookieJar; csrfToken: string }> {
  const jar = new CookieJar();
  const callback = await signInWithOidc(jar, login);
  expect(callback.status).toBe(302);
  const session = await sessionOf(jar);
  return { jar, csrfToken: String(session['csrfToken']) };
}

const poDefinition = () => definition('Web auth PO').approval('ok', { approverRole: 'manager' }).build();

async function providerServiceToken(): Promise<string> {
  const res = await fetch(new URL('/token', provider.issuer), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'client_credentials', resource: RESOURCE, scope: 'api' }).toString(),
  });
  const body = (await res.json()) as { access_token?: string };
  expect(res.status).toBe(200);
  return body.access_token ?? '';
}

describe('OIDC sign-in (authorization code with PKCE) against a real provider', () => {
  it('sets an HttpOnly SameSite=Lax session cookie and sends the browser back to returnTo; the session says who, mapped from the claims', async () => {
    const jar = new CookieJar();
    expect(await sessionOf(jar)).toEqual({ signedIn: false, methods: { dev: expect.any(Array), oidc: true } });
    const callback = await signInWithOidc(jar, 'ann', '/workflows/tasks?view=mine');
    expect(callback.status).toBe(302);
    expect(callback.headers.get('location')).toBe('/workflows/tasks?view=mine');
    const cookie = callback.headers.getSetCookie().find((c) => c.startsWith('wf_session='));
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).not.toMatch(/Secure/i);
    // the flow cookie is used once
    expect(jar.get(appUrl, 'wf_oidc_flow')).toBeUndefined();
    const session = await sessionOf(jar);
    expect(session).toEqual({
      signedIn: true,
      user: { tenantId: TENANT_A, userId: 'ann', roles: ['admin', 'manager'] },
      method: 'oidc',
      expiresAt: expect.any(String),
      csrfToken: expect.any(String),
    });
    const hours = (Date.parse(String(session['expiresAt'])) - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(7.9);
    expect(hours).toBeLessThanOrEqual(8);
    // the token stays stable for the session (the app reads it once)
    expect((await sessionOf(jar))['csrfToken']).toBe(session['csrfToken']);
  });

  it('lets the cookie read the API; a POST needs X-CSRF-Token (403 CSRF_TOKEN_INVALID without it or with another session\'s)', async () => {
    const { jar, csrfToken } = await signedInJar();
    const mine = await go(jar, at('/api/tasks/mine'));
    expect(mine.status).toBe(200);

    const body = JSON.stringify(poDefinition());
    const json = { 'content-type': 'application/json' };
    const refused = await go(jar, at('/api/definitions'), { method: 'POST', body, headers: json });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ error: { code: 'CSRF_TOKEN_INVALID', message: expect.stringContaining('X-CSRF-Token'), details: null } });

    const other = await signedInJar();
    const crossed = await go(jar, at('/api/definitions'), { method: 'POST', body, headers: { ...json, 'x-csrf-token': other.csrfToken } });
    expect(crossed.status).toBe(403);

    const created = await go(jar, at('/api/definitions'), { method: 'POST', body, headers: { ...json, 'x-csrf-token': csrfToken } });
    expect(created.status).toBe(201);
  });

  it('serves a GraphQL subscription stream to the cookie (GET /graphql/stream)', async () => {
    const { jar, csrfToken } = await signedInJar();
    const query = encodeURIComponent('subscription { taskQueueChanged { change taskId } }');
    const res = await go(jar, at(`/graphql/stream?query=${query}`), { headers: { accept: 'text/event-stream' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    // a task for one of ann's roles arrives on the stream
    const json = { 'content-type': 'application/json', 'x-csrf-token': csrfToken };
    const def = (await (await go(jar, at('/api/definitions'), { method: 'POST', body: JSON.stringify(poDefinition()), headers: json })).json()) as { id: string };
    const started = await go(jar, at('/api/instances'), { method: 'POST', body: JSON.stringify({ workflowDefinitionId: def.id, contextData: {} }), headers: json });
    expect(started.status).toBe(201);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    const deadline = Date.now() + 15_000;
    while (!text.includes('ENTERED') && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      text += Buffer.from(value).toString('utf8');
    }
    expect(text).toContain('ENTERED');
    await reader.cancel();
  });

  it('refuses with 403 OIDC_CLAIMS_INVALID naming the claim when the provider gives no tenant (a page for a browser)', async () => {
    const res = await signInWithOidc(new CookieJar(), 'nobody');
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({
      error: {
        code: 'OIDC_CLAIMS_INVALID',
        message: expect.stringContaining('claim "tenant" is missing'),
        details: { claim: 'tenant', problem: 'missing', setting: 'AUTH_OIDC_TENANT_CLAIM' },
      },
    });
    const jar = new CookieJar();
    const page = await signInWithOidc(jar, 'nobody', '/workflows/', 'text/html,application/xhtml+xml,*/*;q=0.8');
    expect(page.status).toBe(403);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toContain('claim &quot;tenant&quot; is missing');
    expect(jar.get(appUrl, 'wf_session')).toBeUndefined();
  });

  it('keeps returnTo on this origin under /workflows, and refuses a callback no sign-in started', async () => {
    for (const returnTo of ['//evil.example/workflows', 'https://evil.example/workflows/', '/api/tasks', '/\\evil.example']) {
      const res = await go(new CookieJar(), at(`/workflows/auth/oidc/login?returnTo=${encodeURIComponent(returnTo)}`));
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('INVALID_RETURN_TO');
    }
    const res = await go(new CookieJar(), at('/workflows/auth/oidc/callback?code=stolen&state=guess'));
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('OIDC_CALLBACK_INVALID');
  });

  it('signs out (CSRF-checked): the cookie is cleared and the browser is sent to the provider\'s logout', async () => {
    const { jar, csrfToken } = await signedInJar();
    const refused = await go(jar, at('/workflows/auth/sign-out'), { method: 'POST' });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('CSRF_TOKEN_INVALID');
    const res = await go(jar, at('/workflows/auth/sign-out'), { method: 'POST', headers: { 'x-csrf-token': csrfToken } });
    expect(res.status).toBe(200);
    const { redirectTo } = (await res.json()) as { redirectTo: string };
    const logout = new URL(redirectTo);
    expect(logout.origin).toBe(new URL(provider.issuer).origin);
    expect(logout.searchParams.get('post_logout_redirect_uri')).toBe(`${appUrl}/workflows/`);
    expect(logout.searchParams.get('client_id')).toBe(CLIENT_ID);
    expect(jar.get(appUrl, 'wf_session')).toBeUndefined();
    expect((await sessionOf(jar))['signedIn']).toBe(false);
    expect((await go(jar, at('/api/tasks/mine'))).status).toBe(401);
  });
});

describe('bearer tokens beside the session', () => {
  it('accepts the provider\'s RS256 token (checked through its JWKS), mapped like the sign-in', async () => {
    const token = await providerServiceToken();
    expect(decodeProtectedHeader(token).alg).toBe('RS256');
    const res = await fetch(at('/api/tasks/mine'), { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    // no CSRF token for a bearer: no browser attaches one by itself
    const created = await fetch(at('/api/definitions'), { method: 'POST', body: JSON.stringify(poDefinition()), headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } });
    expect(created.status).toBe(403); // the service's roles (manager) may not define workflows: authenticated, then authorised
    expect(((await created.json()) as { error: { code: string } }).error.code).not.toBe('CSRF_TOKEN_INVALID');
  });

  it('refuses an RS256 token of another key or another issuer with 401', async () => {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    expect(await exportJWK(publicKey)).toHaveProperty('n');
    const forge = (iss: string) =>
      new SignJWT({ tenant: TENANT_A, realm_access: { roles: ['admin'] } })
        .setProtectedHeader({ alg: 'RS256', kid: 'test-key-1' })
        .setIssuer(iss)
        .setAudience(RESOURCE)
        .setSubject('mallory')
        .setExpirationTime('5m')
        .sign(privateKey);
    for (const token of [await forge(provider.issuer), await forge('https://other-issuer.example')]) {
      const res = await fetch(at('/api/tasks/mine'), { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('INVALID_TOKEN');
    }
  });

  it('does not take a session cookie as a bearer token, nor a bearer token as a session cookie', async () => {
    const { jar } = await signedInJar();
    const sessionToken = jar.get(appUrl, 'wf_session') ?? '';
    const asBearer = await fetch(at('/api/tasks/mine'), { headers: { authorization: `Bearer ${sessionToken}` } });
    expect(asBearer.status).toBe(401);
    expect(((await asBearer.json()) as { error: { code: string } }).error.code).toBe('INVALID_TOKEN');

    const bearerJar = new CookieJar();
    bearerJar.set(appUrl, 'wf_session', h.token('ann', ['admin']));
    const asCookie = await go(bearerJar, at('/api/tasks/mine'));
    expect(asCookie.status).toBe(401);
    expect(((await asCookie.json()) as { error: { code: string } }).error.code).toBe('INVALID_SESSION');
    expect((await sessionOf(bearerJar))['signedIn']).toBe(false);

    // nor is a session signed with another secret
    const forged = (await signSessionToken('another-secret', { actor: { tenantId: TENANT_A, userId: 'ann', roles: ['admin'] }, method: 'dev', hours: 1 })).token;
    const forgedJar = new CookieJar();
    forgedJar.set(appUrl, 'wf_session', forged);
    expect((await go(forgedJar, at('/api/tasks/mine'))).status).toBe(401);
  });
});

describe('development sign-in', () => {
  it('signs in as a development person with one POST, listed by the session endpoint', async () => {
    const jar = new CookieJar();
    const before = await sessionOf(jar);
    expect((before['methods'] as { dev: { key: string }[] }).dev.map((p) => p.key)).toEqual(['admin', 'requester', 'manager', 'cfo', 'clerk']);
    const res = await go(jar, at('/workflows/auth/dev'), { method: 'POST', body: JSON.stringify({ person: 'manager' }), headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      signedIn: true,
      user: { tenantId: DEV_TENANT_ID, userId: 'mo-manager', roles: ['manager'] },
      method: 'dev',
      expiresAt: expect.any(String),
      csrfToken: expect.any(String),
    });
    expect(jar.get(appUrl, 'wf_session')).toBeTruthy();
    expect((await go(jar, at('/api/tasks/mine'))).status).toBe(200);
    // signing out a dev session goes back to the app, not to the provider
    const { csrfToken } = (await sessionOf(jar)) as { csrfToken: string };
    const out = await go(jar, at('/workflows/auth/sign-out'), { method: 'POST', headers: { 'x-csrf-token': csrfToken } });
    expect(await out.json()).toEqual({ redirectTo: '/workflows/' });
  });

  it('refuses an unknown person with 400', async () => {
    const res = await go(new CookieJar(), at('/workflows/auth/dev'), { method: 'POST', body: JSON.stringify({ person: 'root' }), headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
  });

  it('is 404 when AUTH_DEV_SIGN_IN is off, and the session endpoint lists no people', async () => {
    const off = createApp({ services: h.rt.services, config: h.rt.config, logger: createLogger('silent'), webAuth: webAuthWithoutOidc({ ...h.rt.config, devSignIn: false }) });
    const offServer = await new Promise<Server>((resolve) => {
      const s = off.listen(0, '127.0.0.1', () => resolve(s));
    });
    try {
      const url = `http://127.0.0.1:${(offServer.address() as AddressInfo).port}`;
      const res = await fetch(`${url}/workflows/auth/dev`, { method: 'POST', body: JSON.stringify({ person: 'manager' }), headers: { 'content-type': 'application/json' } });
      expect(res.status).toBe(404);
      expect(res.headers.getSetCookie()).toEqual([]);
      expect(await (await fetch(`${url}/workflows/auth/session`)).json()).toEqual({ signedIn: false, methods: { dev: [], oidc: false } });
    } finally {
      await new Promise<void>((resolve) => offServer.close(() => resolve()));
    }
  });
});
