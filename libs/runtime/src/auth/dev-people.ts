/**
 * The people of the development tenant: the tokens printed at start-up and the web app's
 * one-click sign-in (AUTH_DEV_SIGN_IN) both come from this one list, so they name the same users.
 */

import { DEV_TENANT_ID } from '../config/config';

export interface DevPerson {
  /** what the picker and `POST /workflows/auth/dev` call this person */
  readonly key: string;
  readonly userId: string;
  readonly roles: readonly string[];
}

/** The admin, the three people of the sample's walk-through (a requester may not approve their own order), and a clerk for forms. */
export const DEV_PEOPLE: readonly DevPerson[] = Object.freeze(
  [
    { key: 'admin', userId: 'dev-admin', roles: ['admin', 'manager', 'cfo'] },
    { key: 'requester', userId: 'rita-requester', roles: ['requester'] },
    { key: 'manager', userId: 'mo-manager', roles: ['manager'] },
    { key: 'cfo', userId: 'carla-cfo', roles: ['cfo'] },
    { key: 'clerk', userId: 'cleo-clerk', roles: ['clerk'] },
  ].map((person) => Object.freeze({ ...person, roles: Object.freeze(person.roles) })),
);

/** The tenant every development person belongs to. */
export const DEV_PEOPLE_TENANT_ID = DEV_TENANT_ID;

export function devPerson(key: string): DevPerson | undefined {
  return DEV_PEOPLE.find((person) => person.key === key);
}
