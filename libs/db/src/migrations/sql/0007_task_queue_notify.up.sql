-- 0007: API processes hear at commit that a task entered or left someone's queue (the GraphQL
-- subscription taskQueueChanged), whichever process made the change. Postgres delivers a
-- notification only when the writing transaction commits, and never for one that rolls back.
--
-- The payload carries ids and routing only: the tenant, the task (its execution id), its instance,
-- and who held the task before (b) and after (a) the change, by the task queue's rule
-- (HOLDS_TASK_SQL in libs/db/src/repositories/tasks.repository.ts): the assigned user (u); the
-- assigned role when no user is assigned (r); the escalation role once escalated (e). A side is
-- null when the execution was not (or is no longer) a waiting task. The listener re-reads a task
-- through the tasks service before telling anyone it is in their queue.
--
-- A payload must stay under Postgres' 8000-byte limit: with user ids or role names so long that it
-- would not, the routing is left out (o: true) and listeners re-check the task for every
-- subscriber of the tenant.
CREATE FUNCTION workflow_task_queue_notify() RETURNS trigger
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
  -- an update that leaves the task with the same holders (a breach recorded, a lease) is no news
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

-- Only rows that are, or were, a waiting task reach the function: other executions cost a WHEN test.
CREATE TRIGGER trg_workflow_task_queue_notify_insert
  AFTER INSERT ON workflow_instance_nodes
  FOR EACH ROW WHEN (NEW.status = 'waiting' AND NEW.waiting_for = 'task')
  EXECUTE FUNCTION workflow_task_queue_notify();
CREATE TRIGGER trg_workflow_task_queue_notify_update
  AFTER UPDATE ON workflow_instance_nodes
  FOR EACH ROW WHEN ((OLD.status = 'waiting' AND OLD.waiting_for = 'task') OR (NEW.status = 'waiting' AND NEW.waiting_for = 'task'))
  EXECUTE FUNCTION workflow_task_queue_notify();
