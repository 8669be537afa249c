#!/bin/sh
# Runs once, when the postgres container initialises an empty data directory: creates the two
# logins the engine runs as, with their passwords, before the first migration. The migration then
# finds them and only grants workflow_runtime its SET ROLE memberships (docs/database.md, "Database roles").
set -eu
: "${WORKFLOW_RUNTIME_PASSWORD:?set WORKFLOW_RUNTIME_PASSWORD}"
: "${WORKFLOW_QUERY_PASSWORD:?set WORKFLOW_QUERY_PASSWORD}"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v runtime_password="$WORKFLOW_RUNTIME_PASSWORD" -v query_password="$WORKFLOW_QUERY_PASSWORD" <<'SQL'
CREATE ROLE workflow_runtime LOGIN NOINHERIT NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD :'runtime_password';
CREATE ROLE workflow_query LOGIN NOINHERIT NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD :'query_password';
SQL
