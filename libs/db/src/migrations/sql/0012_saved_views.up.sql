-- 0012: saved views, each user's own named filters of a page of the web app (the inbox, the
-- operator's task list, the instance search, the incident list), kept on the server so they follow
-- the user from one device to the next. A tenant's own table under row-level security; which
-- user's rows a request reads is the service's filter (the user is not a database setting).
CREATE TABLE workflow_saved_views (
  id          uuid PRIMARY KEY DEFAULT uuid_generate_v4(),
  tenant_id   uuid NOT NULL,
  user_id     text NOT NULL,
  page        text NOT NULL CHECK (page IN ('inbox', 'tasks', 'instances', 'incidents')),
  -- trimmed by the API; 1 to 80 characters
  name        text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 80 AND name = btrim(name)),
  -- a JSON object of string, number, boolean and string-array values, at most 4 KiB as the API
  -- serialises it (the column's bound is looser: jsonb prints with spaces)
  filters     jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(filters) = 'object' AND octet_length(filters::text) <= 8192),
  -- the order of the user's views of one page, lowest first (then by name)
  position    integer NOT NULL DEFAULT 0 CHECK (position >= 0),
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT uq_workflow_saved_views_name UNIQUE (tenant_id, user_id, page, name)
);
ALTER TABLE workflow_saved_views ENABLE ROW LEVEL SECURITY;
ALTER TABLE workflow_saved_views FORCE ROW LEVEL SECURITY;
CREATE POLICY workflow_saved_views_tenant ON workflow_saved_views FOR ALL TO workflow_app
  USING (tenant_id = NULLIF(current_setting('app.current_tenant', true), '')::uuid)
  WITH CHECK (tenant_id = NULLIF(current_setting('app.current_tenant', true), '')::uuid);
GRANT SELECT, INSERT, UPDATE, DELETE ON workflow_saved_views TO workflow_app;
