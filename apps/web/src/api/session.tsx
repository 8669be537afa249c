/**
 * Who is signed in, from `GET /workflows/auth/session` (the session lives in an HttpOnly cookie the
 * app never reads). Signing in (development picker or OpenID Connect) and out go through the
 * server; the CSRF token the session answers with is handed to the API client.
 */

import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, onUnauthenticated, setCsrfToken } from './client';

export interface SessionUser {
  readonly tenantId: string;
  readonly userId: string;
  readonly roles: readonly string[];
}

export interface DevPerson {
  readonly key: string;
  readonly userId: string;
  readonly roles: readonly string[];
}

export type Session =
  | { readonly signedIn: true; readonly user: SessionUser; readonly method: string; readonly expiresAt: string; readonly csrfToken: string }
  | { readonly signedIn: false; readonly methods: { readonly dev: readonly DevPerson[]; readonly oidc: boolean } };

interface SessionState {
  /** null while the first answer is on its way */
  readonly session: Session | null;
  readonly error: Error | null;
  refresh(): Promise<void>;
  signInAs(person: string): Promise<void>;
  signOut(): Promise<void>;
}

const SessionContext = createContext<SessionState | null>(null);

export const AUTH_BASE = '/workflows/auth';

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | null>(null);
  const [error, setError] = useState<Error | null>(null);

  const adopt = useCallback((next: Session) => {
    setCsrfToken(next.signedIn ? next.csrfToken : null);
    setSession(next);
  }, []);

  const refresh = useCallback(async () => {
    try {
      adopt(await api.get<Session>(`${AUTH_BASE}/session`));
      setError(null);
    } catch (err) {
      setError(err as Error);
    }
  }, [adopt]);

  const signInAs = useCallback(async (person: string) => adopt(await api.post<Session>(`${AUTH_BASE}/dev`, { person })), [adopt]);

  const signOut = useCallback(async () => {
    const { redirectTo } = await api.post<{ redirectTo: string }>(`${AUTH_BASE}/sign-out`);
    setCsrfToken(null);
    window.location.assign(redirectTo);
  }, []);

  useEffect(() => {
    void refresh();
    return onUnauthenticated(() => void refresh());
  }, [refresh]);

  const value = useMemo(() => ({ session, error, refresh, signInAs, signOut }), [session, error, refresh, signInAs, signOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const state = useContext(SessionContext);
  if (!state) throw new Error('useSession outside SessionProvider');
  return state;
}

/** The signed-in user; only valid on pages rendered behind the sign-in gate. */
export function useUser(): SessionUser {
  const { session } = useSession();
  if (!session?.signedIn) throw new Error('useUser: nobody is signed in');
  return session.user;
}

export function isAdmin(user: SessionUser): boolean {
  return user.roles.includes('admin');
}
