-- 0011: waiting in the middle of a process. Timer and receive nodes; every wait's next time-based
-- event (a timer's due time, a reminder, an escalation ladder level, a timeout, the deadline) in
-- one column the sweeps and delayed checks read, with the marks of what has fired; messages
-- (buffered before a receiver waits, or delivered to waiting receivers) and business calendars,
-- each a tenant's own table under row-level security.
ALTER TABLE workflow_instance_nodes DROP CONSTRAINT workflow_instance_nodes_node_type_check;
ALTER TABLE workflow_instance_nodes ADD CONSTRAINT workflow_instance_nodes_node_type_check
  CHECK (node_type IN ('approval', 'service_task', 'user_task', 'gateway', 'sub_workflow', 'timer', 'receive'));
ALTER TABLE workflow_instance_nodes DROP CONSTRAINT workflow_instance_nodes_waiting_for_check;
ALTER TABLE workflow_instance_nodes ADD CONSTRAINT workflow_instance_nodes_waiting_for_check
  CHECK (waiting_for IN ('task', 'join', 'child', 'timer', 'message'));

ALTER TABLE workflow_instance_nodes
  ADD COLUMN wake_at timestamptz,
  ADD COLUMN wait_marks jsonb NOT NULL DEFAULT '{"reminders": [], "ladder": 0}',
  ADD COLUMN message_name text,
  ADD COLUMN correlation_key text,
  ADD COLUMN callback_nonce text,
  -- clock-stop: this wait's time is left out of the instance SLA
  ADD COLUMN pauses_sla boolean NOT NULL DEFAULT false,
  -- at risk: the task's forecast finish, and when it was found to pass the deadline
  ADD COLUMN forecast_finish_at timestamptz,
  ADD COLUMN at_risk_at timestamptz;

-- The forecast reads the most recent finished executions of a task's node.
CREATE INDEX idx_workflow_instance_nodes_finished_tasks ON workflow_instance_nodes (tenant_id, node_id, completed_at DESC)
  WHERE status = 'completed' AND node_type IN ('approval', 'user_task');

-- The queue view: AT_RISK between OVERDUE and URGENT, and the mark itself (appended).
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
    WHEN n.at_risk_at IS NOT NULL THEN 'AT_RISK'
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
  n.comments,
  n.at_risk_at
FROM workflow_instance_nodes n
JOIN workflow_instances i ON i.id = n.instance_id
JOIN workflow_definitions d ON d.id = i.definition_id
WHERE n.status = 'waiting' AND n.waiting_for = 'task';

-- Clock-stop: the time an instance waited for its requester, left out of its SLA (its deadline
-- moves by as much, so compliance counts the net time).
ALTER TABLE workflow_instances ADD COLUMN sla_paused_ms double precision NOT NULL DEFAULT 0;

-- Tasks waiting before this migration wake at their deadline, as they did.
UPDATE workflow_instance_nodes SET wake_at = sla_deadline
WHERE status = 'waiting' AND waiting_for = 'task' AND sla_breached_at IS NULL AND escalated_at IS NULL;

-- The sweeps: waits whose next event is due or comes within the horizon.
CREATE INDEX idx_workflow_instance_nodes_wake ON workflow_instance_nodes (wake_at)
  WHERE status = 'waiting' AND wake_at IS NOT NULL;
-- A message finds its waiting receivers.
CREATE INDEX idx_workflow_instance_nodes_receivers ON workflow_instance_nodes (tenant_id, message_name, correlation_key)
  WHERE status = 'waiting' AND waiting_for = 'message';

CREATE TABLE workflow_messages (
  id              uuid PRIMARY KEY DEFAULT uuid_generate_v4(),
  tenant_id       uuid NOT NULL,
  name            text NOT NULL,
  correlation_key text NOT NULL,
  -- the sender's id: a replay with the same id is answered as the first and changes nothing
  message_id      text,
  data            jsonb NOT NULL DEFAULT '{}',
  -- buffered: no receiver waited, kept until expires_at; delivered: handed to delivered_to;
  -- consumed: a receiver that came later took it; unmatched: nobody waited and no time to live
  status          text NOT NULL CHECK (status IN ('buffered', 'delivered', 'consumed', 'unmatched')),
  delivered_to    uuid[] NOT NULL DEFAULT '{}',
  consumed_by     uuid,
  via             text NOT NULL DEFAULT 'message' CHECK (via IN ('message', 'callback')),
  expires_at      timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX uq_workflow_messages_message_id ON workflow_messages (tenant_id, message_id) WHERE message_id IS NOT NULL;
CREATE INDEX idx_workflow_messages_buffered ON workflow_messages (tenant_id, name, correlation_key, created_at) WHERE status = 'buffered';
CREATE INDEX idx_workflow_messages_delivered ON workflow_messages USING gin (delivered_to) WHERE status = 'delivered';
ALTER TABLE workflow_messages ENABLE ROW LEVEL SECURITY;
ALTER TABLE workflow_messages FORCE ROW LEVEL SECURITY;
CREATE POLICY workflow_messages_tenant ON workflow_messages FOR ALL TO workflow_app
  USING (tenant_id = NULLIF(current_setting('app.current_tenant', true), '')::uuid)
  WITH CHECK (tenant_id = NULLIF(current_setting('app.current_tenant', true), '')::uuid);
GRANT SELECT, INSERT, UPDATE, DELETE ON workflow_messages TO workflow_app;
-- the reconciliation sweep finds receivers whose resume job was lost (a delivered message they did not take)
CREATE POLICY workflow_messages_sweeper_read ON workflow_messages FOR SELECT TO workflow_sweeper
  USING (current_setting('app.system_read', true) = 'on');
GRANT SELECT ON workflow_messages TO workflow_sweeper;

CREATE TABLE workflow_calendars (
  id          uuid PRIMARY KEY DEFAULT uuid_generate_v4(),
  tenant_id   uuid NOT NULL,
  name        text NOT NULL,
  definition  jsonb NOT NULL,
  version     integer NOT NULL DEFAULT 1,
  created_by  text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT uq_workflow_calendars_name UNIQUE (tenant_id, name)
);
ALTER TABLE workflow_calendars ENABLE ROW LEVEL SECURITY;
ALTER TABLE workflow_calendars FORCE ROW LEVEL SECURITY;
CREATE POLICY workflow_calendars_tenant ON workflow_calendars FOR ALL TO workflow_app
  USING (tenant_id = NULLIF(current_setting('app.current_tenant', true), '')::uuid)
  WITH CHECK (tenant_id = NULLIF(current_setting('app.current_tenant', true), '')::uuid);
GRANT SELECT, INSERT, UPDATE ON workflow_calendars TO workflow_app;
