/** The web sign-in's own refusals, typed so the one error handler maps them (by their kind) to HTTP. */

import { ForbiddenError, UnavailableError, ValidationError } from '@wf/engine';
import { describeClaimProblem, type ClaimProblem } from '@wf/runtime';

/** A cookie-authenticated request that changes something came without the session's CSRF token (403). */
export class CsrfTokenInvalidError extends ForbiddenError {
  constructor() {
    super('Missing or invalid X-CSRF-Token header: send the csrfToken of GET /workflows/auth/session with every request that changes something', 'CSRF_TOKEN_INVALID');
  }
}

/** The callback cannot be trusted or completed: no sign-in started here, a state mismatch, the provider's error (400). */
export class OidcCallbackError extends ValidationError {
  constructor(reason: string) {
    super('OIDC_CALLBACK_INVALID', `Sign-in failed: ${reason}`);
  }
}

/** Which setting names each claim, so the refusal tells the operator what to change. */
const SETTING_OF_CLAIM = { tenant: 'AUTH_OIDC_TENANT_CLAIM', roles: 'AUTH_OIDC_ROLES_CLAIM', user: 'AUTH_OIDC_USER_CLAIM' } as const;

/** The provider signed the person in, but its claims do not say who they are here (403). */
export class OidcClaimsError extends ForbiddenError {
  constructor(problem: ClaimProblem, which: keyof typeof SETTING_OF_CLAIM) {
    super(
      `Sign-in refused: the provider's ${describeClaimProblem(problem)} (the ${which} is read from it: ${SETTING_OF_CLAIM[which]})`,
      'OIDC_CLAIMS_INVALID',
      { claim: problem.claim, problem: problem.problem, setting: SETTING_OF_CLAIM[which] },
    );
  }
}

/** The provider could not be reached (503: try again). */
export class OidcProviderUnavailableError extends UnavailableError {
  constructor(reason: string) {
    super('OIDC_PROVIDER_UNAVAILABLE', `The OpenID provider could not be reached: ${reason}`);
  }
}
