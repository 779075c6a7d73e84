#!/usr/bin/env bash
# Runs once, when the PostgreSQL data volume is first initialised (docker-entrypoint-initdb.d):
# the image has created the Airflow metadata database ($POSTGRES_DB, owned by $POSTGRES_USER);
# this adds the newsdesk warehouse as a separate database with its own role.
set -euo pipefail

: "${NEWSDESK_DB_PASSWORD:?NEWSDESK_DB_PASSWORD must be set}"

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v nd_user="${NEWSDESK_DB_USER:-newsdesk}" \
    -v nd_password="${NEWSDESK_DB_PASSWORD}" \
    -v nd_db="${NEWSDESK_DB_NAME:-newsdesk}" <<'SQL'
CREATE ROLE :"nd_user" LOGIN PASSWORD :'nd_password';
CREATE DATABASE :"nd_db" OWNER :"nd_user";
REVOKE ALL ON DATABASE :"nd_db" FROM PUBLIC;
SQL
