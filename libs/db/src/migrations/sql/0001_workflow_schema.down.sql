-- Rollback of 0001: drops the workflow objects. The workflow_app role and the extensions stay
-- (cluster-wide / possibly shared).
DROP VIEW IF EXISTS v_workflow_analytics;
DROP VIEW IF EXISTS v_user_task_queue;
DROP TABLE IF EXISTS workflow_instance_history;
DROP TABLE IF EXISTS workflow_instance_nodes;
DROP TABLE IF EXISTS workflow_instances;
DROP TABLE IF EXISTS workflow_definitions;
DROP FUNCTION IF EXISTS workflow_history_append_only();
DROP FUNCTION IF EXISTS update_workflow_updated_at();
