-- 0005: columns and keys for the hardening fixes.
--
-- Idempotency keys belong to the caller, not to the tenant: another user replaying a key with the
-- same body used to receive the first user's instance, context included. started_by is the
-- caller for every keyed start (a user, or the cron starter for cron fires).
ALTER TABLE workflow_instances DROP CONSTRAINT uq_workflow_instances_idempotency;
ALTER TABLE workflow_instances
  ADD CONSTRAINT uq_workflow_instances_idempotency UNIQUE (tenant_id, started_by, idempotency_key);

-- The whole tree of an instance is bounded: the root counts its tree's instances (itself
-- included), and a child starts only while the count is under WORKFLOW_MAX_INSTANCES_PER_TREE.
-- root_instance_id is null on roots (and on instances started before this migration: their
-- children count from themselves).
ALTER TABLE workflow_instances
  ADD COLUMN root_instance_id uuid,
  ADD COLUMN tree_instance_count integer NOT NULL DEFAULT 1 CHECK (tree_instance_count >= 1),
  -- why an operator cancelled the instance (also in the history row)
  ADD COLUMN cancel_reason text;

-- What a failure closed: the status an execution had when the failure of another branch cancelled
-- it, so that a retry of the instance brings it back (an approval returns to its queue).
ALTER TABLE workflow_instance_nodes
  ADD COLUMN closed_by_failure_from text CHECK (closed_by_failure_from IN ('ready', 'running', 'waiting')),
  -- when the task passed its deadline, recorded whether or not escalation is on
  ADD COLUMN sla_breached_at timestamptz;
-- The SLA sweep now looks for every unrecorded breach, not only the ones escalation handles.
DROP INDEX idx_workflow_instance_nodes_sla;
CREATE INDEX idx_workflow_instance_nodes_sla ON workflow_instance_nodes (sla_deadline)
  WHERE status = 'waiting' AND waiting_for = 'task' AND sla_breached_at IS NULL AND escalated_at IS NULL;

-- Schedulers re-read the cron triggers when definitions change, told at commit.
CREATE FUNCTION workflow_definitions_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('workflow_definitions_changed', '');
  RETURN NULL;
END
$$;
CREATE TRIGGER trg_workflow_definitions_notify
  AFTER INSERT OR UPDATE OR DELETE ON workflow_definitions
  FOR EACH STATEMENT EXECUTE FUNCTION workflow_definitions_notify();
