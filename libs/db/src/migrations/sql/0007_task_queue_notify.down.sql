-- Rollback of 0007: the task queue notifications go (GraphQL subscriptions then hear nothing).
DROP TRIGGER trg_workflow_task_queue_notify_update ON workflow_instance_nodes;
DROP TRIGGER trg_workflow_task_queue_notify_insert ON workflow_instance_nodes;
DROP FUNCTION workflow_task_queue_notify();
