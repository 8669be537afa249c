-- 0009: approvals that organisations need. A task may be held by a list of candidate users (a
-- quorum's voters), keeps the votes cast on it, the users separation of duties excludes from it
-- (known when it was created, so their queue hides it), when it was claimed, and whom a deputy
-- decided for. A decision may now send the instance back for revision ('returned'). Deputy
-- windows are a tenant's own table under the same row-level security as the rest.
ALTER TABLE workflow_instance_nodes
  ADD COLUMN candidate_users text[] NOT NULL DEFAULT '{}',
  ADD COLUMN excluded_users text[] NOT NULL DEFAULT '{}',
  ADD COLUMN claimed_at timestamptz,
  ADD COLUMN votes jsonb NOT NULL DEFAULT '[]',
  ADD COLUMN on_behalf_of text;

-- Definition-wide settings beyond the guide's columns (separation-of-duties defaults, the
-- managerRole), as the definition was saved.
ALTER TABLE workflow_definitions ADD COLUMN policies jsonb NOT NULL DEFAULT '{}';

ALTER TABLE workflow_instance_nodes DROP CONSTRAINT workflow_instance_nodes_decision_check;
ALTER TABLE workflow_instance_nodes ADD CONSTRAINT workflow_instance_nodes_decision_check
  CHECK (decision IN ('approved', 'rejected', 'completed', 'returned'));

-- A voter's queue: the waiting quorum tasks that name them.
CREATE INDEX idx_workflow_instance_nodes_candidates ON workflow_instance_nodes USING gin (candidate_users)
  WHERE status = 'waiting' AND waiting_for = 'task' AND assigned_user_id IS NULL;

-- The queue view gains what the queue's rule and the task views read (appended: CREATE OR
-- REPLACE keeps the existing columns as they are).
CREATE OR REPLACE VIEW v_user_task_queue WITH (security_invoker = true) AS
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
  END AS urgency_level,
  n.candidate_users,
  n.excluded_users,
  n.votes,
  n.claimed_at,
  i.started_by,
  i.definition_id,
  n.comments
FROM workflow_instance_nodes n
JOIN workflow_instances i ON i.id = n.instance_id
JOIN workflow_definitions d ON d.id = i.definition_id
WHERE n.status = 'waiting' AND n.waiting_for = 'task';

-- The task queue notification routes candidate users too (c), less those who voted; a vote
-- changes who holds the task, so it is news.
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
      'e', CASE WHEN OLD.escalated_at IS NOT NULL THEN OLD.escalation_role END,
      'c', CASE WHEN OLD.assigned_user_id IS NULL AND OLD.candidate_users <> '{}' THEN to_jsonb(OLD.candidate_users) END,
      'v', CASE WHEN OLD.votes <> '[]' THEN OLD.votes END);
  END IF;
  IF NEW.status = 'waiting' AND NEW.waiting_for = 'task' THEN
    after_holders := jsonb_build_object(
      'u', NEW.assigned_user_id,
      'r', CASE WHEN NEW.assigned_user_id IS NULL THEN NEW.assigned_role END,
      'e', CASE WHEN NEW.escalated_at IS NOT NULL THEN NEW.escalation_role END,
      'c', CASE WHEN NEW.assigned_user_id IS NULL AND NEW.candidate_users <> '{}' THEN to_jsonb(NEW.candidate_users) END,
      'v', CASE WHEN NEW.votes <> '[]' THEN NEW.votes END);
  END IF;
  -- an update that leaves the task with the same holders (a breach recorded, a lease) is no news
  IF before_holders IS NOT DISTINCT FROM after_holders THEN
    RETURN NULL;
  END IF;
  -- votes only tell that something changed: listeners re-check; they are not routing
  payload := jsonb_build_object('t', NEW.tenant_id, 'k', NEW.id, 'i', NEW.instance_id,
    'b', before_holders - 'v', 'a', after_holders - 'v')::text;
  IF octet_length(payload) > 7900 THEN
    payload := jsonb_build_object('t', NEW.tenant_id, 'k', NEW.id, 'i', NEW.instance_id, 'o', true)::text;
  END IF;
  PERFORM pg_notify('workflow_task_queue', payload);
  RETURN NULL;
END
$$;

-- Deputies while away: while user_id is away (starts_at to ends_at), deputy_user_id also holds
-- the tasks assigned to user_id in person, optionally only in some workflows or for some roles.
CREATE TABLE workflow_deputies (
  id              uuid PRIMARY KEY DEFAULT uuid_generate_v4(),
  tenant_id       uuid NOT NULL,
  user_id         text NOT NULL,
  deputy_user_id  text NOT NULL,
  starts_at       timestamptz NOT NULL,
  ends_at         timestamptz NOT NULL,
  workflows       text[],
  roles           text[],
  created_by      text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT workflow_deputies_window CHECK (ends_at > starts_at),
  CONSTRAINT workflow_deputies_not_self CHECK (user_id <> deputy_user_id)
);
CREATE INDEX idx_workflow_deputies_active ON workflow_deputies (tenant_id, ends_at, starts_at);
CREATE INDEX idx_workflow_deputies_user ON workflow_deputies (tenant_id, user_id, starts_at);
ALTER TABLE workflow_deputies ENABLE ROW LEVEL SECURITY;
ALTER TABLE workflow_deputies FORCE ROW LEVEL SECURITY;
CREATE POLICY workflow_deputies_tenant ON workflow_deputies FOR ALL TO workflow_app
  USING (tenant_id = NULLIF(current_setting('app.current_tenant', true), '')::uuid)
  WITH CHECK (tenant_id = NULLIF(current_setting('app.current_tenant', true), '')::uuid);
GRANT SELECT, INSERT, DELETE ON workflow_deputies TO workflow_app;
