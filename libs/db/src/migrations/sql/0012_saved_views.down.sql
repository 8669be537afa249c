-- Rollback of 0012: the saved views go (each user's named filters; nothing else refers to them).
DROP TABLE workflow_saved_views;
