/**
 * The database half of `npm run health`: does the connected database hold what migration 0001
 * creates (tables, security_invoker views, forced row-level security with policies, indexes,
 * triggers, extensions, the non-owner role), is every migration applied, and optionally is the
 * sample workflow seeded. Each check reads the catalogs and names exactly what is missing, so an
 * operator can act on a failed line without opening psql.
 */

import type { Pool } from 'pg';
import { inTransaction } from '../store/pg-checkout';
import { MIGRATIONS_TABLE } from '../data-source';
import { MIGRATIONS } from '../migrations';
import { APP_ROLE, SWEEPER_ROLE, loginProblems, type LoginKind } from '../roles/login-roles';

/** One line of the health report. */
export interface HealthCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface SchemaHealthOptions {
  /**
   * When set, check that this tenant has an active definition of this name (read as
   * workflow_app in the tenant's own transaction, as RLS requires). Default: not checked.
   */
  readonly sampleWorkflow?: { readonly tenantId: string; readonly name: string } | null;
}


// What the migrations create, written out from the SQL (0001, with 0003's unique keys). A new
// migration that adds or renames one of these updates the list here too, or the health check
// reports it missing.

const TABLES = [
  'workflow_definitions', 'workflow_instances', 'workflow_instance_nodes', 'workflow_instance_history',
  'workflow_deputies', 'workflow_email_actions', 'workflow_messages', 'workflow_calendars',
  'workflow_saved_views',
] as const;

const VIEWS = ['v_user_task_queue', 'v_workflow_analytics'] as const;

/** index -> its table: primary keys and unique constraints too (they are the idempotency authority). */
const INDEXES: Readonly<Record<string, string>> = {
  workflow_definitions_pkey: 'workflow_definitions',
  uq_workflow_definitions_name_version: 'workflow_definitions',
  uq_workflow_definitions_id_tenant: 'workflow_definitions',
  idx_workflow_definitions_tenant: 'workflow_definitions',
  idx_workflow_definitions_active_name: 'workflow_definitions',

  workflow_instances_pkey: 'workflow_instances',
  uq_workflow_instances_idempotency: 'workflow_instances',
  uq_workflow_instances_id_tenant: 'workflow_instances',
  idx_workflow_instances_sla: 'workflow_instances',
  idx_workflow_instances_tenant_started: 'workflow_instances',
  idx_workflow_instances_definition: 'workflow_instances',
  idx_workflow_instances_started_by: 'workflow_instances',
  idx_workflow_instances_parent: 'workflow_instances',
  idx_workflow_instances_parent_execution: 'workflow_instances',
  idx_workflow_instances_purge: 'workflow_instances',

  workflow_instance_nodes_pkey: 'workflow_instance_nodes',
  idx_workflow_instance_nodes_assigned_user: 'workflow_instance_nodes',
  idx_workflow_instance_nodes_assigned_role: 'workflow_instance_nodes',
  idx_workflow_instance_nodes_escalation_role: 'workflow_instance_nodes',
  idx_workflow_instance_nodes_instance: 'workflow_instance_nodes',
  idx_workflow_instance_nodes_ready: 'workflow_instance_nodes',
  idx_workflow_instance_nodes_lease: 'workflow_instance_nodes',
  idx_workflow_instance_nodes_child_wait: 'workflow_instance_nodes',
  idx_workflow_instance_nodes_sla: 'workflow_instance_nodes',
  // 0009: a voter's queue; the deputy windows read per decision and queue page
  idx_workflow_instance_nodes_candidates: 'workflow_instance_nodes',
  workflow_deputies_pkey: 'workflow_deputies',
  idx_workflow_deputies_active: 'workflow_deputies',
  idx_workflow_deputies_user: 'workflow_deputies',
  // 0010: used approve-by-email links
  workflow_email_actions_pkey: 'workflow_email_actions',
  idx_workflow_email_actions_expires: 'workflow_email_actions',
  // 0011: waits wake through wake_at; messages find their receivers; calendars by name
  idx_workflow_instance_nodes_wake: 'workflow_instance_nodes',
  idx_workflow_instance_nodes_receivers: 'workflow_instance_nodes',
  idx_workflow_instance_nodes_finished_tasks: 'workflow_instance_nodes',
  workflow_messages_pkey: 'workflow_messages',
  uq_workflow_messages_message_id: 'workflow_messages',
  idx_workflow_messages_buffered: 'workflow_messages',
  idx_workflow_messages_delivered: 'workflow_messages',
  workflow_calendars_pkey: 'workflow_calendars',
  uq_workflow_calendars_name: 'workflow_calendars',
  // 0012: each user's saved views, one name per page
  workflow_saved_views_pkey: 'workflow_saved_views',
  uq_workflow_saved_views_name: 'workflow_saved_views',

  workflow_instance_history_pkey: 'workflow_instance_history',
  idx_workflow_instance_history_instance: 'workflow_instance_history',
};

/** trigger -> its table: updated_at maintenance, and history's append-only guards. */
const TRIGGERS: Readonly<Record<string, string>> = {
  trg_workflow_definitions_updated_at: 'workflow_definitions',
  trg_workflow_instances_updated_at: 'workflow_instances',
  trg_workflow_instance_nodes_updated_at: 'workflow_instance_nodes',
  trg_workflow_instance_history_append_only: 'workflow_instance_history',
  trg_workflow_instance_history_no_truncate: 'workflow_instance_history',
  trg_workflow_definitions_notify: 'workflow_definitions',
  trg_workflow_task_queue_notify_insert: 'workflow_instance_nodes',
  trg_workflow_task_queue_notify_update: 'workflow_instance_nodes',
};

const EXTENSIONS = ['uuid-ossp', 'btree_gist'] as const;

/**
 * Every schema check, one result each, in a stable order. A check whose query fails is reported
 * as failed with the error; the others still run.
 */
export async function checkSchemaHealth(pool: Pool, opts: SchemaHealthOptions = {}): Promise<HealthCheck[]> {
  const checks: [string, () => Promise<HealthCheck | HealthCheck[]>][] = [
    ['tables', () => checkTables(pool)],
    ['views', () => checkViews(pool)],
    ['rls', () => checkRowLevelSecurity(pool)],
    ['indexes', () => checkIndexes(pool)],
    ['triggers', () => checkTriggers(pool)],
    ['extensions', () => checkExtensions(pool)],
    [`role:${APP_ROLE}`, () => checkRole(pool, APP_ROLE)],
    [`role:${SWEEPER_ROLE}`, () => checkRole(pool, SWEEPER_ROLE)],
    ['migrations', () => checkMigrations(pool)],
  ];
  const sample = opts.sampleWorkflow;
  if (sample) checks.push(['sample-workflow', () => checkSampleWorkflow(pool, sample.tenantId, sample.name)]);

  const results: HealthCheck[] = [];
  for (const [name, run] of checks) {
    try {
      const outcome = await run();
      results.push(...(Array.isArray(outcome) ? outcome : [outcome]));
    } catch (err) {
      results.push({ name, ok: false, detail: `could not check: ${errorMessage(err)}` });
    }
  }
  return results;
}

async function checkTables(pool: Pool): Promise<HealthCheck> {
  const { rows } = await pool.query<{ relname: string }>(
    `SELECT relname FROM pg_class
     WHERE relnamespace = current_schema()::regnamespace AND relkind IN ('r', 'p') AND relname = ANY ($1)`,
    [TABLES],
  );
  const found = new Set(rows.map((r) => r.relname));
  const missing = TABLES.filter((t) => !found.has(t));
  return missing.length === 0
    ? { name: 'tables', ok: true, detail: `all ${TABLES.length} present: ${TABLES.join(', ')}` }
    : { name: 'tables', ok: false, detail: `missing: ${missing.join(', ')}` };
}

async function checkViews(pool: Pool): Promise<HealthCheck> {
  const { rows } = await pool.query<{ relname: string; options: string[] | null }>(
    `SELECT relname, reloptions AS options FROM pg_class
     WHERE relnamespace = current_schema()::regnamespace AND relkind = 'v' AND relname = ANY ($1)`,
    [VIEWS],
  );
  const byName = new Map(rows.map((r) => [r.relname, r.options ?? []]));
  const missing = VIEWS.filter((v) => !byName.has(v));
  const notInvoker = VIEWS.filter((v) => byName.has(v) && !isSecurityInvoker(byName.get(v) ?? []));
  if (missing.length === 0 && notInvoker.length === 0) {
    return { name: 'views', ok: true, detail: `all ${VIEWS.length} present with security_invoker=true: ${VIEWS.join(', ')}` };
  }
  const problems: string[] = [];
  if (missing.length > 0) problems.push(`missing: ${missing.join(', ')}`);
  if (notInvoker.length > 0) {
    problems.push(`not security_invoker=true (the view owner's rights apply, bypassing the caller's RLS): ${notInvoker.join(', ')}`);
  }
  return { name: 'views', ok: false, detail: problems.join('; ') };
}

function isSecurityInvoker(options: readonly string[]): boolean {
  return options.some((o) => /^security_invoker=(true|on|yes|1)$/i.test(o));
}

/** One result per table, `rls:<table>`: enabled, forced (binds the owner too), at least one policy. */
async function checkRowLevelSecurity(pool: Pool): Promise<HealthCheck[]> {
  const { rows } = await pool.query<{ relname: string; enabled: boolean; forced: boolean; policies: number }>(
    `SELECT c.relname, c.relrowsecurity AS enabled, c.relforcerowsecurity AS forced,
            (SELECT count(*)::int FROM pg_policy p WHERE p.polrelid = c.oid) AS policies
     FROM pg_class c
     WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p') AND c.relname = ANY ($1)`,
    [TABLES],
  );
  const byName = new Map(rows.map((r) => [r.relname, r]));
  return TABLES.map((table): HealthCheck => {
    const name = `rls:${table}`;
    const row = byName.get(table);
    if (!row) return { name, ok: false, detail: `${table}: table missing` };
    const problems: string[] = [];
    if (!row.enabled) problems.push('row-level security not enabled');
    if (!row.forced) problems.push('row-level security not forced (the table owner bypasses it)');
    if (row.policies === 0) problems.push('no policy (every row is hidden from workflow_app)');
    return problems.length === 0
      ? { name, ok: true, detail: `${table}: enabled and forced, ${row.policies} ${row.policies === 1 ? 'policy' : 'policies'}` }
      : { name, ok: false, detail: `${table}: ${problems.join('; ')}` };
  });
}

async function checkIndexes(pool: Pool): Promise<HealthCheck> {
  const { rows } = await pool.query<{ indexname: string; tablename: string; valid: boolean }>(
    `SELECT i.indexname, i.tablename, x.indisvalid AS valid
     FROM pg_indexes i
     JOIN pg_index x ON x.indexrelid = format('%I.%I', i.schemaname, i.indexname)::regclass
     WHERE i.schemaname = current_schema() AND i.tablename = ANY ($1)`,
    [TABLES],
  );
  const found = new Map(rows.map((r) => [r.indexname, r]));
  const missing: string[] = [];
  const misplaced: string[] = [];
  const invalid: string[] = [];
  for (const [index, table] of Object.entries(INDEXES)) {
    const row = found.get(index);
    if (!row) missing.push(index);
    else if (row.tablename !== table) misplaced.push(`${index} (on ${row.tablename}, expected ${table})`);
    else if (!row.valid) invalid.push(index);
  }
  const expectedCount = Object.keys(INDEXES).length;
  if (missing.length === 0 && misplaced.length === 0 && invalid.length === 0) {
    const extra = rows.filter((r) => !(r.indexname in INDEXES)).map((r) => r.indexname).sort();
    const note = extra.length > 0 ? ` (also present, not in the expected list: ${extra.join(', ')})` : '';
    return { name: 'indexes', ok: true, detail: `all ${expectedCount} expected indexes present and valid${note}` };
  }
  const problems: string[] = [];
  if (missing.length > 0) problems.push(`missing: ${missing.join(', ')}`);
  if (misplaced.length > 0) problems.push(`on the wrong table: ${misplaced.join(', ')}`);
  if (invalid.length > 0) problems.push(`invalid (a failed concurrent build; REINDEX it): ${invalid.join(', ')}`);
  return { name: 'indexes', ok: false, detail: problems.join('; ') };
}

async function checkTriggers(pool: Pool): Promise<HealthCheck> {
  const { rows } = await pool.query<{ tgname: string; tablename: string; enabled: string }>(
    `SELECT t.tgname, c.relname AS tablename, t.tgenabled AS enabled
     FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
     WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace AND t.tgname = ANY ($1)`,
    [Object.keys(TRIGGERS)],
  );
  const missing: string[] = [];
  const disabled: string[] = [];
  for (const [trigger, table] of Object.entries(TRIGGERS)) {
    const row = rows.find((r) => r.tgname === trigger && r.tablename === table);
    if (!row) missing.push(`${trigger} on ${table}`);
    // 'O' fires in normal sessions, 'A' always; 'D' is disabled, 'R' fires only on replicas
    else if (row.enabled !== 'O' && row.enabled !== 'A') disabled.push(`${trigger} on ${table}`);
  }
  const expectedCount = Object.keys(TRIGGERS).length;
  if (missing.length === 0 && disabled.length === 0) {
    return { name: 'triggers', ok: true, detail: `all ${expectedCount} present and enabled (updated_at on 3 tables, history append-only and no-truncate, definition-change notify)` };
  }
  const problems: string[] = [];
  if (missing.length > 0) problems.push(`missing: ${missing.join(', ')}`);
  if (disabled.length > 0) problems.push(`disabled: ${disabled.join(', ')}`);
  return { name: 'triggers', ok: false, detail: problems.join('; ') };
}

async function checkExtensions(pool: Pool): Promise<HealthCheck> {
  const { rows } = await pool.query<{ extname: string; extversion: string }>(
    `SELECT extname, extversion FROM pg_extension WHERE extname = ANY ($1)`,
    [EXTENSIONS],
  );
  const found = new Map(rows.map((r) => [r.extname, r.extversion]));
  const missing = EXTENSIONS.filter((e) => !found.has(e));
  return missing.length === 0
    ? { name: 'extensions', ok: true, detail: EXTENSIONS.map((e) => `${e} ${found.get(e)}`).join(', ') }
    : { name: 'extensions', ok: false, detail: `missing: ${missing.join(', ')}` };
}

/** The role must exist, be bound by RLS (no superuser, no BYPASSRLS), and be assumable by us. */
/** A role RLS must bind: exists, no superuser, no BYPASSRLS, and the connecting user may become it. */
async function checkRole(pool: Pool, roleName: string): Promise<HealthCheck> {
  const name = `role:${roleName}`;
  const { rows } = await pool.query<{ superuser: boolean; bypassrls: boolean; assumable: boolean; me: string }>(
    `SELECT rolsuper AS superuser, rolbypassrls AS bypassrls,
            pg_has_role(current_user, oid, 'MEMBER') AS assumable, current_user AS me
     FROM pg_roles WHERE rolname = $1`,
    [roleName],
  );
  const role = rows[0];
  if (!role) return { name, ok: false, detail: `role ${roleName} does not exist` };
  const problems: string[] = [];
  if (role.superuser) problems.push('is a superuser (RLS does not apply to it)');
  if (role.bypassrls) problems.push('has BYPASSRLS (RLS does not apply to it)');
  if (!role.assumable) problems.push(`the connecting user ${role.me} cannot SET ROLE to it (GRANT ${roleName} TO ${role.me})`);
  return problems.length === 0
    ? { name, ok: true, detail: `exists, not superuser, no BYPASSRLS, assumable by ${role.me}` }
    : { name, ok: false, detail: `${roleName} ${problems.join('; ')}` };
}

/**
 * Compares the migration log with the code's list directly (rather than through
 * `pendingMigrations`, which opens a second pool and queues behind a running migration's lock).
 */
async function checkMigrations(pool: Pool): Promise<HealthCheck> {
  const known = MIGRATIONS.map((M) => new M().name ?? M.name);
  const applied = await appliedMigrations(pool);
  if (applied === null) {
    return { name: 'migrations', ok: false, detail: `no ${MIGRATIONS_TABLE} table: nothing applied, pending: ${known.join(', ')} (run npm run migrate)` };
  }
  const pending = known.filter((n) => !applied.includes(n));
  const unknown = applied.filter((n) => !known.includes(n));
  if (pending.length === 0 && unknown.length === 0) {
    return { name: 'migrations', ok: true, detail: `up to date: ${applied.length} applied, latest ${applied.at(-1) ?? '(none)'}` };
  }
  const problems: string[] = [];
  if (pending.length > 0) problems.push(`pending: ${pending.join(', ')} (run npm run migrate)`);
  if (unknown.length > 0) problems.push(`applied but unknown to this code (the database is newer than the code): ${unknown.join(', ')}`);
  return { name: 'migrations', ok: false, detail: problems.join('; ') };
}

/**
 * Names in the migration log, oldest first; null when there is no log. A login without owner
 * rights reads it as workflow_sweeper (0004 grants it); an owner reads it directly.
 */
export async function appliedMigrations(pool: Pool): Promise<string[] | null> {
  const { rows: logRows } = await pool.query<{ present: boolean; sweeper: boolean }>(
    `SELECT to_regclass(format('%I.%I', current_schema(), $1::text)) IS NOT NULL AS present,
            pg_has_role(current_user, '${SWEEPER_ROLE}', 'MEMBER') AND NOT pg_has_role(current_user, '${SWEEPER_ROLE}', 'USAGE')
              AS sweeper`,
    [MIGRATIONS_TABLE],
  );
  if (!logRows[0]?.present) return null;
  const begin = logRows[0].sweeper ? `BEGIN READ ONLY; SELECT set_config('role', '${SWEEPER_ROLE}', true)` : 'BEGIN READ ONLY';
  const rows = await inTransaction(pool, begin, async (client) => (await client.query<{ name: string }>(`SELECT name FROM ${MIGRATIONS_TABLE} ORDER BY id`)).rows);
  return rows.map((r) => r.name);
}

/** `login:<runtime|query>`: the login holds no more than its job needs (see `loginProblems`). */
/** What a login that passed holds, in the words of its check. */
const HOLDS: Record<LoginKind, string> = {
  runtime: `no superuser, owns nothing, no temporary tables, only SET ROLE ${APP_ROLE} / ${SWEEPER_ROLE}`,
  query: 'no superuser, owns nothing, no temporary tables, no rights on the engine tables, member of nothing',
  queue: "no superuser, owns nothing outside the bullmq schema, no rights on the engine tables, member of nothing (temporary tables allowed: BullMQ's bulk add)",
};

export async function checkLogin(pool: Pool, kind: LoginKind): Promise<HealthCheck> {
  const name = `login:${kind}`;
  const verdict = await loginProblems(pool, kind);
  return verdict.problems.length === 0
    ? { name, ok: true, detail: `${verdict.login}: ${HOLDS[kind]}` }
    : { name, ok: false, detail: `${verdict.login} ${verdict.problems.join('; ')}` };
}

/** Read as the engine reads: workflow_app, in the tenant's own transaction. */
async function checkSampleWorkflow(pool: Pool, tenantId: string, workflowName: string): Promise<HealthCheck> {
  const name = 'sample-workflow';
  const rows = await inTransaction(pool, 'BEGIN READ ONLY', async (client) => {
    await client.query(`SELECT set_config('role', $1, true), set_config('app.current_tenant', $2, true)`, [APP_ROLE, tenantId]);
    const result = await client.query<{ version: number; is_active: boolean }>(
      `SELECT version, is_active FROM workflow_definitions WHERE name = $1 ORDER BY version DESC`,
      [workflowName],
    );
    return result.rows;
  });
  const active = rows.filter((r) => r.is_active);
  if (active.length > 0) {
    return { name, ok: true, detail: `tenant ${tenantId} has "${workflowName}" active (version ${active.map((r) => r.version).join(', ')})` };
  }
  const why = rows.length > 0 ? `only inactive versions (${rows.map((r) => r.version).join(', ')})` : 'no definition';
  return { name, ok: false, detail: `tenant ${tenantId} has ${why} named "${workflowName}"` };
}

function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message || (err as { code?: string }).code || err.name;
  return String(err);
}
