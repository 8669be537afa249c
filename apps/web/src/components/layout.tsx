/** The frame around every signed-in page: a skip link, the navigation, who is signed in, sign-out. */

import type { ReactNode } from 'react';
import { Link, useLocation } from 'wouter';
import { isAdmin, useSession, useUser } from '../api/session';

interface NavItem {
  readonly href: string;
  readonly label: string;
  readonly adminOnly?: boolean;
}

const NAV: readonly NavItem[] = [
  { href: '/', label: 'Inbox' },
  { href: '/tasks', label: 'All tasks', adminOnly: true },
  { href: '/start', label: 'Start' },
  { href: '/instances', label: 'Instances' },
  { href: '/incidents', label: 'Incidents', adminOnly: true },
  { href: '/definitions', label: 'Definitions' },
  { href: '/analytics', label: 'Analytics' },
];

function isCurrent(href: string, location: string): boolean {
  return href === '/' ? location === '/' : location === href || location.startsWith(`${href}/`);
}

export function Layout({ children }: { children: ReactNode }) {
  const user = useUser();
  const { signOut } = useSession();
  const [location] = useLocation();
  const admin = isAdmin(user);
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">Workflows</span>
        <nav aria-label="Main">
          <ul>
            {NAV.filter((item) => admin || !item.adminOnly).map((item) => (
              <li key={item.href}>
                <Link href={item.href} aria-current={isCurrent(item.href, location) ? 'page' : undefined}>
                  {item.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="who">
          <span data-testid="signed-in-user">
            {user.userId} <span className="muted">({user.roles.join(', ') || 'no roles'})</span>
          </span>
          <button type="button" className="link-button" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
