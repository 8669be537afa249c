-- 0010: the approve and reject links of approval mails are single use. A link's unique id (jti)
-- is recorded when someone confirms it: 'pending' while its decision is under way, then
-- 'decided' or 'refused' (separation of duties, already decided, no longer the holder's) for
-- good. A link whose row exists is refused as used. Rows outlive their link's expiry only
-- briefly: confirming any link deletes a few expired ones of the tenant. A tenant's own table,
-- under the same row-level security as the rest.
CREATE TABLE workflow_email_actions (
  tenant_id   uuid NOT NULL,
  jti         uuid NOT NULL,
  task_id     uuid NOT NULL,
  user_id     text NOT NULL,
  action      text NOT NULL CHECK (action IN ('approve', 'reject')),
  state       text NOT NULL CHECK (state IN ('pending', 'decided', 'refused')),
  -- 'decided': the decision ('approved', 'rejected', 'voted'); 'refused': the refusal's code
  outcome     text,
  used_at     timestamptz NOT NULL,
  expires_at  timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, jti)
);
CREATE INDEX idx_workflow_email_actions_expires ON workflow_email_actions (tenant_id, expires_at);
ALTER TABLE workflow_email_actions ENABLE ROW LEVEL SECURITY;
ALTER TABLE workflow_email_actions FORCE ROW LEVEL SECURITY;
CREATE POLICY workflow_email_actions_tenant ON workflow_email_actions FOR ALL TO workflow_app
  USING (tenant_id = NULLIF(current_setting('app.current_tenant', true), '')::uuid)
  WITH CHECK (tenant_id = NULLIF(current_setting('app.current_tenant', true), '')::uuid);
GRANT SELECT, INSERT, UPDATE, DELETE ON workflow_email_actions TO workflow_app;
