/**
 * Sign-in: in development, one button per person of the development tenant; with OpenID Connect
 * configured, a button that goes to the provider (and back to the page asked for).
 */

import { useState } from 'react';
import { AUTH_BASE, useSession, type DevPerson } from '../api/session';
import { ErrorBanner } from '../components/error-banner';
import { Page } from '../components/page';

const PERSON_LABEL: Record<string, string> = { requester: 'Requester', manager: 'Manager', cfo: 'CFO', admin: 'Admin', clerk: 'Clerk' };

export function SignInPage({ dev, oidc }: { dev: readonly DevPerson[]; oidc: boolean }) {
  const { signInAs } = useSession();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const returnTo = window.location.pathname + window.location.search;

  const pick = async (person: string) => {
    setBusy(true);
    setError(null);
    try {
      await signInAs(person);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" className="sign-in">
      <Page title="Sign in">
        <ErrorBanner error={error} title="Could not sign in" />
        {oidc && (
          <p>
            <a className="button primary" href={`${AUTH_BASE}/oidc/login?returnTo=${encodeURIComponent(returnTo)}`}>
              Sign in with your organisation
            </a>
          </p>
        )}
        {dev.length > 0 && (
          <section aria-labelledby="dev-people">
            <h2 id="dev-people">Development tenant</h2>
            <p className="muted">Pick a person to act as. This list exists only outside production.</p>
            <ul className="people">
              {dev.map((p) => (
                <li key={p.key}>
                  <button type="button" className="button" disabled={busy} onClick={() => void pick(p.key)}>
                    {PERSON_LABEL[p.key] ?? p.key}
                    <span className="muted">
                      {' '}
                      {p.userId} · {p.roles.join(', ')}
                    </span>
                  </button>
                </li>
              ))}
            </ul>
          </section>
        )}
        {!oidc && dev.length === 0 && <p>No sign-in method is configured. Set AUTH_OIDC_ISSUER (see docs/operations.md).</p>}
      </Page>
    </main>
  );
}
