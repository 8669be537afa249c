-- A definition's optional contextSchema (JSON Schema of its context): kept with the version, so
-- every start of that version checks its context against it.
ALTER TABLE workflow_definitions ADD COLUMN context_schema jsonb;
