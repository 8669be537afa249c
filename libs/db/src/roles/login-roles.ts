/**
 * The database roles and what each login may do. Migrations run with owner rights; every pool
 * that serves requests, steps and sweeps logs in as the runtime login, and database_query steps
 * as the query login. These checks read the catalogs as the login itself (`current_user`), so
 * they judge the role the engine really runs as, whatever it is called.
 */

import type { ClientBase, Pool } from 'pg';

/** Tenant work: SET LOCAL ROLE in every tenant transaction; RLS binds it. */
export const APP_ROLE = 'workflow_app';
/** Cross-tenant reads of the sweeps and gauges: SELECT only, with app.system_read on. */
export const SWEEPER_ROLE = 'workflow_sweeper';
/** The login of the runtime's pools: no privilege of its own, may become the two roles above. */
export const RUNTIME_LOGIN = 'workflow_runtime';
/** The login of database_query steps: no privilege on any engine table, member of nothing. */
export const QUERY_LOGIN = 'workflow_query';
/** The login of the PostgreSQL queue backend: the `bullmq` schema only, member of nothing. */
export const QUEUE_LOGIN = 'workflow_queue';
/** The schema BullMQ's PostgreSQL backend keeps its jobs in: the queue login may own objects there. */
const QUEUE_SCHEMA = 'bullmq';

/** Every table and view of the engine: the query login may touch none of them. */
export const ENGINE_RELATIONS = [
  'workflow_definitions',
  'workflow_instances',
  'workflow_instance_nodes',
  'workflow_instance_history',
  'workflow_deputies',
  'workflow_email_actions',
  'workflow_messages',
  'workflow_calendars',
  'workflow_saved_views',
  'v_user_task_queue',
  'v_workflow_analytics',
  'workflow_migrations',
] as const;

/**
 * What no login of the engine may do in this database. CREATE DATABASE does not copy a
 * database's privileges from its template, so this runs after every migration, not only in one.
 * Needs the database owner's rights.
 */
export async function lockDownDatabase(run: (sql: string) => Promise<unknown>): Promise<void> {
  await run(`DO $$ BEGIN EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database()); END $$`);
}

export type LoginKind = 'runtime' | 'query' | 'queue';

/**
 * Problems with the login `pool` connects as, one sentence each; empty when it holds no more
 * than its job needs. Both logins: no superuser, no BYPASSRLS, CREATEROLE, CREATEDB or
 * REPLICATION, owning nothing in the database, no temporary tables, and none of that reachable
 * through a role it may SET ROLE to. The runtime login: may become workflow_app and
 * workflow_sweeper, and has no privilege on the engine's tables without them (so RESET ROLE
 * leads nowhere). The query login: member of no role, no privilege on any engine table. The
 * queue login: the same, except that it may own what BullMQ creates in the `bullmq` schema (a
 * job-id sequence per queue) and may create temporary tables (BullMQ's bulk add needs them).
 */
export async function loginProblems(pool: Pool, kind: LoginKind): Promise<LoginVerdict> {
  const client = await pool.connect();
  try {
    return await problemsOf(client, kind);
  } finally {
    client.release();
  }
}

interface LoginFacts {
  me: string;
  attributes: string[] | null;
  owned: string[] | null;
  temp: string[] | null;
  can_app: boolean;
  can_sweeper: boolean;
  own_privileges: string[] | null;
  member_of: string[] | null;
  reachable_privileges: string[] | null;
}

export interface LoginVerdict {
  /** the role the pool logs in as */
  readonly login: string;
  readonly problems: readonly string[];
}

async function problemsOf(client: ClientBase, kind: LoginKind): Promise<LoginVerdict> {
  // `reach`: the login and every role it is a member of (it could SET ROLE to any of them)
  const { rows } = await client.query<LoginFacts>(
    `WITH reach AS (
       SELECT oid, rolname, rolsuper, rolbypassrls, rolcreaterole, rolcreatedb, rolreplication
       FROM pg_roles WHERE pg_has_role(current_user, oid, 'MEMBER')),
     owned AS (
       SELECT format('table %s', c.oid::regclass) AS what, c.relowner AS owner FROM pg_class c
       WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND c.relnamespace NOT IN (SELECT oid FROM pg_namespace WHERE nspname IN ('pg_catalog', 'information_schema')
                                     OR nspname LIKE 'pg_toast%' OR nspname LIKE 'pg_temp%' OR ($2 AND nspname = '${QUEUE_SCHEMA}'))
       UNION ALL SELECT format('function %s', p.oid::regprocedure), p.proowner FROM pg_proc p
       WHERE p.pronamespace NOT IN (SELECT oid FROM pg_namespace WHERE nspname IN ('pg_catalog', 'information_schema'))
       UNION ALL SELECT format('schema %I', n.nspname), n.nspowner FROM pg_namespace n
       WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
         AND n.nspname NOT LIKE 'pg_temp%'
       UNION ALL SELECT format('database %I', d.datname), d.datdba FROM pg_database d WHERE d.datname = current_database())
     SELECT current_user::text AS me,
       (SELECT array_agg(DISTINCT CASE WHEN r.rolname = current_user THEN format('is %s', a.attr)
                                        ELSE format('may become %s, which is %s', r.rolname, a.attr) END) FROM reach r,
          LATERAL (VALUES ('a superuser', r.rolsuper), ('BYPASSRLS', r.rolbypassrls), ('CREATEROLE', r.rolcreaterole),
                          ('CREATEDB', r.rolcreatedb), ('REPLICATION', r.rolreplication)) AS a(attr, has)
        WHERE a.has) AS attributes,
       (SELECT array_agg(o.what ORDER BY o.what) FROM (SELECT what FROM owned WHERE owner IN (SELECT oid FROM reach) LIMIT 5) o) AS owned,
       (SELECT array_agg(r.rolname::text) FROM reach r WHERE has_database_privilege(r.oid, current_database(), 'TEMPORARY')) AS temp,
       (SELECT pg_has_role(current_user, rolname, 'MEMBER') FROM pg_roles WHERE rolname = '${APP_ROLE}') AS can_app,
       (SELECT pg_has_role(current_user, rolname, 'MEMBER') FROM pg_roles WHERE rolname = '${SWEEPER_ROLE}') AS can_sweeper,
       (SELECT array_agg(t.rel) FROM unnest($1::text[]) AS t(rel)
        WHERE to_regclass(t.rel) IS NOT NULL
          AND has_table_privilege(current_user, t.rel, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')) AS own_privileges,
       (SELECT array_agg(r.rolname::text) FROM reach r WHERE r.rolname <> current_user) AS member_of,
       (SELECT array_agg(DISTINCT format('%s on %s', r.rolname, t.rel)) FROM reach r, unnest($1::text[]) AS t(rel)
        WHERE to_regclass(t.rel) IS NOT NULL
          AND has_table_privilege(r.oid, t.rel, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')) AS reachable_privileges`,
    [ENGINE_RELATIONS, kind === 'queue'],
  );
  const f = rows[0] as LoginFacts;
  const problems: string[] = [];
  for (const a of f.attributes ?? []) problems.push(a);
  if (f.owned?.length) problems.push(`owns ${f.owned.join(', ')} (directly or through a role it may become)`);
  if (f.temp?.length && kind !== 'queue') problems.push(`may create temporary tables (as ${f.temp.join(', ')}): REVOKE TEMPORARY ON DATABASE ... FROM PUBLIC`);
  if (kind === 'runtime') {
    if (!f.can_app) problems.push(`cannot SET ROLE ${APP_ROLE} (GRANT ${APP_ROLE} TO ${f.me})`);
    if (!f.can_sweeper) problems.push(`cannot SET ROLE ${SWEEPER_ROLE} (GRANT ${SWEEPER_ROLE} TO ${f.me})`);
    if (f.own_privileges?.length) {
      problems.push(`holds privileges on ${f.own_privileges.join(', ')} without SET ROLE, so RESET ROLE does not lead nowhere (make it NOINHERIT)`);
    }
  } else {
    if (f.member_of?.length) problems.push(`is a member of ${f.member_of.join(', ')} (it must be a member of nothing)`);
    if (f.reachable_privileges?.length) problems.push(`has privileges on engine tables: ${f.reachable_privileges.join(', ')}`);
  }
  return { login: f.me, problems };
}
