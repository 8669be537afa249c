-- Rollback of 0002: the policies of 0001 again. The workflow_sweeper role stays (cluster-wide),
-- without its grants.
DROP POLICY workflow_instances_purge_read ON workflow_instances;

REVOKE SELECT ON v_user_task_queue, v_workflow_analytics FROM workflow_sweeper;
REVOKE SELECT ON workflow_definitions, workflow_instances, workflow_instance_nodes FROM workflow_sweeper;
REVOKE USAGE ON SCHEMA public FROM workflow_sweeper;
DROP POLICY workflow_definitions_sweeper_read ON workflow_definitions;
DROP POLICY workflow_instances_sweeper_read ON workflow_instances;
DROP POLICY workflow_instance_nodes_sweeper_read ON workflow_instance_nodes;
CREATE POLICY workflow_definitions_system_read ON workflow_definitions FOR SELECT
  USING (current_setting('app.system_read', true) = 'on');
CREATE POLICY workflow_instances_system_read ON workflow_instances FOR SELECT
  USING (current_setting('app.system_read', true) = 'on');
CREATE POLICY workflow_instance_nodes_system_read ON workflow_instance_nodes FOR SELECT
  USING (current_setting('app.system_read', true) = 'on');

ALTER POLICY workflow_instance_history_tenant_insert ON workflow_instance_history TO PUBLIC;
ALTER POLICY workflow_instance_history_tenant_read ON workflow_instance_history TO PUBLIC;
ALTER POLICY workflow_definitions_tenant ON workflow_definitions TO PUBLIC;
ALTER POLICY workflow_instances_tenant ON workflow_instances TO PUBLIC;
ALTER POLICY workflow_instance_nodes_tenant ON workflow_instance_nodes TO PUBLIC;
ALTER POLICY workflow_definitions_tenant ON workflow_definitions RENAME TO workflow_definitions_tenant_write;
ALTER POLICY workflow_instances_tenant ON workflow_instances RENAME TO workflow_instances_tenant_write;
ALTER POLICY workflow_instance_nodes_tenant ON workflow_instance_nodes RENAME TO workflow_instance_nodes_tenant_write;
CREATE POLICY workflow_definitions_tenant_read ON workflow_definitions FOR SELECT
  USING (tenant_id = NULLIF(current_setting('app.current_tenant', true), '')::uuid);
CREATE POLICY workflow_instances_tenant_read ON workflow_instances FOR SELECT
  USING (tenant_id = NULLIF(current_setting('app.current_tenant', true), '')::uuid);
CREATE POLICY workflow_instance_nodes_tenant_read ON workflow_instance_nodes FOR SELECT
  USING (tenant_id = NULLIF(current_setting('app.current_tenant', true), '')::uuid);
