/**
 * How an OpenID provider's claims become an `Actor`. Providers put the tenant and the roles in
 * different places (a namespaced claim like `https://example.com/tenant`, Keycloak's
 * `realm_access.roles`), so each is configured as a name or a dotted path.
 */

import { z } from 'zod';
import type { Actor } from '@wf/engine';

export interface ClaimPaths {
  readonly tenant: string;
  readonly roles: string;
  readonly user: string;
}

/**
 * The value at `path` in `claims`. A claim name may itself contain dots (a URL), so at each level
 * the longest run of segments that is a key wins: `https://x.io/tenant` is one key, `org.tenant`
 * is `org` then `tenant` unless `org.tenant` is a key of its own.
 */
export function claimAt(claims: unknown, path: string): unknown {
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) return undefined;
  const record = claims as Record<string, unknown>;
  if (Object.hasOwn(record, path)) return record[path];
  const parts = path.split('.');
  for (let take = parts.length - 1; take >= 1; take--) {
    const head = parts.slice(0, take).join('.');
    if (Object.hasOwn(record, head)) {
      const found = claimAt(record[head], parts.slice(take).join('.'));
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** Why claims could not be mapped: which configured claim, and what is wrong with it. */
export interface ClaimProblem {
  readonly claim: string;
  readonly problem: 'missing' | 'not a UUID' | 'not a string' | 'not a list of strings';
}

export type ClaimMapping = { readonly ok: true; readonly actor: Actor } | ({ readonly ok: false } & ClaimProblem);

const uuid = z.guid();

/**
 * The actor `claims` name. Roles may be missing (no roles), a list of strings, or one string of
 * space- or comma-separated names (some providers flatten lists that way).
 */
export function mapClaims(claims: unknown, paths: ClaimPaths): ClaimMapping {
  const tenant = claimAt(claims, paths.tenant);
  if (tenant === undefined || tenant === null || tenant === '') return { ok: false, claim: paths.tenant, problem: 'missing' };
  if (typeof tenant !== 'string' || !uuid.safeParse(tenant).success) return { ok: false, claim: paths.tenant, problem: 'not a UUID' };
  const user = claimAt(claims, paths.user);
  if (user === undefined || user === null || user === '') return { ok: false, claim: paths.user, problem: 'missing' };
  if (typeof user !== 'string') return { ok: false, claim: paths.user, problem: 'not a string' };
  const roles = rolesOf(claimAt(claims, paths.roles));
  if (roles === null) return { ok: false, claim: paths.roles, problem: 'not a list of strings' };
  return { ok: true, actor: Object.freeze({ tenantId: tenant.toLowerCase(), userId: user, roles: Object.freeze(roles) }) };
}

function rolesOf(value: unknown): string[] | null {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return value.split(/[\s,]+/).filter(Boolean);
  if (Array.isArray(value) && value.every((role): role is string => typeof role === 'string')) return [...new Set(value)];
  return null;
}

/** `claim "x" is missing`, for refusals that name the claim. */
export function describeClaimProblem(problem: ClaimProblem): string {
  return `claim "${problem.claim}" is ${problem.problem}`;
}
