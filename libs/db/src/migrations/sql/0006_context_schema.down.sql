-- Rollback of 0006: the schemas saved with definitions are dropped.
ALTER TABLE workflow_definitions DROP COLUMN context_schema;
