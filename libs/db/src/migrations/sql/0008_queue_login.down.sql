-- Rollback of 0008: roles are cluster-wide and other databases may use it, so it is kept (as 0004 keeps its logins).
SELECT 1;
