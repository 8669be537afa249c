-- Rollback of 0005. Restoring the tenant-wide idempotency key fails if two users of a tenant have
-- since used the same key; resolve those rows first.
DROP TRIGGER trg_workflow_definitions_notify ON workflow_definitions;
DROP FUNCTION workflow_definitions_notify();
DROP INDEX idx_workflow_instance_nodes_sla;
CREATE INDEX idx_workflow_instance_nodes_sla ON workflow_instance_nodes (sla_deadline)
  WHERE status = 'waiting' AND waiting_for = 'task' AND escalated_at IS NULL;
ALTER TABLE workflow_instance_nodes DROP COLUMN sla_breached_at, DROP COLUMN closed_by_failure_from;
ALTER TABLE workflow_instances DROP COLUMN cancel_reason, DROP COLUMN tree_instance_count, DROP COLUMN root_instance_id;
ALTER TABLE workflow_instances DROP CONSTRAINT uq_workflow_instances_idempotency;
ALTER TABLE workflow_instances ADD CONSTRAINT uq_workflow_instances_idempotency UNIQUE (tenant_id, idempotency_key);
