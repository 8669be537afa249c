-- 0001 workflow schema: the four tables, their indexes, updated_at triggers, append-only
-- history, row-level security forced on every table for the non-owner role workflow_app.

CREATE EXTENSION IF NOT EXISTS "uuid-ossp";
CREATE EXTENSION IF NOT EXISTS btree_gist;

-- The role is cluster-wide: create it once, tolerate a concurrent creation, never drop it.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'workflow_app') THEN
    CREATE ROLE workflow_app NOLOGIN NOSUPERUSER NOBYPASSRLS;
  END IF;
EXCEPTION
  WHEN duplicate_object OR unique_violation THEN NULL;
END
$$;

-- The connecting user must be able to SET ROLE workflow_app (a superuser already can; a user
-- an operator already made a member needs nothing more).
DO $$
BEGIN
  IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
     AND NOT pg_has_role(current_user, 'workflow_app', 'MEMBER') THEN
    EXECUTE format('GRANT workflow_app TO %I', current_user);
  END IF;
END
$$;

CREATE OR REPLACE FUNCTION update_workflow_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END
$$;

CREATE TABLE workflow_definitions (
  id                 uuid PRIMARY KEY DEFAULT uuid_generate_v4(),
  tenant_id          uuid NOT NULL,
  name               text NOT NULL,
  version            integer NOT NULL CHECK (version > 0),
  is_active          boolean NOT NULL DEFAULT true,
  category           text,
  description        text,
  nodes              jsonb NOT NULL,
  routes             jsonb NOT NULL,
  triggers           jsonb NOT NULL DEFAULT '[]'::jsonb,
  sla_hours          double precision CHECK (sla_hours > 0),
  escalation_enabled boolean NOT NULL DEFAULT false,
  escalation_role    text,
  start_node_id      text NOT NULL,
  created_by         text NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT uq_workflow_definitions_name_version UNIQUE (tenant_id, name, version),
  -- target of tenant-scoped foreign keys: a row can only point at its own tenant's rows
  -- (foreign-key checks bypass RLS, so the tenant must be part of the key)
  CONSTRAINT uq_workflow_definitions_tenant_id UNIQUE (tenant_id, id)
);
-- Latest version of a name, and tenant-wide listing newest first.
CREATE INDEX idx_workflow_definitions_tenant ON workflow_definitions (tenant_id, created_at DESC, id DESC);
CREATE INDEX idx_workflow_definitions_active_name ON workflow_definitions (tenant_id, name, version DESC) WHERE is_active;
CREATE TRIGGER trg_workflow_definitions_updated_at BEFORE UPDATE ON workflow_definitions
  FOR EACH ROW EXECUTE FUNCTION update_workflow_updated_at();

CREATE TABLE workflow_instances (
  id                        uuid PRIMARY KEY DEFAULT uuid_generate_v4(),
  tenant_id                 uuid NOT NULL,
  definition_id             uuid NOT NULL,
  status                    text NOT NULL DEFAULT 'running'
                            CHECK (status IN ('running', 'completed', 'rejected', 'failed', 'cancelled')),
  context_entity_type       text,
  context_entity_id         text,
  context_data              jsonb NOT NULL DEFAULT '{}'::jsonb,
  trigger_type              text NOT NULL DEFAULT 'manual'
                            CHECK (trigger_type IN ('manual', 'event', 'cron', 'sub_workflow')),
  started_by                text NOT NULL,
  parent_instance_id        uuid,
  parent_node_execution_id  uuid,
  depth                     integer NOT NULL DEFAULT 0,
  sla_deadline              timestamptz,
  idempotency_key           text,
  request_hash              text,
  -- optimistic-locking counter, bumped by every state change
  version                   integer NOT NULL DEFAULT 1,
  -- executions in ready/running/waiting: the instance ends when this reaches zero
  open_executions           integer NOT NULL DEFAULT 0 CHECK (open_executions >= 0),
  step_count                integer NOT NULL DEFAULT 0,
  -- head of the history hash chain, so appending never reads the history table
  last_history_hash         text,
  started_at                timestamptz NOT NULL DEFAULT now(),
  completed_at              timestamptz,
  created_at                timestamptz NOT NULL DEFAULT now(),
  updated_at                timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT uq_workflow_instances_idempotency UNIQUE (tenant_id, idempotency_key),
  CONSTRAINT uq_workflow_instances_tenant_id UNIQUE (tenant_id, id),
  CONSTRAINT fk_workflow_instances_definition FOREIGN KEY (tenant_id, definition_id)
    REFERENCES workflow_definitions (tenant_id, id),
  CONSTRAINT fk_workflow_instances_parent FOREIGN KEY (tenant_id, parent_instance_id)
    REFERENCES workflow_instances (tenant_id, id)
);
CREATE INDEX idx_workflow_instances_sla ON workflow_instances (sla_deadline) WHERE status = 'running' AND sla_deadline IS NOT NULL;
CREATE INDEX idx_workflow_instances_tenant_started ON workflow_instances (tenant_id, started_at DESC, id DESC);
CREATE INDEX idx_workflow_instances_definition ON workflow_instances (definition_id, status);
CREATE INDEX idx_workflow_instances_started_by ON workflow_instances (tenant_id, started_by, started_at DESC);
CREATE INDEX idx_workflow_instances_parent ON workflow_instances (parent_instance_id) WHERE parent_instance_id IS NOT NULL;
CREATE INDEX idx_workflow_instances_parent_execution ON workflow_instances (parent_node_execution_id) WHERE parent_node_execution_id IS NOT NULL;
CREATE TRIGGER trg_workflow_instances_updated_at BEFORE UPDATE ON workflow_instances
  FOR EACH ROW EXECUTE FUNCTION update_workflow_updated_at();

CREATE TABLE workflow_instance_nodes (
  id                uuid PRIMARY KEY DEFAULT uuid_generate_v4(),
  tenant_id         uuid NOT NULL,
  instance_id       uuid NOT NULL,
  -- execution order within the instance
  seq               bigint GENERATED ALWAYS AS IDENTITY,
  node_id           text NOT NULL,
  node_type         text NOT NULL
                    CHECK (node_type IN ('approval', 'service_task', 'user_task', 'gateway', 'sub_workflow')),
  node_name         text NOT NULL,
  status            text NOT NULL DEFAULT 'ready'
                    CHECK (status IN ('ready', 'running', 'waiting', 'completed', 'failed', 'skipped', 'cancelled')),
  -- what a waiting execution waits for: a person (a task), the other branches (a join), a child instance
  waiting_for       text CHECK (waiting_for IN ('task', 'join', 'child')),
  assigned_user_id  text,
  assigned_role     text,
  escalation_role   text,
  -- users who held this task before a delegation: they keep read access to the instance
  previous_assignees text[] NOT NULL DEFAULT '{}',
  decision          text CHECK (decision IN ('approved', 'rejected', 'completed')),
  decided_by        text,
  comments          text,
  input             jsonb,
  output            jsonb,
  attempts          integer NOT NULL DEFAULT 0,
  error             jsonb,
  -- bumped by an operator's retry so the job id of the re-run is new
  generation        integer NOT NULL DEFAULT 0,
  lease_token       uuid,
  lease_expires_at  timestamptz,
  sla_deadline      timestamptz,
  escalated_at      timestamptz,
  ready_at          timestamptz NOT NULL DEFAULT now(),
  started_at        timestamptz,
  completed_at      timestamptz,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT fk_workflow_instance_nodes_instance FOREIGN KEY (tenant_id, instance_id)
    REFERENCES workflow_instances (tenant_id, id)
);
-- The task queue: a user's own tasks, a role's unassigned tasks, escalated tasks.
CREATE INDEX idx_workflow_instance_nodes_assigned_user ON workflow_instance_nodes (tenant_id, assigned_user_id, sla_deadline)
  WHERE status = 'waiting' AND waiting_for = 'task';
CREATE INDEX idx_workflow_instance_nodes_assigned_role ON workflow_instance_nodes (tenant_id, assigned_role, sla_deadline)
  WHERE status = 'waiting' AND waiting_for = 'task' AND assigned_user_id IS NULL;
CREATE INDEX idx_workflow_instance_nodes_escalation_role ON workflow_instance_nodes (tenant_id, escalation_role, sla_deadline)
  WHERE status = 'waiting' AND waiting_for = 'task' AND escalated_at IS NOT NULL;
CREATE INDEX idx_workflow_instance_nodes_instance ON workflow_instance_nodes (instance_id, seq);
-- Reconciliation: ready executions that have waited too long, I/O steps whose lease ran out,
-- parents waiting on a child; SLA sweep: task deadlines not yet escalated.
CREATE INDEX idx_workflow_instance_nodes_ready ON workflow_instance_nodes (ready_at) WHERE status = 'ready';
CREATE INDEX idx_workflow_instance_nodes_lease ON workflow_instance_nodes (lease_expires_at) WHERE status = 'running';
CREATE INDEX idx_workflow_instance_nodes_child_wait ON workflow_instance_nodes (id) WHERE status = 'waiting' AND waiting_for = 'child';
CREATE INDEX idx_workflow_instance_nodes_sla ON workflow_instance_nodes (sla_deadline)
  WHERE status = 'waiting' AND waiting_for = 'task' AND escalated_at IS NULL;
CREATE TRIGGER trg_workflow_instance_nodes_updated_at BEFORE UPDATE ON workflow_instance_nodes
  FOR EACH ROW EXECUTE FUNCTION update_workflow_updated_at();

CREATE TABLE workflow_instance_history (
  id                 uuid PRIMARY KEY DEFAULT uuid_generate_v4(),
  tenant_id          uuid NOT NULL,
  instance_id        uuid NOT NULL,
  seq                bigint GENERATED ALWAYS AS IDENTITY,
  node_execution_id  uuid,
  event_type         text NOT NULL,
  actor_user_id      text,
  details            jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at         timestamptz NOT NULL DEFAULT now(),
  prev_hash          text,
  hash               text,
  CONSTRAINT fk_workflow_instance_history_instance FOREIGN KEY (tenant_id, instance_id)
    REFERENCES workflow_instances (tenant_id, id)
);
CREATE INDEX idx_workflow_instance_history_instance ON workflow_instance_history (instance_id, seq);

-- History is append-only. The one sanctioned exception is the retention purge, which runs as
-- the table owner with workflow.history_purge = 'on' set for its transaction only.
CREATE OR REPLACE FUNCTION workflow_history_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('workflow.history_purge', true) = 'on' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'workflow_instance_history is append-only: % is not allowed', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER trg_workflow_instance_history_append_only BEFORE UPDATE OR DELETE ON workflow_instance_history
  FOR EACH ROW EXECUTE FUNCTION workflow_history_append_only();
CREATE TRIGGER trg_workflow_instance_history_no_truncate BEFORE TRUNCATE ON workflow_instance_history
  FOR EACH STATEMENT EXECUTE FUNCTION workflow_history_append_only();

-- Row-level security: every table, forced (the owner is bound too), on the transaction's tenant.
-- Without a tenant setting NULLIF yields NULL and no row matches.
ALTER TABLE workflow_definitions ENABLE ROW LEVEL SECURITY;
ALTER TABLE workflow_definitions FORCE ROW LEVEL SECURITY;
ALTER TABLE workflow_instances ENABLE ROW LEVEL SECURITY;
ALTER TABLE workflow_instances FORCE ROW LEVEL SECURITY;
ALTER TABLE workflow_instance_nodes ENABLE ROW LEVEL SECURITY;
ALTER TABLE workflow_instance_nodes FORCE ROW LEVEL SECURITY;
ALTER TABLE workflow_instance_history ENABLE ROW LEVEL SECURITY;
ALTER TABLE workflow_instance_history FORCE ROW LEVEL SECURITY;

CREATE POLICY workflow_definitions_tenant_read ON workflow_definitions FOR SELECT
  USING (tenant_id = NULLIF(current_setting('app.current_tenant', true), '')::uuid);
CREATE POLICY workflow_definitions_tenant_write ON workflow_definitions FOR ALL
  USING (tenant_id = NULLIF(current_setting('app.current_tenant', true), '')::uuid)
  WITH CHECK (tenant_id = NULLIF(current_setting('app.current_tenant', true), '')::uuid);

CREATE POLICY workflow_instances_tenant_read ON workflow_instances FOR SELECT
  USING (tenant_id = NULLIF(current_setting('app.current_tenant', true), '')::uuid);
CREATE POLICY workflow_instances_tenant_write ON workflow_instances FOR ALL
  USING (tenant_id = NULLIF(current_setting('app.current_tenant', true), '')::uuid)
  WITH CHECK (tenant_id = NULLIF(current_setting('app.current_tenant', true), '')::uuid);

CREATE POLICY workflow_instance_nodes_tenant_read ON workflow_instance_nodes FOR SELECT
  USING (tenant_id = NULLIF(current_setting('app.current_tenant', true), '')::uuid);
CREATE POLICY workflow_instance_nodes_tenant_write ON workflow_instance_nodes FOR ALL
  USING (tenant_id = NULLIF(current_setting('app.current_tenant', true), '')::uuid)
  WITH CHECK (tenant_id = NULLIF(current_setting('app.current_tenant', true), '')::uuid);

-- The scheduler's sweeps (reconciliation, SLA deadlines, cron triggers) read ids across tenants in
-- a transaction that sets app.system_read = 'on'; every write still happens in a tenant's own
-- transaction. Read-only, explicit, and never set on a request's transaction.
CREATE POLICY workflow_definitions_system_read ON workflow_definitions FOR SELECT
  USING (current_setting('app.system_read', true) = 'on');
CREATE POLICY workflow_instances_system_read ON workflow_instances FOR SELECT
  USING (current_setting('app.system_read', true) = 'on');
CREATE POLICY workflow_instance_nodes_system_read ON workflow_instance_nodes FOR SELECT
  USING (current_setting('app.system_read', true) = 'on');

-- History: read and append only; no UPDATE or DELETE policy exists for anyone.
CREATE POLICY workflow_instance_history_tenant_read ON workflow_instance_history FOR SELECT
  USING (tenant_id = NULLIF(current_setting('app.current_tenant', true), '')::uuid);
CREATE POLICY workflow_instance_history_tenant_insert ON workflow_instance_history FOR INSERT
  WITH CHECK (tenant_id = NULLIF(current_setting('app.current_tenant', true), '')::uuid);

-- The retention purge runs as the migrating (owner) role with workflow.history_purge = 'on' for
-- its transaction; workflow_app has no DELETE grant on history, so these never apply to it.
CREATE POLICY workflow_instance_history_purge_read ON workflow_instance_history FOR SELECT TO CURRENT_USER
  USING (current_setting('workflow.history_purge', true) = 'on');
CREATE POLICY workflow_instance_history_purge ON workflow_instance_history FOR DELETE TO CURRENT_USER
  USING (current_setting('workflow.history_purge', true) = 'on');

GRANT USAGE ON SCHEMA public TO workflow_app;
GRANT SELECT, INSERT, UPDATE ON workflow_definitions, workflow_instances, workflow_instance_nodes TO workflow_app;
GRANT SELECT, INSERT ON workflow_instance_history TO workflow_app;

-- The task queue with urgency. security_invoker: the caller's RLS applies through the view.
-- The urgent threshold comes from the transaction (app.urgent_threshold_hours), default 4.
CREATE VIEW v_user_task_queue WITH (security_invoker = true) AS
SELECT
  n.id                   AS task_id,
  n.tenant_id,
  n.instance_id,
  d.name                 AS workflow_name,
  d.version              AS workflow_version,
  n.node_id,
  n.node_name            AS task_name,
  n.node_type,
  n.assigned_user_id,
  n.assigned_role,
  n.escalation_role,
  n.escalated_at,
  n.sla_deadline,
  n.created_at,
  i.context_entity_type,
  i.context_entity_id,
  i.context_data,
  round((extract(epoch FROM (n.sla_deadline - now())) / 3600)::numeric, 2) AS hours_remaining,
  (now() >= n.sla_deadline) AS is_overdue,
  CASE
    WHEN now() >= n.sla_deadline THEN 'OVERDUE'
    WHEN n.sla_deadline - now() <= make_interval(secs => 3600 *
      COALESCE(NULLIF(current_setting('app.urgent_threshold_hours', true), '')::double precision, 4))
      THEN 'URGENT'
    ELSE 'NORMAL'
  END AS urgency_level
FROM workflow_instance_nodes n
JOIN workflow_instances i ON i.id = n.instance_id
JOIN workflow_definitions d ON d.id = i.definition_id
WHERE n.status = 'waiting' AND n.waiting_for = 'task';

-- Per workflow name (all versions): totals, SLA compliance of finished instances, average hours.
CREATE VIEW v_workflow_analytics WITH (security_invoker = true) AS
SELECT
  i.tenant_id,
  d.name AS workflow_name,
  count(*)::integer AS total_instances,
  (count(*) FILTER (WHERE i.status = 'running'))::integer   AS running_instances,
  (count(*) FILTER (WHERE i.status = 'completed'))::integer AS completed_instances,
  (count(*) FILTER (WHERE i.status = 'rejected'))::integer  AS rejected_instances,
  (count(*) FILTER (WHERE i.status = 'failed'))::integer    AS failed_instances,
  (count(*) FILTER (WHERE i.status = 'cancelled'))::integer AS cancelled_instances,
  round(
    100.0 * count(*) FILTER (WHERE i.status IN ('completed', 'rejected')
                               AND (i.sla_deadline IS NULL OR i.completed_at <= i.sla_deadline))
    / NULLIF(count(*) FILTER (WHERE i.status IN ('completed', 'rejected')), 0),
    2) AS sla_compliance_percentage,
  round((avg(extract(epoch FROM (i.completed_at - i.started_at)) / 3600)
         FILTER (WHERE i.status = 'completed'))::numeric, 2) AS avg_completion_hours
FROM workflow_instances i
JOIN workflow_definitions d ON d.id = i.definition_id
GROUP BY i.tenant_id, d.name;

GRANT SELECT ON v_user_task_queue, v_workflow_analytics TO workflow_app;
