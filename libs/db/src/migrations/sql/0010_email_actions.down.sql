-- Rollback of 0010: the record of used email links goes; links still within their expiry would
-- work once more, so roll back only when none is outstanding (EMAIL_ACTION_TTL_HOURS after the
-- last approval mail) or accept that.
DROP TABLE workflow_email_actions;
