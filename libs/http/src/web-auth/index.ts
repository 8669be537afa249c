/**
 * Sign-in for the web app, at /workflows/auth (JSON for the app; the OIDC endpoints redirect):
 *
 * - `GET  /session`        who is signed in (and the CSRF token), or how one may sign in;
 * - `POST /dev`            `{ person }`: one-click sign-in as a development person (404 when AUTH_DEV_SIGN_IN is off);
 * - `GET  /oidc/login`     302 to the provider (code + PKCE S256, state, nonce), `?returnTo=/workflows/...`;
 * - `GET  /oidc/callback`  the provider's redirect back: sets the session, 302 to returnTo;
 * - `POST /sign-out`       (CSRF-checked) clears the session; `{ redirectTo }`, the provider's logout when it has one.
 */

import { Router, type Request, type RequestHandler, type Response } from 'express';
import cookieParser from 'cookie-parser';
import * as client from 'openid-client';
import { z } from 'zod';
import { EngineError, NotFoundError, type Actor } from '@wf/engine';
import { DEV_PEOPLE, DEV_PEOPLE_TENANT_ID, claimAt, devPerson, mapClaims, signSessionToken, type Logger, type SignInMethod, type WebSession } from '@wf/runtime';
import { requireJsonBodies } from '../json-body';
import { invalidInput, parseInput } from '../validation';
import { FLOW_COOKIE, SESSION_COOKIE, clearSessionCookies, cookieOf, flowCookieOptions, sessionCookieOptions } from './cookies';
import { OidcCallbackError, OidcClaimsError, OidcProviderUnavailableError } from './errors';
import { readFlow, signFlow } from './flow-cookie';
import { callbackRefusals } from './refusal-page';
import { DEFAULT_RETURN_TO, safeReturnTo } from './return-to';
import { sessionOf, type WebAuth } from './web-auth';
import type { OidcSignIn } from './oidc-sign-in';

export { startWebAuth, webAuthWithoutOidc, sessionOf, type WebAuth } from './web-auth';
export { SAFE_METHODS } from './csrf';

const devBody = z.object({ person: z.string().min(1) }).strict();

export function webAuthRouter(webAuth: WebAuth, logger: Logger): Router {
  const router = Router();
  router.use(cookieParser());
  // answers about who is signed in must never come from a cache
  router.use((_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });

  router.get('/session', async (req, res) => {
    const session = await sessionOf(webAuth, req).catch(() => null);
    if (session) {
      res.json(sessionBody(webAuth, session, req, res));
      return;
    }
    // a stale cookie goes, so the app and the API agree the browser is signed out
    if (cookieOf(req, SESSION_COOKIE) !== undefined) clearSessionCookies(res, webAuth.secureCookies);
    res.json({
      signedIn: false,
      methods: {
        dev: webAuth.devSignIn ? DEV_PEOPLE.map((p) => ({ key: p.key, userId: p.userId, roles: [...p.roles] })) : [],
        oidc: webAuth.oidc !== null,
      },
    });
  });

  router.post('/dev', requireJsonBodies(), async (req, res) => {
    if (!webAuth.devSignIn) throw new NotFoundError('Route', `${req.method} ${req.baseUrl}${req.path}`);
    const { person: key } = parseInput(devBody, req.body, 'body');
    const person = devPerson(key);
    if (!person) throw invalidInput([{ path: 'person', message: `unknown person: one of ${DEV_PEOPLE.map((p) => p.key).join(', ')}` }]);
    const actor: Actor = { tenantId: DEV_PEOPLE_TENANT_ID, userId: person.userId, roles: person.roles };
    const session = await startSession(webAuth, res, actor, 'dev');
    res.json(sessionBody(webAuth, session, req, res));
  });

  router.get('/oidc/login', async (req, res) => {
    const oidc = oidcOf(webAuth, req);
    const returnTo = safeReturnTo(req.query['returnTo'], webAuth.publicUrl);
    const codeVerifier = client.randomPKCECodeVerifier();
    const flow = { state: client.randomState(), nonce: client.randomNonce(), codeVerifier, returnTo };
    const url = client.buildAuthorizationUrl(oidc.configuration, {
      redirect_uri: oidc.settings.redirectUri,
      scope: oidc.settings.scopes,
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state: flow.state,
      nonce: flow.nonce,
    });
    res.cookie(FLOW_COOKIE, await signFlow(webAuth.secret, flow), flowCookieOptions(webAuth.secureCookies));
    res.redirect(302, url.href);
  });

  router.get(
    '/oidc/callback',
    async (req: Request, res: Response) => {
      const oidc = oidcOf(webAuth, req);
      const flow = await readFlow(webAuth.secret, cookieOf(req, FLOW_COOKIE));
      // one use only, whatever happens next
      res.clearCookie(FLOW_COOKIE, { ...flowCookieOptions(webAuth.secureCookies), maxAge: undefined });
      if (!flow) throw new OidcCallbackError('no sign-in was started in this browser, or it took too long: start again');
      const actor = await actorFromCallback(oidc, req, flow);
      await startSession(webAuth, res, actor, 'oidc');
      res.redirect(302, flow.returnTo || DEFAULT_RETURN_TO);
    },
    callbackRefusals(logger),
  );

  router.post('/sign-out', async (req, res) => {
    const session = await sessionOf(webAuth, req).catch(() => null);
    // only a live session needs protecting: signing out a stale cookie harms no one
    if (session) webAuth.csrf.check(req, session.sessionId);
    clearSessionCookies(res, webAuth.secureCookies);
    const providerLogout = session?.method === 'oidc' ? webAuth.oidc?.endSessionUrl() : null;
    res.json({ redirectTo: providerLogout ?? DEFAULT_RETURN_TO });
  });

  router.use(((req) => {
    throw new NotFoundError('Route', `${req.method} ${req.baseUrl}${req.path}`);
  }) as RequestHandler);
  return router;
}

function oidcOf(webAuth: WebAuth, req: Request): OidcSignIn {
  if (!webAuth.oidc) throw new NotFoundError('Route', `${req.method} ${req.baseUrl}${req.path} (AUTH_OIDC_ISSUER is not set)`);
  return webAuth.oidc;
}

async function startSession(webAuth: WebAuth, res: Response, actor: Actor, method: SignInMethod): Promise<WebSession> {
  const { token, session } = await signSessionToken(webAuth.secret, { actor, method, hours: webAuth.sessionHours });
  res.cookie(SESSION_COOKIE, token, sessionCookieOptions(webAuth.secureCookies, session.expiresAt));
  return session;
}

function sessionBody(webAuth: WebAuth, session: WebSession, req: Request, res: Response) {
  return {
    signedIn: true as const,
    user: { tenantId: session.actor.tenantId, userId: session.actor.userId, roles: [...session.actor.roles] },
    method: session.method,
    expiresAt: session.expiresAt.toISOString(),
    csrfToken: webAuth.csrf.tokenFor(req, res, session.sessionId),
  };
}

/** The code exchanged (openid-client checks state, nonce, PKCE, the id_token), then the claims mapped. */
async function actorFromCallback(oidc: OidcSignIn, req: Request, flow: { state: string; nonce: string; codeVerifier: string }): Promise<Actor> {
  // the URL the provider redirected to, as registered (not as a proxy in front may have rewritten it)
  const currentUrl = new URL(oidc.settings.redirectUri);
  currentUrl.search = new URL(req.originalUrl, 'http://callback.invalid').search;
  let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
  try {
    tokens = await client.authorizationCodeGrant(oidc.configuration, currentUrl, {
      pkceCodeVerifier: flow.codeVerifier,
      expectedState: flow.state,
      expectedNonce: flow.nonce,
      idTokenExpected: true,
    });
  } catch (err) {
    throw callbackFailure(err);
  }
  const paths = oidc.settings.claims;
  let claims: Record<string, unknown> = { ...tokens.claims() };
  let mapped = mapClaims(claims, paths);
  // providers that keep custom claims (or the roles: Keycloak's default) out of the id_token serve them at userinfo
  const incomplete = !mapped.ok || claimAt(claims, paths.roles) === undefined;
  if (incomplete && oidc.configuration.serverMetadata().userinfo_endpoint && tokens.access_token) {
    try {
      const info = await client.fetchUserInfo(oidc.configuration, tokens.access_token, String(claims['sub']));
      claims = { ...info, ...claims };
    } catch (err) {
      throw callbackFailure(err);
    }
    mapped = mapClaims(claims, paths);
  }
  if (!mapped.ok) {
    const which = mapped.claim === paths.tenant ? 'tenant' : mapped.claim === paths.user ? 'user' : 'roles';
    throw new OidcClaimsError(mapped, which);
  }
  return mapped.actor;
}

/** openid-client's failures as ours: the provider unreachable (503), else a refused callback (400). */
function callbackFailure(err: unknown): EngineError {
  if (err instanceof EngineError) return err;
  if (err instanceof client.AuthorizationResponseError) return new OidcCallbackError(`the provider answered ${err.error}${err.error_description ? `: ${err.error_description}` : ''}`);
  if (err instanceof TypeError) return new OidcProviderUnavailableError(err.message);
  return new OidcCallbackError(err instanceof Error ? err.message : String(err));
}
