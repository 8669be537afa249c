/**
 * Configuration: one zod schema over the environment, parsed once at start-up. Every problem is
 * listed at once, and the process refuses to start. No `process.env` outside this module.
 */

import { z } from 'zod';
import { DEFAULT_EMAIL_FROM } from '@wf/handlers';

export const DEV_JWT_SECRET = 'dev-secret-change-me';
export const DEV_TENANT_ID = '00000000-0000-0000-0000-000000000001';
/** Shortest AUTH_JWT_SECRET production accepts, in UTF-8 bytes (HS256's key should be at least its 256-bit output). */
export const MIN_PRODUCTION_JWT_SECRET_BYTES = 32;
/** The sender of `email_send` messages when SMTP_FROM is unset. */

/** One mailbox, `local@domain`, without a display name. */
const MAILBOX = /^[^\s@<>,;"()]+@[^\s@<>,;"()]+$/;
/** An SMTP_ALLOWED_FROM entry: a mailbox, or `@domain` for every mailbox of that domain. */
const ALLOWED_FROM_ENTRY = /^(?:[^\s@<>,;"()]+)?@[^\s@<>,;"()]+$/;

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'])
  .transform((v) => ['true', '1', 'yes', 'on'].includes(v));
const int = (min: number) => z.coerce.number().int().min(min);
const num = (min: number) => z.coerce.number().min(min);
const list = z
  .string()
  .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean));

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /**
   * where the database is. Without DATABASE_MIGRATION_URL it is also the owner login that creates
   * the database and migrates it. Unset: postgres://postgres@127.0.0.1:5432/workflow when a
   * Postgres answers there, else an embedded PostgreSQL (not in production, which requires it)
   */
  DATABASE_URL: z.url().optional(),
  /** the owner login for migrations; when set, DATABASE_URL is the runtime's own login */
  DATABASE_MIGRATION_URL: z.url().optional(),
  /** the runtime's login (owns nothing); default DATABASE_URL's address as workflow_runtime */
  DATABASE_RUNTIME_URL: z.url().optional(),
  /** the login of database_query steps; default the runtime's address as workflow_query */
  DATABASE_QUERY_URL: z.url().optional(),
  /** the PostgreSQL queue backend's login; default the runtime's address as workflow_queue */
  DATABASE_QUEUE_URL: z.url().optional(),
  /** where the embedded PostgreSQL keeps its data (`<dir>/postgres`), default `.data` under the working directory */
  WORKFLOW_DATA_DIR: z.string().min(1).optional(),
  /**
   * true: run the embedded PostgreSQL even when one answers on 127.0.0.1:5432; false: never run
   * it. Unset: run it when DATABASE_URL is not set and nothing answers there
   */
  WORKFLOW_EMBEDDED_POSTGRES: bool.optional(),
  /** create the database and apply pending migrations at start-up, default true */
  DATABASE_MIGRATE_ON_START: bool.default(true),
  /** rows a database_query step may return (more fails the node), default 1000 */
  DATABASE_QUERY_MAX_ROWS: int(1).max(100_000).default(1000),
  /** the Redis of the redis queue backend, default redis://127.0.0.1:6379 */
  REDIS_URL: z.url().optional(),
  /**
   * redis or postgres (BullMQ's PostgreSQL backend in the engine's database). Unset: redis when
   * REDIS_URL is set or a Redis answers on 127.0.0.1:6379, else postgres (production requires
   * this or REDIS_URL)
   */
  QUEUE_BACKEND: z.enum(['redis', 'postgres']).optional(),
  /** prefix of every BullMQ key (lets several engines share one Redis), default `wf` */
  QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_-]+$/).default('wf'),
  PORT: int(0).max(65535).default(3000),
  /** processes without the api role serve /metrics on this port when it is set */
  METRICS_PORT: int(0).max(65535).optional(),
  /**
   * HS256 secret of bearer tokens. NODE_ENV=production requires one of at least 32 bytes that is
   * not the documented development secret; elsewhere the default is that secret, with a warning
   */
  AUTH_JWT_SECRET: z.string().min(1).optional(),
  WORKFLOW_DEFAULT_SLA_HOURS: num(0).default(48),
  WORKFLOW_ESCALATION_ENABLED: bool.default(true),
  WORKFLOW_MAX_RETRIES: int(0).max(100).default(3),
  WORKFLOW_RETRY_BACKOFF_MS: int(0).default(1000),
  MAX_BODY_BYTES: int(1024).default(1048576),
  RATE_LIMIT_PER_MINUTE: int(0).default(1200),
  BULL_BOARD_USER: z.string().min(1).optional(),
  BULL_BOARD_PASSWORD: z.string().min(1).optional(),
  SMTP_URL: z.string().min(1).optional(),
  /** sender of email_send messages whose node gives no `from`, default workflow-engine@localhost; always allowed */
  SMTP_FROM: z.string().regex(MAILBOX, { error: 'must be one address, local@domain' }).default(DEFAULT_EMAIL_FROM),
  /** the `from` an email_send node may use: addresses and `@domain` entries, default just SMTP_FROM */
  SMTP_ALLOWED_FROM: list
    .superRefine((entries, ctx) => {
      const bad = entries.filter((entry) => !ALLOWED_FROM_ENTRY.test(entry));
      if (bad.length > 0) ctx.addIssue({ code: 'custom', message: `not an address (local@domain) or @domain: ${bad.join(', ')}` });
    })
    .optional(),
  /**
   * the engine's address as a mail reader's browser reaches it (approval mails link to it), default
   * http://localhost:PORT
   */
  PUBLIC_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  /** how a user id becomes the address approval mails go to: `{userId}` is replaced, default `{userId}` */
  WORKFLOW_EMAIL_ADDRESS_TEMPLATE: z.string().refine((v) => v.includes('{userId}'), { error: 'must contain {userId}' }).default('{userId}'),
  /** hours an approve or reject link of an approval mail stays usable, default 72 */
  EMAIL_ACTION_TTL_HOURS: num(0.1).max(24 * 90).default(72),
  WORKFLOW_HANDLER_MODULES: list.default([]),
  WORKFLOW_MAX_STEPS_PER_INSTANCE: int(1).default(1000),
  WORKFLOW_MAX_SUBWORKFLOW_DEPTH: int(1).default(10),
  /** instances one tree (a root and all its sub-workflows) may hold, default 100 */
  WORKFLOW_MAX_INSTANCES_PER_TREE: int(1).max(100_000).default(100),
  WORKFLOW_RECONCILE_AFTER_SECONDS: num(1).default(30),
  /** ms an I/O service step holds its lease, renewed every third of it while the handler runs; default 10000, the job lock's length, so a dead worker's redelivered job finds the lease run out */
  WORKFLOW_STEP_LEASE_MS: int(1000).default(10000),
  DB_POOL_SIZE: int(1).max(500).default(10),
  DB_STATEMENT_TIMEOUT_MS: int(100).default(10000),
  /** a transaction left idle this long (a frozen process) is ended by Postgres, releasing its locks, default 5000 */
  DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: int(100).default(5000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  WORKFLOW_HISTORY_RETENTION_DAYS: int(1).default(3650),
  TASK_QUEUE_REFRESH_INTERVAL_SECONDS: num(1).default(60),
  TASK_QUEUE_URGENT_THRESHOLD_HOURS: num(0).default(4),
  HTTP_CALL_ALLOWED_HOSTS: list.default([]),
  /** ms a worker's job lock lasts without renewal; a killed worker's job is retried after it, default 10000 */
  WORKER_LOCK_DURATION_MS: int(1000).default(10000),
  /** worker concurrency per process, default 8 */
  WORKER_CONCURRENCY: int(1).max(1000).default(8),
  /** node jobs one tenant may run at once in one worker process (over it a job is deferred); default half the concurrency (at least 1) */
  WORKER_TENANT_CONCURRENCY: int(1).max(1000).optional(),
  /** seed the sample workflow and print a dev token at start-up (default: on in development) */
  SEED_SAMPLE_WORKFLOW: bool.optional(),
  /** GraphQL introspection and the GraphiQL playground at /graphql (default: on unless NODE_ENV=production) */
  GRAPHQL_INTROSPECTION: bool.optional(),
  /** the OpenID provider the web app signs in with (its discovery document is read at start-up); unset: no OIDC sign-in */
  AUTH_OIDC_ISSUER: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  AUTH_OIDC_CLIENT_ID: z.string().min(1).optional(),
  AUTH_OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  /** scopes the sign-in asks for, space-separated, default `openid profile email` */
  AUTH_OIDC_SCOPES: z.string().refine((v) => v.split(/\s+/).includes('openid'), { error: 'must include openid' }).default('openid profile email'),
  /** the claim naming the tenant (a UUID): a name or a dotted path, default `tenant` */
  AUTH_OIDC_TENANT_CLAIM: z.string().min(1).default('tenant'),
  /** the claim listing the roles: a name or a dotted path (`realm_access.roles`), default `roles` */
  AUTH_OIDC_ROLES_CLAIM: z.string().min(1).default('roles'),
  /** the claim that is the user id, default `sub` */
  AUTH_OIDC_USER_CLAIM: z.string().min(1).default('sub'),
  /** the `aud` the provider's RS256 API tokens must carry, default AUTH_OIDC_CLIENT_ID */
  AUTH_OIDC_AUDIENCE: z.string().min(1).optional(),
  /** the one-click sign-in as a development person at /workflows (default: on unless NODE_ENV=production, where it is refused) */
  AUTH_DEV_SIGN_IN: bool.optional(),
  /** hours a web app session lasts, default 8 */
  WEB_SESSION_HOURS: num(0.05).max(24 * 30).default(8),
});


/** The login roles the migrations create (libs/db RUNTIME_LOGIN and QUERY_LOGIN). */
const RUNTIME_LOGIN = 'workflow_runtime';
const QUERY_LOGIN = 'workflow_query';
const QUEUE_LOGIN = 'workflow_queue';

/** Where the engine looks for a Postgres and a Redis when it is not told. */
export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/workflow';
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** `url` with another user and no password: the derived logins of a trust-authenticated setup. */
export function withLogin(url: string, user: string): string {
  const u = new URL(url);
  u.username = user;
  u.password = '';
  return u.toString();
}

/**
 * Who logs in for what. With DATABASE_MIGRATION_URL, DATABASE_URL is the runtime's login;
 * without it, DATABASE_URL is the owner's and the runtime logs in at its address as
 * workflow_runtime. database_query steps log in as workflow_query unless told otherwise.
 */
interface DatabaseLogins {
  /** the owner login migrations run with: DATABASE_MIGRATION_URL, else DATABASE_URL */
  readonly migrationUrl: string;
  /** the login of every pool that serves requests, steps and sweeps (never an owner) */
  readonly runtimeUrl: string;
  /** the login of database_query steps (no rights on the engine's tables) */
  readonly queryUrl: string;
  /** the login of the PostgreSQL queue backend (the `bullmq` schema only) */
  readonly queueUrl: string;
}

interface DatabaseEnv {
  DATABASE_URL?: string | undefined;
  DATABASE_MIGRATION_URL?: string | undefined;
  DATABASE_RUNTIME_URL?: string | undefined;
  DATABASE_QUERY_URL?: string | undefined;
  DATABASE_QUEUE_URL?: string | undefined;
}

function databaseLogins(e: DatabaseEnv): DatabaseLogins {
  const url = e.DATABASE_URL ?? DEFAULT_DATABASE_URL;
  const migrationUrl = e.DATABASE_MIGRATION_URL ?? url;
  const runtimeUrl = e.DATABASE_RUNTIME_URL ?? (e.DATABASE_MIGRATION_URL ? url : withLogin(url, RUNTIME_LOGIN));
  const queryUrl = e.DATABASE_QUERY_URL ?? withLogin(runtimeUrl, QUERY_LOGIN);
  const queueUrl = e.DATABASE_QUEUE_URL ?? withLogin(runtimeUrl, QUEUE_LOGIN);
  return { migrationUrl, runtimeUrl, queryUrl, queueUrl };
}

/**
 * `config` pointed at another database (the embedded server start-up found): every login is
 * derived from `url` as for a DATABASE_URL given alone.
 */
export function withDatabase(config: Config, url: string): Config {
  return { ...config, databaseUrl: url, ...databaseLogins({ DATABASE_URL: url }) };
}

/** `config` with its queue backend decided (start-up decides it when QUEUE_BACKEND is unset). */
export function withQueueBackend(config: Config, backend: QueueBackendChoice): Config {
  return { ...config, queueBackend: backend };
}

export type QueueBackendChoice = 'redis' | 'postgres';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = z.infer<typeof envSchema>;

/**
 * Each variable on its own, keeping those that parse: the cross-field checks still run (and
 * report) when some other variable is wrong.
 */
function validFields(env: Record<string, string>): Partial<Env> {
  const valid: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(envSchema.shape)) {
    const result = (schema as z.ZodType).safeParse(env[key]);
    if (result.success) valid[key] = result.data;
  }
  return valid as Partial<Env>;
}

/**
 * What no single variable shows. `failed` names the variables already reported, whose checks
 * here are skipped rather than reported twice (an invalid AUTH_JWT_SECRET is not also missing).
 */
function crossFieldProblems(e: Partial<Env>, failed: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  if (e.NODE_ENV === 'production' && !failed.has('AUTH_JWT_SECRET')) {
    const secret = e.AUTH_JWT_SECRET;
    if (secret === undefined) {
      problems.push('AUTH_JWT_SECRET: required when NODE_ENV=production');
    } else if (secret === DEV_JWT_SECRET) {
      problems.push(`AUTH_JWT_SECRET: the documented development secret "${DEV_JWT_SECRET}" is refused when NODE_ENV=production`);
    } else if (Buffer.byteLength(secret, 'utf8') < MIN_PRODUCTION_JWT_SECRET_BYTES) {
      problems.push(
        `AUTH_JWT_SECRET: must be at least ${MIN_PRODUCTION_JWT_SECRET_BYTES} bytes when NODE_ENV=production, got ${Buffer.byteLength(secret, 'utf8')} (generate one with: openssl rand -hex 32)`,
      );
    }
  }
  // the embedded server and the queue backend's guess are for a laptop, never for production
  if (e.NODE_ENV === 'production') {
    if (e.DATABASE_URL === undefined && e.DATABASE_MIGRATION_URL === undefined && !failed.has('DATABASE_URL')) {
      problems.push('DATABASE_URL: required when NODE_ENV=production (the embedded PostgreSQL is for development only)');
    }
    if (e.WORKFLOW_EMBEDDED_POSTGRES === true) problems.push('WORKFLOW_EMBEDDED_POSTGRES: the embedded PostgreSQL never runs when NODE_ENV=production');
    if (e.QUEUE_BACKEND === undefined && e.REDIS_URL === undefined && !failed.has('QUEUE_BACKEND') && !failed.has('REDIS_URL')) {
      problems.push('QUEUE_BACKEND: required when NODE_ENV=production unless REDIS_URL is set (redis, or postgres for the queues in the database)');
    }
  }
  if (e.WORKFLOW_EMBEDDED_POSTGRES === true && [e.DATABASE_URL, e.DATABASE_MIGRATION_URL, e.DATABASE_RUNTIME_URL].some((v) => v !== undefined)) {
    problems.push('WORKFLOW_EMBEDDED_POSTGRES=true and DATABASE_URL: set one or the other (the embedded server has its own address)');
  }
  if (!failed.has('BULL_BOARD_USER') && !failed.has('BULL_BOARD_PASSWORD') && Boolean(e.BULL_BOARD_USER) !== Boolean(e.BULL_BOARD_PASSWORD)) {
    problems.push('BULL_BOARD_USER and BULL_BOARD_PASSWORD: set both or neither');
  }
  problems.push(...oidcProblems(e, failed));
  if (e.NODE_ENV === 'production' && e.AUTH_DEV_SIGN_IN === true) {
    problems.push('AUTH_DEV_SIGN_IN: the development sign-in (anyone signs in as anyone) is refused when NODE_ENV=production');
  }
  return problems;
}

const OIDC_CLIENT_SETTINGS = ['AUTH_OIDC_ISSUER', 'AUTH_OIDC_CLIENT_ID', 'AUTH_OIDC_CLIENT_SECRET'] as const;

/** OIDC sign-in needs the issuer, the client id and its secret together: half of them is a mistake, not "off". */
function oidcProblems(e: Partial<Env>, failed: ReadonlySet<string>): string[] {
  if (OIDC_CLIENT_SETTINGS.some((name) => failed.has(name))) return [];
  const missing = OIDC_CLIENT_SETTINGS.filter((name) => e[name] === undefined);
  if (missing.length === 0 || missing.length === OIDC_CLIENT_SETTINGS.length) return [];
  return [`${missing.join(', ')}: required with ${OIDC_CLIENT_SETTINGS.filter((name) => !missing.includes(name)).join(' and ')} (OIDC sign-in needs the issuer, the client id and its secret)`];
}

/**
 * Parse the environment (empty strings count as unset). Throws ConfigError listing every
 * problem, each variable's own and those between variables, at once.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''));
  const parsed = envSchema.safeParse(cleaned);
  const issues = parsed.success ? [] : parsed.error.issues;
  const failed = new Set(issues.map((i) => String(i.path[0] ?? '')));
  const problems = [
    ...issues.map((i) => `${i.path.join('.')}: ${i.message}`),
    ...crossFieldProblems(parsed.success ? parsed.data : validFields(cleaned), failed),
  ];
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  return configOf(parsed.data);
}

/** Every setting's name: the variables this module reads (tools that clear an inherited environment use it). */
export const CONFIG_SETTING_NAMES: readonly string[] = Object.freeze(Object.keys(envSchema.shape));

/**
 * The configuration the processes use, from the parsed environment. `Config` is this function's
 * result type, so each setting is written once here and its default once in the schema.
 */
function configOf(e: Env) {
  const isProduction = e.NODE_ENV === 'production';
  return {
    nodeEnv: e.NODE_ENV,
    isProduction,
    /** DATABASE_URL as given, else the default address (start-up may replace it by an embedded server's) */
    databaseUrl: e.DATABASE_URL ?? DEFAULT_DATABASE_URL,
    /** whether any DATABASE_*_URL was set: if none was, start-up may run an embedded PostgreSQL */
    databaseUrlGiven: [e.DATABASE_URL, e.DATABASE_MIGRATION_URL, e.DATABASE_RUNTIME_URL].some((v) => v !== undefined),
    ...databaseLogins(e),
    /** WORKFLOW_DATA_DIR: the embedded PostgreSQL's data is in `<dataDir>/postgres` */
    dataDir: e.WORKFLOW_DATA_DIR ?? '.data',
    /** WORKFLOW_EMBEDDED_POSTGRES: 'auto' runs it only when no DATABASE_URL is set and nothing answers on 5432 */
    embeddedPostgres: (e.WORKFLOW_EMBEDDED_POSTGRES === undefined ? 'auto' : e.WORKFLOW_EMBEDDED_POSTGRES ? 'always' : 'never') as 'auto' | 'always' | 'never',
    migrateOnStart: e.DATABASE_MIGRATE_ON_START,
    queryMaxRows: e.DATABASE_QUERY_MAX_ROWS,
    redisUrl: e.REDIS_URL ?? DEFAULT_REDIS_URL,
    /** QUEUE_BACKEND; 'auto' until start-up decides (REDIS_URL set means redis) */
    queueBackend: (e.QUEUE_BACKEND ?? (e.REDIS_URL !== undefined ? 'redis' : 'auto')) as QueueBackendChoice | 'auto',
    /** what decided the queue backend, for the start-up log: a variable, or null when start-up guesses */
    queueBackendFrom: e.QUEUE_BACKEND !== undefined ? 'QUEUE_BACKEND' : e.REDIS_URL !== undefined ? 'REDIS_URL' : null,
    queuePrefix: e.QUEUE_PREFIX,
    port: e.PORT,
    /** METRICS_PORT: /metrics for processes without the api role; null means none */
    metricsPort: e.METRICS_PORT ?? null,
    jwtSecret: e.AUTH_JWT_SECRET ?? DEV_JWT_SECRET,
    /** true when the documented development secret is in use */
    usingDevSecret: !e.AUTH_JWT_SECRET,
    defaultSlaHours: e.WORKFLOW_DEFAULT_SLA_HOURS,
    escalationEnabled: e.WORKFLOW_ESCALATION_ENABLED,
    maxRetries: e.WORKFLOW_MAX_RETRIES,
    retryBackoffMs: e.WORKFLOW_RETRY_BACKOFF_MS,
    maxBodyBytes: e.MAX_BODY_BYTES,
    rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
    bullBoard: e.BULL_BOARD_USER && e.BULL_BOARD_PASSWORD ? { user: e.BULL_BOARD_USER, password: e.BULL_BOARD_PASSWORD } : null,
    smtpUrl: e.SMTP_URL ?? null,
    /** SMTP_FROM: the sender when a node names none */
    smtpFrom: e.SMTP_FROM,
    /** SMTP_ALLOWED_FROM, lower-cased, SMTP_FROM always among them: addresses and `@domain` entries */
    smtpAllowedFrom: [...new Set([e.SMTP_FROM, ...(e.SMTP_ALLOWED_FROM ?? [])].map((entry) => entry.toLowerCase()))],
    /** PUBLIC_URL without a trailing slash: the links of approval mails start with it */
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    /** WORKFLOW_EMAIL_ADDRESS_TEMPLATE: `{userId}` replaced gives a user's address (one without `@` is not mailed) */
    emailAddressTemplate: e.WORKFLOW_EMAIL_ADDRESS_TEMPLATE,
    /** EMAIL_ACTION_TTL_HOURS: how long an approval mail's links work */
    emailActionTtlHours: e.EMAIL_ACTION_TTL_HOURS,
    handlerModules: e.WORKFLOW_HANDLER_MODULES,
    maxStepsPerInstance: e.WORKFLOW_MAX_STEPS_PER_INSTANCE,
    maxSubworkflowDepth: e.WORKFLOW_MAX_SUBWORKFLOW_DEPTH,
    maxInstancesPerTree: e.WORKFLOW_MAX_INSTANCES_PER_TREE,
    reconcileAfterSeconds: e.WORKFLOW_RECONCILE_AFTER_SECONDS,
    stepLeaseMs: e.WORKFLOW_STEP_LEASE_MS,
    dbPoolSize: e.DB_POOL_SIZE,
    dbStatementTimeoutMs: e.DB_STATEMENT_TIMEOUT_MS,
    dbIdleInTransactionTimeoutMs: e.DB_IDLE_IN_TRANSACTION_TIMEOUT_MS,
    logLevel: e.LOG_LEVEL,
    historyRetentionDays: e.WORKFLOW_HISTORY_RETENTION_DAYS,
    taskQueueRefreshIntervalSeconds: e.TASK_QUEUE_REFRESH_INTERVAL_SECONDS,
    urgentThresholdHours: e.TASK_QUEUE_URGENT_THRESHOLD_HOURS,
    httpCallAllowedHosts: e.HTTP_CALL_ALLOWED_HOSTS,
    workerConcurrency: e.WORKER_CONCURRENCY,
    /** node jobs of one tenant running at once in one worker; over it a job is deferred */
    workerTenantConcurrency: e.WORKER_TENANT_CONCURRENCY ?? Math.max(1, Math.floor(e.WORKER_CONCURRENCY / 2)),
    workerLockDurationMs: e.WORKER_LOCK_DURATION_MS,
    seedSampleWorkflow: e.SEED_SAMPLE_WORKFLOW ?? e.NODE_ENV === 'development',
    /** GRAPHQL_INTROSPECTION: schema introspection and the playground; off in production unless set */
    graphqlIntrospection: e.GRAPHQL_INTROSPECTION ?? !isProduction,
    /** AUTH_OIDC_*: the web app's OpenID Connect sign-in and the provider's RS256 API tokens; null without an issuer */
    oidc: oidcOf(e),
    /** AUTH_DEV_SIGN_IN: one-click sign-in as a development person (never in production) */
    devSignIn: e.AUTH_DEV_SIGN_IN ?? !isProduction,
    /** WEB_SESSION_HOURS: how long a web app session lasts */
    webSessionHours: e.WEB_SESSION_HOURS,
  };
}

/** The OIDC settings, whole or not at all (crossFieldProblems refuses half of them). */
function oidcOf(e: Env) {
  if (e.AUTH_OIDC_ISSUER === undefined || e.AUTH_OIDC_CLIENT_ID === undefined || e.AUTH_OIDC_CLIENT_SECRET === undefined) return null;
  const publicUrl = (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '');
  return {
    issuer: e.AUTH_OIDC_ISSUER,
    clientId: e.AUTH_OIDC_CLIENT_ID,
    clientSecret: e.AUTH_OIDC_CLIENT_SECRET,
    scopes: e.AUTH_OIDC_SCOPES.split(/\s+/).filter(Boolean).join(' '),
    /** where claims are read from; each a name or a dotted path */
    claims: { tenant: e.AUTH_OIDC_TENANT_CLAIM, roles: e.AUTH_OIDC_ROLES_CLAIM, user: e.AUTH_OIDC_USER_CLAIM },
    /** the `aud` RS256 API tokens must carry */
    audience: e.AUTH_OIDC_AUDIENCE ?? e.AUTH_OIDC_CLIENT_ID,
    /** registered at the provider as the client's redirect URI */
    redirectUri: `${publicUrl}/workflows/auth/oidc/callback`,
    /** registered at the provider as a post-logout redirect URI */
    postLogoutRedirectUri: `${publicUrl}/workflows/`,
  };
}

export type OidcConfig = NonNullable<ReturnType<typeof oidcOf>>;

export type Config = ReturnType<typeof configOf>;
