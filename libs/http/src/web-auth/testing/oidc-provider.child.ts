/**
 * A real OpenID provider (the `oidc-provider` package) for the web sign-in's integration test,
 * run in a child process: the package is ESM-only and runs as-is under `node --import tsx`,
 * where jest would have to transform it and its dependencies. Its settings come as JSON in
 * argv[2]; it listens on a loopback port and prints `READY <issuer>` once it answers.
 *
 * - one confidential client (client_secret_basic or _post), PKCE required, the web app's redirect
 *   and post-logout URIs;
 * - the development login form (`devInteractions`: any login, any password), with consent given
 *   automatically (`loadExistingGrant`);
 * - accounts named by their login, with the claims the settings give them (tenant, roles), in
 *   the id_token too (`conformIdTokenClaims: false`);
 * - `client_credentials` with a resource indicator: an RS256 JWT access token whose tenant and
 *   roles come from the settings' `serviceClaims`.
 */

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';

export interface ChildProviderSettings {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  postLogoutRedirectUri: string;
  /** claims of each account, by login; a login not listed signs in with no claims beyond `sub` */
  accounts: Record<string, Record<string, unknown>>;
  /** the resource (audience) of client_credentials JWT access tokens */
  resource: string;
  serviceClaims: Record<string, unknown>;
}

interface Ctx {
  oidc: { client?: { clientId: string }; session?: { accountId?: string; grantIdFor(clientId: string): string | undefined }; result?: { consent?: { grantId?: string } }; params?: Record<string, unknown>; provider: ProviderInstance };
}
interface GrantInstance {
  addOIDCScope(scope: string): void;
  addOIDCClaims(claims: string[]): void;
  addResourceScope(resource: string, scope: string): void;
  save(): Promise<string>;
}
interface ProviderInstance {
  Grant: { new (init: { clientId: string; accountId: string }): GrantInstance; find(id: string): Promise<GrantInstance | undefined> };
  callback(): (req: unknown, res: unknown) => void;
}

async function main(): Promise<void> {
  const settings = JSON.parse(process.argv[2] ?? '{}') as ChildProviderSettings;
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const signingKey = { ...(await exportJWK(privateKey)), alg: 'RS256', use: 'sig', kid: 'test-key-1' };
  // the package ships no types: a specifier in a variable keeps TypeScript from asking for them
  const specifier = 'oidc-provider';
  const { default: Provider } = (await import(specifier)) as { default: new (issuer: string, config: unknown) => ProviderInstance };
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: settings.clientId,
        client_secret: settings.clientSecret,
        redirect_uris: [settings.redirectUri],
        post_logout_redirect_uris: [settings.postLogoutRedirectUri],
        grant_types: ['authorization_code', 'client_credentials'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    jwks: { keys: [signingKey] },
    cookies: { keys: ['oidc-provider-test-cookie-key'] },
    pkce: { required: () => true },
    claims: { openid: ['sub', 'tenant', 'roles', 'realm_access'], email: ['email'], profile: ['name'] },
    conformIdTokenClaims: false,
    findAccount: (_ctx: Ctx, id: string) => ({ accountId: id, claims: () => ({ sub: id, ...(settings.accounts[id] ?? {}) }) }),
    // consent is given without asking: the test signs in, it does not review scopes
    async loadExistingGrant(ctx: Ctx) {
      const clientId = ctx.oidc.client?.clientId ?? '';
      const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session?.grantIdFor(clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({ clientId, accountId: ctx.oidc.session?.accountId ?? '' });
      grant.addOIDCScope('openid profile email');
      grant.addOIDCClaims(['tenant', 'roles', 'realm_access']);
      await grant.save();
      return grant;
    },
    features: {
      devInteractions: { enabled: true },
      clientCredentials: { enabled: true },
      rpInitiatedLogout: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => undefined,
        useGrantedResource: () => false,
        getResourceServerInfo: () => ({ scope: 'api', audience: settings.resource, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } }),
      },
    },
    extraTokenClaims: (_ctx: Ctx, token: { kind: string }) => (token.kind === 'ClientCredentials' ? settings.serviceClaims : undefined),
  });
  server.on('request', provider.callback());
  process.stdout.write(`READY ${issuer}\n`);
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
