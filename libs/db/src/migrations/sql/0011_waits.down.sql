-- Rollback of 0011: messages and calendars go; refused while timer or receive executions exist
-- (their rows would no longer fit the node type check).
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM workflow_instance_nodes WHERE node_type IN ('timer', 'receive')) THEN
    RAISE EXCEPTION 'timer or receive executions exist: 0011 cannot be rolled back without losing them';
  END IF;
END
$$;
DROP TABLE workflow_calendars;
DROP TABLE workflow_messages;
DROP INDEX idx_workflow_instance_nodes_receivers;
DROP INDEX idx_workflow_instance_nodes_finished_tasks;
DROP VIEW v_user_task_queue;
CREATE VIEW v_user_task_queue WITH (security_invoker = true) AS
SELECT
  n.id AS task_id, n.tenant_id, n.instance_id, d.name AS workflow_name, d.version AS workflow_version,
  n.node_id, n.node_name AS task_name, n.node_type, n.assigned_user_id, n.assigned_role, n.escalation_role,
  n.escalated_at, n.sla_deadline, n.created_at, i.context_entity_type, i.context_entity_id, i.context_data,
  round((extract(epoch FROM (n.sla_deadline - now())) / 3600)::numeric, 2) AS hours_remaining,
  (now() >= n.sla_deadline) AS is_overdue,
  CASE
    WHEN now() >= n.sla_deadline THEN 'OVERDUE'
    WHEN n.sla_deadline - now() <= make_interval(secs => 3600 *
      COALESCE(NULLIF(current_setting('app.urgent_threshold_hours', true), '')::double precision, 4))
      THEN 'URGENT'
    ELSE 'NORMAL'
  END AS urgency_level,
  n.candidate_users, n.excluded_users, n.votes, n.claimed_at, i.started_by, i.definition_id, n.comments
FROM workflow_instance_nodes n
JOIN workflow_instances i ON i.id = n.instance_id
JOIN workflow_definitions d ON d.id = i.definition_id
WHERE n.status = 'waiting' AND n.waiting_for = 'task';
GRANT SELECT ON v_user_task_queue TO workflow_app, workflow_sweeper;
DROP INDEX idx_workflow_instance_nodes_wake;
ALTER TABLE workflow_instances DROP COLUMN sla_paused_ms;
ALTER TABLE workflow_instance_nodes
  DROP COLUMN at_risk_at,
  DROP COLUMN forecast_finish_at,
  DROP COLUMN pauses_sla,
  DROP COLUMN callback_nonce,
  DROP COLUMN correlation_key,
  DROP COLUMN message_name,
  DROP COLUMN wait_marks,
  DROP COLUMN wake_at;
ALTER TABLE workflow_instance_nodes DROP CONSTRAINT workflow_instance_nodes_waiting_for_check;
ALTER TABLE workflow_instance_nodes ADD CONSTRAINT workflow_instance_nodes_waiting_for_check
  CHECK (waiting_for IN ('task', 'join', 'child'));
ALTER TABLE workflow_instance_nodes DROP CONSTRAINT workflow_instance_nodes_node_type_check;
ALTER TABLE workflow_instance_nodes ADD CONSTRAINT workflow_instance_nodes_node_type_check
  CHECK (node_type IN ('approval', 'service_task', 'user_task', 'gateway', 'sub_workflow'));
