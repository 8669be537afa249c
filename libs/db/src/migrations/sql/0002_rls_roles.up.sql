-- 0002: one tenant policy per table, bound to workflow_app; cross-tenant reads through their own
-- read-only role, workflow_sweeper.
--
-- Permissive policies are ORed. With the scheduler's system_read policy applying to every role,
-- each tenant query carried "tenant_id = X OR current_setting('app.system_read') = 'on'", and the
-- planner cannot use a tenant_id index under that OR: the task queue scanned every waiting task
-- of every tenant. Bound to roles, a workflow_app query sees only "tenant_id = X".

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'workflow_sweeper') THEN
    CREATE ROLE workflow_sweeper NOLOGIN NOSUPERUSER NOBYPASSRLS;
  END IF;
EXCEPTION
  WHEN duplicate_object OR unique_violation THEN NULL;
END
$$;

-- The connecting user switches to it (SET LOCAL ROLE) for the sweeps, as it does to workflow_app.
DO $$
BEGIN
  IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
     AND NOT pg_has_role(current_user, 'workflow_sweeper', 'MEMBER') THEN
    EXECUTE format('GRANT workflow_sweeper TO %I', current_user);
  END IF;
END
$$;

-- Tenant policies: the FOR ALL policy covers SELECT too, so the separate read policy goes.
DROP POLICY workflow_definitions_tenant_read ON workflow_definitions;
DROP POLICY workflow_instances_tenant_read ON workflow_instances;
DROP POLICY workflow_instance_nodes_tenant_read ON workflow_instance_nodes;
ALTER POLICY workflow_definitions_tenant_write ON workflow_definitions RENAME TO workflow_definitions_tenant;
ALTER POLICY workflow_instances_tenant_write ON workflow_instances RENAME TO workflow_instances_tenant;
ALTER POLICY workflow_instance_nodes_tenant_write ON workflow_instance_nodes RENAME TO workflow_instance_nodes_tenant;
ALTER POLICY workflow_definitions_tenant ON workflow_definitions TO workflow_app;
ALTER POLICY workflow_instances_tenant ON workflow_instances TO workflow_app;
ALTER POLICY workflow_instance_nodes_tenant ON workflow_instance_nodes TO workflow_app;
ALTER POLICY workflow_instance_history_tenant_read ON workflow_instance_history TO workflow_app;
ALTER POLICY workflow_instance_history_tenant_insert ON workflow_instance_history TO workflow_app;

-- Sweeps (reconciliation, SLA deadlines, cron triggers, metrics gauges): SELECT only, every
-- tenant, and only with app.system_read = 'on' in the transaction as well. No history.
DROP POLICY workflow_definitions_system_read ON workflow_definitions;
DROP POLICY workflow_instances_system_read ON workflow_instances;
DROP POLICY workflow_instance_nodes_system_read ON workflow_instance_nodes;
CREATE POLICY workflow_definitions_sweeper_read ON workflow_definitions FOR SELECT TO workflow_sweeper
  USING (current_setting('app.system_read', true) = 'on');
CREATE POLICY workflow_instances_sweeper_read ON workflow_instances FOR SELECT TO workflow_sweeper
  USING (current_setting('app.system_read', true) = 'on');
CREATE POLICY workflow_instance_nodes_sweeper_read ON workflow_instance_nodes FOR SELECT TO workflow_sweeper
  USING (current_setting('app.system_read', true) = 'on');
GRANT USAGE ON SCHEMA public TO workflow_sweeper;
GRANT SELECT ON workflow_definitions, workflow_instances, workflow_instance_nodes TO workflow_sweeper;
GRANT SELECT ON v_user_task_queue, v_workflow_analytics TO workflow_sweeper;

-- The retention purge (the owner, workflow.history_purge on) joins history to instances; it read
-- them through the old system_read policy, which bound every role.
CREATE POLICY workflow_instances_purge_read ON workflow_instances FOR SELECT TO CURRENT_USER
  USING (current_setting('workflow.history_purge', true) = 'on');
