-- Rollback of 0009: deputies, votes, candidates, exclusions and claims go; returned decisions
-- are kept as 'rejected' rows would not be true, so the rollback refuses while any exist.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM workflow_instance_nodes WHERE decision = 'returned') THEN
    RAISE EXCEPTION 'executions with decision ''returned'' exist: 0009 cannot be rolled back without losing them';
  END IF;
END
$$;
DROP TABLE workflow_deputies;
ALTER TABLE workflow_definitions DROP COLUMN policies;

CREATE OR REPLACE FUNCTION workflow_task_queue_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  before_holders jsonb;
  after_holders jsonb;
  payload text;
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.status = 'waiting' AND OLD.waiting_for = 'task' THEN
    before_holders := jsonb_build_object(
      'u', OLD.assigned_user_id,
      'r', CASE WHEN OLD.assigned_user_id IS NULL THEN OLD.assigned_role END,
      'e', CASE WHEN OLD.escalated_at IS NOT NULL THEN OLD.escalation_role END);
  END IF;
  IF NEW.status = 'waiting' AND NEW.waiting_for = 'task' THEN
    after_holders := jsonb_build_object(
      'u', NEW.assigned_user_id,
      'r', CASE WHEN NEW.assigned_user_id IS NULL THEN NEW.assigned_role END,
      'e', CASE WHEN NEW.escalated_at IS NOT NULL THEN NEW.escalation_role END);
  END IF;
  IF before_holders IS NOT DISTINCT FROM after_holders THEN
    RETURN NULL;
  END IF;
  payload := jsonb_build_object('t', NEW.tenant_id, 'k', NEW.id, 'i', NEW.instance_id, 'b', before_holders, 'a', after_holders)::text;
  IF octet_length(payload) > 7900 THEN
    payload := jsonb_build_object('t', NEW.tenant_id, 'k', NEW.id, 'i', NEW.instance_id, 'o', true)::text;
  END IF;
  PERFORM pg_notify('workflow_task_queue', payload);
  RETURN NULL;
END
$$;

DROP VIEW v_user_task_queue;
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
GRANT SELECT ON v_user_task_queue TO workflow_app, workflow_sweeper;

DROP INDEX idx_workflow_instance_nodes_candidates;
ALTER TABLE workflow_instance_nodes DROP CONSTRAINT workflow_instance_nodes_decision_check;
ALTER TABLE workflow_instance_nodes ADD CONSTRAINT workflow_instance_nodes_decision_check
  CHECK (decision IN ('approved', 'rejected', 'completed'));
ALTER TABLE workflow_instance_nodes
  DROP COLUMN on_behalf_of,
  DROP COLUMN votes,
  DROP COLUMN claimed_at,
  DROP COLUMN excluded_users,
  DROP COLUMN candidate_users;
