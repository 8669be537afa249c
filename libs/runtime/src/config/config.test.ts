import { DEFAULT_EMAIL_FROM } from '@wf/handlers';
import { ConfigError, DEV_JWT_SECRET, loadConfig, withDatabase } from './config';

/** A secret of `bytes` UTF-8 bytes. */
const secretOf = (bytes: number) => 'k'.repeat(bytes);

/** The problems loadConfig reports for `env`, or a failure when it accepts it. */
function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected loadConfig to refuse the configuration');
}

describe('loadConfig defaults', () => {
  it('runs in development with the documented secret, flagged as such', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ nodeEnv: 'development', isProduction: false, jwtSecret: DEV_JWT_SECRET, usingDevSecret: true });
  });

  it('counts empty values as unset', () => {
    expect(loadConfig({ AUTH_JWT_SECRET: '', PORT: '' })).toMatchObject({ usingDevSecret: true, port: 3000 });
  });
});

describe('AUTH_JWT_SECRET in production', () => {
  const production = (secret?: string) => ({ NODE_ENV: 'production', AUTH_JWT_SECRET: secret, DATABASE_URL: 'postgres://owner@db.internal/workflow', REDIS_URL: 'redis://redis.internal:6379' });

  it('is required', () => {
    expect(problemsOf(production())).toEqual(['AUTH_JWT_SECRET: required when NODE_ENV=production']);
  });

  it('refuses the documented development secret', () => {
    expect(problemsOf(production(DEV_JWT_SECRET))).toEqual([
      'AUTH_JWT_SECRET: the documented development secret "dev-secret-change-me" is refused when NODE_ENV=production',
    ]);
  });

  it('refuses a secret of 31 bytes and takes one of 32', () => {
    expect(problemsOf(production(secretOf(31)))).toEqual([
      'AUTH_JWT_SECRET: must be at least 32 bytes when NODE_ENV=production, got 31 (generate one with: openssl rand -hex 32)',
    ]);
    expect(loadConfig(production(secretOf(32)))).toMatchObject({ isProduction: true, jwtSecret: secretOf(32), usingDevSecret: false });
  });

  it('counts bytes, not characters', () => {
    // 16 characters, each two bytes in UTF-8
    expect(loadConfig(production('é'.repeat(16))).jwtSecret).toBe('é'.repeat(16));
    expect(problemsOf(production('é'.repeat(15)))).toEqual([expect.stringContaining('got 30')]);
  });

  it('leaves development and test alone: short and development secrets are fine there', () => {
    expect(loadConfig({ NODE_ENV: 'test', AUTH_JWT_SECRET: 'test-secret' }).jwtSecret).toBe('test-secret');
    expect(loadConfig({ NODE_ENV: 'development', AUTH_JWT_SECRET: DEV_JWT_SECRET }).jwtSecret).toBe(DEV_JWT_SECRET);
  });
});

describe('every problem at once', () => {
  it('lists field problems and cross-field problems together', () => {
    const problems = problemsOf({
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://owner@db.internal/workflow',
      QUEUE_BACKEND: 'redis',
      AUTH_JWT_SECRET: 'short',
      PORT: 'eighty',
      WORKER_CONCURRENCY: '0',
      BULL_BOARD_USER: 'ops',
      SMTP_ALLOWED_FROM: 'ops@example.com, not-an-address',
    });
    // each variable's own problems in the schema's order, then those between variables
    expect(problems).toEqual([
      expect.stringMatching(/^PORT: /),
      'SMTP_ALLOWED_FROM: not an address (local@domain) or @domain: not-an-address',
      expect.stringMatching(/^WORKER_CONCURRENCY: /),
      'AUTH_JWT_SECRET: must be at least 32 bytes when NODE_ENV=production, got 5 (generate one with: openssl rand -hex 32)',
      'BULL_BOARD_USER and BULL_BOARD_PASSWORD: set both or neither',
    ]);
  });

  it('puts them all in the message of one ConfigError', () => {
    let error: unknown;
    try {
      loadConfig({ NODE_ENV: 'production', LOG_LEVEL: 'loud', BULL_BOARD_PASSWORD: 'pw' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toMatch(/^Invalid configuration:\n/);
    expect(message).toContain('  - LOG_LEVEL: ');
    expect(message).toContain('  - AUTH_JWT_SECRET: required when NODE_ENV=production');
    expect(message).toContain('  - BULL_BOARD_USER and BULL_BOARD_PASSWORD: set both or neither');
  });

  it('skips the production rules when NODE_ENV itself is wrong, rather than guess', () => {
    expect(problemsOf({ NODE_ENV: 'prod' })).toEqual([expect.stringMatching(/^NODE_ENV: /)]);
  });
});

describe('SMTP_FROM and SMTP_ALLOWED_FROM', () => {
  it('default to the built-in sender, which alone is allowed', () => {
    expect(loadConfig({})).toMatchObject({ smtpFrom: DEFAULT_EMAIL_FROM, smtpAllowedFrom: [DEFAULT_EMAIL_FROM] });
  });

  it('always allow SMTP_FROM, and keep addresses and @domain entries lower-cased', () => {
    const config = loadConfig({ SMTP_FROM: 'Workflow@Example.com', SMTP_ALLOWED_FROM: ' ops@example.com , @Partner.example ,' });
    expect(config.smtpFrom).toBe('Workflow@Example.com');
    expect(config.smtpAllowedFrom).toEqual(['workflow@example.com', 'ops@example.com', '@partner.example']);
  });

  it('refuse a sender that is not one plain address', () => {
    expect(problemsOf({ SMTP_FROM: 'Ops <ops@example.com>' })).toEqual(['SMTP_FROM: must be one address, local@domain']);
  });
});

describe('the store and the queue backend', () => {
  it('leave both to start-up in development: the default addresses, an embedded server or the postgres queues when nothing answers', () => {
    expect(loadConfig({})).toMatchObject({
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/workflow',
      databaseUrlGiven: false,
      runtimeUrl: 'postgres://workflow_runtime@127.0.0.1:5432/workflow',
      queueUrl: 'postgres://workflow_queue@127.0.0.1:5432/workflow',
      redisUrl: 'redis://127.0.0.1:6379',
      queueBackend: 'auto',
      queueBackendFrom: null,
      dataDir: '.data',
    });
  });

  it('take REDIS_URL as the choice of the redis backend, and QUEUE_BACKEND over it', () => {
    expect(loadConfig({ REDIS_URL: 'redis://cache:6379' })).toMatchObject({ queueBackend: 'redis', queueBackendFrom: 'REDIS_URL' });
    expect(loadConfig({ REDIS_URL: 'redis://cache:6379', QUEUE_BACKEND: 'postgres' })).toMatchObject({ queueBackend: 'postgres', queueBackendFrom: 'QUEUE_BACKEND' });
    expect(problemsOf({ QUEUE_BACKEND: 'kafka' })).toEqual([expect.stringMatching(/^QUEUE_BACKEND: /)]);
  });

  it('in production require DATABASE_URL and a queue backend, saying why', () => {
    const secret = 'k'.repeat(32);
    expect(problemsOf({ NODE_ENV: 'production', AUTH_JWT_SECRET: secret })).toEqual([
      'DATABASE_URL: required when NODE_ENV=production (the embedded PostgreSQL is for development only)',
      'QUEUE_BACKEND: required when NODE_ENV=production unless REDIS_URL is set (redis, or postgres for the queues in the database)',
    ]);
    expect(loadConfig({ NODE_ENV: 'production', AUTH_JWT_SECRET: secret, DATABASE_URL: 'postgres://o@db/w', QUEUE_BACKEND: 'postgres' })).toMatchObject({ queueBackend: 'postgres' });
    expect(loadConfig({ NODE_ENV: 'production', AUTH_JWT_SECRET: secret, DATABASE_URL: 'postgres://o@db/w', REDIS_URL: 'redis://r:6379' })).toMatchObject({ queueBackend: 'redis' });
  });

  it('run the embedded server as WORKFLOW_EMBEDDED_POSTGRES says, never beside DATABASE_URL nor in production', () => {
    expect(loadConfig({}).embeddedPostgres).toBe('auto');
    expect(loadConfig({ WORKFLOW_EMBEDDED_POSTGRES: 'true' }).embeddedPostgres).toBe('always');
    expect(loadConfig({ WORKFLOW_EMBEDDED_POSTGRES: 'false' }).embeddedPostgres).toBe('never');
    expect(problemsOf({ WORKFLOW_EMBEDDED_POSTGRES: 'true', DATABASE_URL: 'postgres://o@db/w' })).toEqual([
      'WORKFLOW_EMBEDDED_POSTGRES=true and DATABASE_URL: set one or the other (the embedded server has its own address)',
    ]);
    expect(problemsOf({ NODE_ENV: 'production', AUTH_JWT_SECRET: 'k'.repeat(32), QUEUE_BACKEND: 'redis', WORKFLOW_EMBEDDED_POSTGRES: 'true' })).toEqual([
      'DATABASE_URL: required when NODE_ENV=production (the embedded PostgreSQL is for development only)',
      'WORKFLOW_EMBEDDED_POSTGRES: the embedded PostgreSQL never runs when NODE_ENV=production',
    ]);
  });

  it('derive every login from an embedded server\'s URL as from a DATABASE_URL given alone', () => {
    const config = withDatabase(loadConfig({}), 'postgres://postgres@127.0.0.1:54999/workflow');
    expect(config).toMatchObject({
      migrationUrl: 'postgres://postgres@127.0.0.1:54999/workflow',
      runtimeUrl: 'postgres://workflow_runtime@127.0.0.1:54999/workflow',
      queryUrl: 'postgres://workflow_query@127.0.0.1:54999/workflow',
      queueUrl: 'postgres://workflow_queue@127.0.0.1:54999/workflow',
    });
  });
});

describe('GRAPHQL_INTROSPECTION', () => {
  const production = { NODE_ENV: 'production', AUTH_JWT_SECRET: 'k'.repeat(32), DATABASE_URL: 'postgres://o@db/w', REDIS_URL: 'redis://r:6379' };

  it('is on outside production and off in it, unless set', () => {
    expect(loadConfig({}).graphqlIntrospection).toBe(true);
    expect(loadConfig(production).graphqlIntrospection).toBe(false);
    expect(loadConfig({ ...production, GRAPHQL_INTROSPECTION: 'true' }).graphqlIntrospection).toBe(true);
    expect(loadConfig({ GRAPHQL_INTROSPECTION: 'false' }).graphqlIntrospection).toBe(false);
  });
});

describe('web sign-in settings', () => {
  const oidc = { AUTH_OIDC_ISSUER: 'https://login.example.com/realms/acme', AUTH_OIDC_CLIENT_ID: 'workflow-web', AUTH_OIDC_CLIENT_SECRET: 's3cret' };

  it('have no OIDC by default, dev sign-in outside production, 8-hour sessions', () => {
    const config = loadConfig({});
    expect(config.oidc).toBeNull();
    expect(config.devSignIn).toBe(true);
    expect(config.webSessionHours).toBe(8);
    expect(loadConfig({ NODE_ENV: 'production', AUTH_JWT_SECRET: secretOf(32), DATABASE_URL: 'postgres://db/x', QUEUE_BACKEND: 'redis' }).devSignIn).toBe(false);
  });

  it('refuse dev sign-in in production', () => {
    expect(problemsOf({ NODE_ENV: 'production', AUTH_JWT_SECRET: secretOf(32), DATABASE_URL: 'postgres://db/x', QUEUE_BACKEND: 'redis', AUTH_DEV_SIGN_IN: 'true' })).toEqual([
      'AUTH_DEV_SIGN_IN: the development sign-in (anyone signs in as anyone) is refused when NODE_ENV=production',
    ]);
  });

  it('take the OIDC settings whole, with their defaults and the redirect URI under PUBLIC_URL', () => {
    expect(loadConfig({ ...oidc, PUBLIC_URL: 'https://wf.example.com/' }).oidc).toEqual({
      issuer: oidc.AUTH_OIDC_ISSUER,
      clientId: 'workflow-web',
      clientSecret: 's3cret',
      scopes: 'openid profile email',
      claims: { tenant: 'tenant', roles: 'roles', user: 'sub' },
      audience: 'workflow-web',
      redirectUri: 'https://wf.example.com/workflows/auth/oidc/callback',
      postLogoutRedirectUri: 'https://wf.example.com/workflows/',
    });
    const custom = loadConfig({ ...oidc, AUTH_OIDC_ROLES_CLAIM: 'realm_access.roles', AUTH_OIDC_AUDIENCE: 'workflow-api', AUTH_OIDC_SCOPES: 'openid  email' }).oidc;
    expect(custom).toMatchObject({ claims: { roles: 'realm_access.roles' }, audience: 'workflow-api', scopes: 'openid email' });
  });

  it('refuse half of the client settings, listing what is missing', () => {
    expect(problemsOf({ AUTH_OIDC_ISSUER: oidc.AUTH_OIDC_ISSUER })).toEqual([
      'AUTH_OIDC_CLIENT_ID, AUTH_OIDC_CLIENT_SECRET: required with AUTH_OIDC_ISSUER (OIDC sign-in needs the issuer, the client id and its secret)',
    ]);
    expect(problemsOf({ AUTH_OIDC_CLIENT_ID: 'x', AUTH_OIDC_CLIENT_SECRET: 'y' })).toEqual([
      'AUTH_OIDC_ISSUER: required with AUTH_OIDC_CLIENT_ID and AUTH_OIDC_CLIENT_SECRET (OIDC sign-in needs the issuer, the client id and its secret)',
    ]);
    expect(problemsOf({ ...oidc, AUTH_OIDC_SCOPES: 'profile email', WEB_SESSION_HOURS: '0' }).map((p) => p.split(':')[0])).toEqual(['AUTH_OIDC_SCOPES', 'WEB_SESSION_HOURS']);
  });
});
