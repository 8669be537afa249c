/**
 * The OpenID provider as the web sign-in and the API see it: its discovery document (read once,
 * at start-up), the client (openid-client: authorization code with PKCE S256, state and nonce),
 * and a verifier of its RS256 tokens through its JWKS.
 */

import * as client from 'openid-client';
import { createOidcTokenVerifier, type OidcConfig, type OidcTokenVerifier } from '@wf/runtime';
import { OidcProviderUnavailableError } from './errors';

export interface OidcSignIn {
  readonly settings: OidcConfig;
  readonly configuration: client.Configuration;
  /** the provider's RS256 tokens as bearer tokens of the API */
  readonly verifyBearer: OidcTokenVerifier;
  /** the provider's end_session_endpoint with our post-logout redirect, or null when it has none */
  endSessionUrl(): string | null;
}

/** Plain http is tolerated only for a provider on this machine (tests, a local Keycloak). */
function isLoopback(url: URL): boolean {
  return ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
}

/** Read the provider's discovery document; an unreachable or invalid provider throws (start-up fails, saying why). */
export async function discoverOidc(settings: OidcConfig): Promise<OidcSignIn> {
  const issuer = new URL(settings.issuer);
  const insecure = issuer.protocol === 'http:' && isLoopback(issuer);
  let configuration: client.Configuration;
  try {
    configuration = await client.discovery(
      issuer,
      settings.clientId,
      { redirect_uris: [settings.redirectUri], response_types: ['code'] },
      client.ClientSecretBasic(settings.clientSecret),
      insecure ? { execute: [client.allowInsecureRequests] } : {},
    );
  } catch (err) {
    throw new OidcProviderUnavailableError(`discovery at ${settings.issuer} failed (AUTH_OIDC_ISSUER): ${(err as Error).message}`);
  }
  const server = configuration.serverMetadata();
  // client_secret_basic is the default of the spec; a provider that lists only _post gets that
  const methods = server.token_endpoint_auth_methods_supported;
  if (methods && !methods.includes('client_secret_basic') && methods.includes('client_secret_post')) {
    configuration = new client.Configuration(server, settings.clientId, { redirect_uris: [settings.redirectUri] }, client.ClientSecretPost(settings.clientSecret));
    if (insecure) client.allowInsecureRequests(configuration);
  }
  if (!server.jwks_uri) throw new OidcProviderUnavailableError(`the provider at ${settings.issuer} publishes no jwks_uri`);
  const verifyBearer = createOidcTokenVerifier({ issuer: server.issuer, jwksUri: server.jwks_uri, audience: settings.audience, claims: settings.claims });
  return {
    settings,
    configuration,
    verifyBearer,
    endSessionUrl() {
      if (!server.end_session_endpoint) return null;
      return client.buildEndSessionUrl(configuration, { post_logout_redirect_uri: settings.postLogoutRedirectUri, client_id: settings.clientId }).href;
    },
  };
}
