/**
 * The sign-in's cookies. All HttpOnly (no script reads them: the CSRF token reaches the app in
 * the session JSON), Secure when PUBLIC_URL is https. The session is SameSite=Lax so it arrives
 * on the provider's redirect back and on links into /workflows; the OIDC flow cookie too, since
 * the callback is a cross-site navigation.
 */

import type { CookieOptions, Request, Response } from 'express';

export const SESSION_COOKIE = 'wf_session';
export const CSRF_COOKIE = 'wf_csrf';
export const FLOW_COOKIE = 'wf_oidc_flow';
/** The flow cookie goes only to the callback (and the login that sets it). */
const FLOW_COOKIE_PATH = '/workflows/auth/oidc';
/** Minutes a started OIDC sign-in may take at the provider. */
export const FLOW_MINUTES = 10;

export function sessionCookieOptions(secure: boolean, expiresAt?: Date): CookieOptions {
  return { httpOnly: true, sameSite: 'lax', secure, path: '/', ...(expiresAt ? { expires: expiresAt } : {}) };
}

export function flowCookieOptions(secure: boolean): CookieOptions {
  return { httpOnly: true, sameSite: 'lax', secure, path: FLOW_COOKIE_PATH, maxAge: FLOW_MINUTES * 60_000 };
}

/** A cookie's value, read after cookie-parser ran (`authenticate` and the router run it). */
export function cookieOf(req: Request, name: string): string | undefined {
  const cookies = (req as { cookies?: Record<string, unknown> }).cookies;
  const value = cookies?.[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function clearSessionCookies(res: Response, secure: boolean): void {
  res.clearCookie(SESSION_COOKIE, sessionCookieOptions(secure));
  res.clearCookie(CSRF_COOKIE, { httpOnly: true, sameSite: 'strict', secure, path: '/' });
}
