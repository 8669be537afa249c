-- 0008: the login of the PostgreSQL queue backend. When the queues run on BullMQ's own PostgreSQL
-- backend (no Redis), its jobs live in the `bullmq` schema of this database, and the processes
-- reach them as workflow_queue: a member of nothing, with no right on any engine table. Start-up
-- migrates that schema with the owner login and then grants this login the schema alone (plus
-- temporary tables, which the backend's bulk add uses; a temporary table can shadow nothing it
-- reads). Created whichever backend runs, so switching QUEUE_BACKEND needs no migration.

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'workflow_queue') THEN
    CREATE ROLE workflow_queue LOGIN NOINHERIT NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION;
  END IF;
EXCEPTION
  WHEN duplicate_object OR unique_violation THEN NULL;
  WHEN insufficient_privilege THEN RAISE NOTICE 'cannot create role workflow_queue; an operator must (docs/database.md, "Database roles")';
END
$$;
