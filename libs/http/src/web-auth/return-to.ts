/**
 * Where a sign-in may send the browser afterwards: a path of the web app on this origin only, so
 * the login link cannot be turned into an open redirect (`//evil.example`, `/\evil`, `https://…`).
 */

import { ValidationError } from '@wf/engine';

export const DEFAULT_RETURN_TO = '/workflows/';

export function safeReturnTo(value: unknown, publicUrl: string): string {
  if (value === undefined || value === '') return DEFAULT_RETURN_TO;
  const refuse = () => new ValidationError('INVALID_RETURN_TO', 'returnTo must be a path of the web app on this origin, under /workflows');
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//') || value.includes('\\')) throw refuse();
  const base = new URL(publicUrl);
  let url: URL;
  try {
    url = new URL(value, base);
  } catch {
    throw refuse();
  }
  if (url.origin !== base.origin || !(url.pathname === '/workflows' || url.pathname.startsWith('/workflows/'))) throw refuse();
  // the auth endpoints themselves are no destination (a loop back into the login)
  if (url.pathname.startsWith('/workflows/auth/')) throw refuse();
  return `${url.pathname}${url.search}${url.hash}`;
}
