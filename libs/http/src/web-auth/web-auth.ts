/**
 * Everything web sign-in needs, built once per app: sessions (the cookie's JWT), the CSRF guard,
 * the development sign-in switch and the OpenID provider when one is configured. `createApp`
 * builds one without OIDC from its config when it is given none; the api role discovers the
 * provider first (`startWebAuth`), which is why that one is async.
 */

import type { Request } from 'express';
import { verifySessionToken, type Config, type WebSession } from '@wf/runtime';
import { SESSION_COOKIE, cookieOf } from './cookies';
import { csrfGuard, type CsrfGuard } from './csrf';
import { discoverOidc, type OidcSignIn } from './oidc-sign-in';

export interface WebAuth {
  /** AUTH_JWT_SECRET: signs the session and flow cookies */
  readonly secret: string;
  readonly sessionHours: number;
  /** PUBLIC_URL: the origin `returnTo` must stay on */
  readonly publicUrl: string;
  /** cookies carry Secure (PUBLIC_URL is https) */
  readonly secureCookies: boolean;
  readonly devSignIn: boolean;
  readonly oidc: OidcSignIn | null;
  readonly csrf: CsrfGuard;
}

/** What a WebAuth is made of; a config without the web settings (tests' minimal ones) gets no dev sign-in. */
export type WebAuthConfig = Pick<Config, 'jwtSecret'> & Partial<Pick<Config, 'publicUrl' | 'devSignIn' | 'webSessionHours'>>;

export function webAuthWithoutOidc(config: WebAuthConfig, oidc: OidcSignIn | null = null): WebAuth {
  const publicUrl = config.publicUrl ?? 'http://localhost';
  const secureCookies = new URL(publicUrl).protocol === 'https:';
  return {
    secret: config.jwtSecret,
    sessionHours: config.webSessionHours ?? 8,
    publicUrl,
    secureCookies,
    devSignIn: config.devSignIn ?? false,
    oidc,
    csrf: csrfGuard(config.jwtSecret, secureCookies),
  };
}

/** With the provider discovered when AUTH_OIDC_ISSUER is set (a provider that does not answer fails start-up). */
export async function startWebAuth(config: WebAuthConfig & Pick<Config, 'oidc'>): Promise<WebAuth> {
  return webAuthWithoutOidc(config, config.oidc ? await discoverOidc(config.oidc) : null);
}

/**
 * The session of the request's `wf_session` cookie; null without one. An invalid or expired one
 * throws (`INVALID_SESSION`, `SESSION_EXPIRED`): the API answers 401, the session endpoint "signed out".
 */
export async function sessionOf(webAuth: WebAuth, req: Request): Promise<WebSession | null> {
  const token = cookieOf(req, SESSION_COOKIE);
  return token === undefined ? null : verifySessionToken(webAuth.secret, token);
}
