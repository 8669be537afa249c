/**
 * RS256 API tokens from the OpenID provider (AUTH_OIDC_ISSUER), verified against the keys of its
 * JWKS (fetched and cached by jose, refetched when a token names an unknown key). The issuer and
 * the audience are checked, and the claims are mapped as at sign-in, so one person is the same
 * actor by cookie and by token.
 */

import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { UnauthenticatedError, UnavailableError, type Actor } from '@wf/engine';
import { describeClaimProblem, mapClaims, type ClaimPaths } from './claim-mapping';

export interface OidcTokenVerifierOptions {
  /** the provider's issuer identifier, as its discovery document states it */
  readonly issuer: string;
  readonly jwksUri: string;
  /** the `aud` a token must carry (AUTH_OIDC_AUDIENCE) */
  readonly audience: string;
  readonly claims: ClaimPaths;
}

export type OidcTokenVerifier = (token: string) => Promise<Actor>;

/** The provider's signatures only: no HS256 (that is our own secret's), no `none`. */
const ALGORITHMS = ['RS256'];

export function createOidcTokenVerifier(opts: OidcTokenVerifierOptions): OidcTokenVerifier {
  const keys: JWTVerifyGetKey = createRemoteJWKSet(new URL(opts.jwksUri));
  return async (token) => {
    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(token, keys, { algorithms: ALGORITHMS, issuer: opts.issuer, audience: opts.audience, requiredClaims: ['exp'] }));
    } catch (err) {
      if (err instanceof errors.JWTExpired) throw new UnauthenticatedError('Token expired', 'TOKEN_EXPIRED');
      if (err instanceof errors.JWTClaimValidationFailed && err.claim === 'exp' && err.reason === 'missing') {
        throw new UnauthenticatedError('Token has no expiry: tokens must carry an "exp" claim', 'TOKEN_EXPIRY_REQUIRED');
      }
      // the provider's keys could not be read: not the caller's fault, and worth a retry
      if (err instanceof errors.JWKSTimeout || !(err instanceof errors.JOSEError)) {
        throw new UnavailableError('OIDC_PROVIDER_UNAVAILABLE', 'The OpenID provider\'s keys (JWKS) could not be fetched');
      }
      throw new UnauthenticatedError('Invalid token', 'INVALID_TOKEN');
    }
    const mapped = mapClaims(payload, opts.claims);
    if (!mapped.ok) throw new UnauthenticatedError(`Invalid token claims: ${describeClaimProblem(mapped)}`, 'INVALID_TOKEN');
    return mapped.actor;
  };
}
