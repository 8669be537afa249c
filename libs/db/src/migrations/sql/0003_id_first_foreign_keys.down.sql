-- Rollback of 0003: the keys lead with tenant_id again.
ALTER TABLE workflow_instance_history DROP CONSTRAINT fk_workflow_instance_history_instance;
ALTER TABLE workflow_instance_nodes DROP CONSTRAINT fk_workflow_instance_nodes_instance;
ALTER TABLE workflow_instances
  DROP CONSTRAINT fk_workflow_instances_parent,
  DROP CONSTRAINT fk_workflow_instances_definition;
ALTER TABLE workflow_instances DROP CONSTRAINT uq_workflow_instances_id_tenant;
ALTER TABLE workflow_definitions DROP CONSTRAINT uq_workflow_definitions_id_tenant;

ALTER TABLE workflow_definitions ADD CONSTRAINT uq_workflow_definitions_tenant_id UNIQUE (tenant_id, id);
ALTER TABLE workflow_instances ADD CONSTRAINT uq_workflow_instances_tenant_id UNIQUE (tenant_id, id);

ALTER TABLE workflow_instances
  ADD CONSTRAINT fk_workflow_instances_definition FOREIGN KEY (tenant_id, definition_id)
    REFERENCES workflow_definitions (tenant_id, id),
  ADD CONSTRAINT fk_workflow_instances_parent FOREIGN KEY (tenant_id, parent_instance_id)
    REFERENCES workflow_instances (tenant_id, id);
ALTER TABLE workflow_instance_nodes
  ADD CONSTRAINT fk_workflow_instance_nodes_instance FOREIGN KEY (tenant_id, instance_id)
    REFERENCES workflow_instances (tenant_id, id);
ALTER TABLE workflow_instance_history
  ADD CONSTRAINT fk_workflow_instance_history_instance FOREIGN KEY (tenant_id, instance_id)
    REFERENCES workflow_instances (tenant_id, id);
