-- 0004: the engine logs in as roles that own nothing. Migrations keep owner rights; every pool
-- that serves requests, steps and sweeps logs in as workflow_runtime, and database_query steps
-- as workflow_query.
--
-- Before this, the runtime connected as whatever DATABASE_URL named (a superuser in development)
-- and stepped down with SET LOCAL ROLE workflow_app. A RESET ROLE smuggled into a database_query
-- statement then ran SQL as that superuser. Now there is nothing to step back up to:
--   workflow_runtime  LOGIN, NOINHERIT: no privilege of its own, only SET ROLE to workflow_app
--                     (tenant work) and workflow_sweeper (cross-tenant reads), per transaction;
--   workflow_query    LOGIN, member of nothing, no privilege on any engine table: it sees only the
--                     business tables an operator grants it.
-- Neither may create temporary tables (a temp table named like an engine table shadowed it for
-- every later query on that pooled connection).
--
-- Roles are cluster-wide: created once, a concurrent creation tolerated, never dropped. Where the
-- migrating user may not create roles, an operator creates them first (docs/database.md, "Database roles").

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'workflow_runtime') THEN
    CREATE ROLE workflow_runtime LOGIN NOINHERIT NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION;
  END IF;
EXCEPTION
  WHEN duplicate_object OR unique_violation THEN NULL;
  WHEN insufficient_privilege THEN RAISE NOTICE 'cannot create role workflow_runtime; an operator must (docs/database.md, "Database roles")';
END
$$;

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'workflow_query') THEN
    CREATE ROLE workflow_query LOGIN NOINHERIT NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION;
  END IF;
EXCEPTION
  WHEN duplicate_object OR unique_violation THEN NULL;
  WHEN insufficient_privilege THEN RAISE NOTICE 'cannot create role workflow_query; an operator must (docs/database.md, "Database roles")';
END
$$;

-- workflow_runtime may become the two engine roles, and nothing else.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'workflow_runtime')
     AND NOT pg_has_role('workflow_runtime', 'workflow_app', 'MEMBER') THEN
    GRANT workflow_app TO workflow_runtime;
  END IF;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'workflow_runtime')
     AND NOT pg_has_role('workflow_runtime', 'workflow_sweeper', 'MEMBER') THEN
    GRANT workflow_sweeper TO workflow_runtime;
  END IF;
EXCEPTION
  WHEN insufficient_privilege THEN RAISE NOTICE 'cannot grant workflow_app, workflow_sweeper to workflow_runtime; an operator must';
END
$$;

-- No temporary tables for anyone but the owner. CREATE DATABASE does not copy a database's
-- privileges from its template, so start-up and `npm run migrate` repeat this REVOKE too.
DO $$
BEGIN
  EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
END
$$;
DO $$
BEGIN
  REVOKE CREATE ON SCHEMA public FROM PUBLIC;
EXCEPTION
  WHEN insufficient_privilege THEN RAISE NOTICE 'cannot revoke CREATE on schema public from PUBLIC; an operator should';
END
$$;

-- The schema check of a process without migration rights reads the migration log as the sweeper.
GRANT SELECT ON workflow_migrations TO workflow_sweeper;

-- The retention purge. It used to run as the connecting (owner) user; now the runtime calls this
-- function as workflow_sweeper, and the function alone carries the owner's right to delete
-- history: one finished instance at a time, only past a retention of at least a day, only while
-- its chain head is still the one the caller read. It leaves a `history_purged` row that carries
-- the chain on from the purged head, so the audit trail itself says that it was purged.
ALTER TABLE workflow_instances
  ADD COLUMN history_purged_at timestamptz,
  ADD COLUMN history_purged_rows integer;

-- For an owner that is not a superuser (FORCE ROW LEVEL SECURITY binds it too): the purge's own
-- tombstone row and its update of the instance, only with workflow.history_purge on.
CREATE POLICY workflow_instance_history_purge_insert ON workflow_instance_history FOR INSERT TO CURRENT_USER
  WITH CHECK (current_setting('workflow.history_purge', true) = 'on');
CREATE POLICY workflow_instances_purge_update ON workflow_instances FOR UPDATE TO CURRENT_USER
  USING (current_setting('workflow.history_purge', true) = 'on')
  WITH CHECK (current_setting('workflow.history_purge', true) = 'on');

CREATE FUNCTION workflow_purge_instance_history(
  p_instance_id uuid, p_retention_days integer, p_head text,
  p_row_id uuid, p_created_at timestamptz, p_details jsonb, p_hash text
) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
  v_tenant uuid;
  v_deleted integer;
BEGIN
  IF p_retention_days IS NULL OR p_retention_days < 1 THEN
    RAISE EXCEPTION 'the retention must be at least one day' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  PERFORM set_config('workflow.history_purge', 'on', true);
  SELECT tenant_id INTO v_tenant FROM workflow_instances
  WHERE id = p_instance_id AND status <> 'running' AND history_purged_at IS NULL
    AND completed_at < now() - make_interval(days => p_retention_days)
    AND last_history_hash IS NOT DISTINCT FROM p_head
  FOR UPDATE;
  IF NOT FOUND THEN
    PERFORM set_config('workflow.history_purge', 'off', true);
    RETURN -1;
  END IF;
  DELETE FROM workflow_instance_history WHERE instance_id = p_instance_id;
  GET DIAGNOSTICS v_deleted = ROW_COUNT;
  INSERT INTO workflow_instance_history (id, tenant_id, instance_id, node_execution_id, event_type, actor_user_id,
    details, created_at, prev_hash, hash)
  VALUES (p_row_id, v_tenant, p_instance_id, NULL, 'history_purged', 'system:retention', p_details, p_created_at,
    p_head, p_hash);
  UPDATE workflow_instances SET last_history_hash = p_hash, history_purged_at = p_created_at,
    history_purged_rows = v_deleted
  WHERE id = p_instance_id;
  PERFORM set_config('workflow.history_purge', 'off', true);
  RETURN v_deleted;
END
$$;
REVOKE ALL ON FUNCTION workflow_purge_instance_history(uuid, integer, text, uuid, timestamptz, jsonb, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION workflow_purge_instance_history(uuid, integer, text, uuid, timestamptz, jsonb, text) TO workflow_sweeper;

-- The sweeper's candidates: finished instances whose history has not been purged yet.
CREATE INDEX idx_workflow_instances_purge ON workflow_instances (completed_at)
  WHERE status <> 'running' AND history_purged_at IS NULL;
