-- Rollback of 0004: the purge function, its policies and columns go. The login roles stay
-- (cluster-wide), and so do the revoked TEMPORARY and CREATE privileges (granting them back to
-- PUBLIC would reopen what 0004 closed; an operator can do it by hand).
DROP INDEX idx_workflow_instances_purge;
DROP FUNCTION workflow_purge_instance_history(uuid, integer, text, uuid, timestamptz, jsonb, text);
DROP POLICY workflow_instances_purge_update ON workflow_instances;
DROP POLICY workflow_instance_history_purge_insert ON workflow_instance_history;
ALTER TABLE workflow_instances DROP COLUMN history_purged_rows, DROP COLUMN history_purged_at;
REVOKE SELECT ON workflow_migrations FROM workflow_sweeper;
