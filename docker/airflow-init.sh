#!/usr/bin/env bash
# One-shot initialisation for docker compose (service airflow-init); safe to run again.
#   0. refuse placeholder secrets and an invalid Fernet key (docker/check-config.sh)
#   1. migrate Airflow's metadata database (the FAB auth manager's tables included)
#   2. migrate the newsdesk warehouse (a separate database on the same PostgreSQL)
#   3. (re)create the Airflow connection newsdesk_db and the pool newsdesk_http
#   4. the FAB user "admin" (role Admin), its password set from AIRFLOW_ADMIN_PASSWORD every time
set -euo pipefail

: "${NEWSDESK_DATABASE_URL:?NEWSDESK_DATABASE_URL must be set}"
: "${AIRFLOW_ADMIN_PASSWORD:?AIRFLOW_ADMIN_PASSWORD must be set (see docker/env.example)}"

bash "$(dirname "$0")/check-config.sh"

echo "airflow-init: migrating the Airflow metadata database"
airflow db migrate

echo "airflow-init: migrating the newsdesk warehouse"
newsdesk migrate  # reads NEWSDESK_DATABASE_URL (kept off the command line)

echo "airflow-init: connection newsdesk_db and pool newsdesk_http"
airflow connections delete newsdesk_db > /dev/null 2>&1 || true
airflow connections add newsdesk_db --conn-uri "${NEWSDESK_DATABASE_URL}" \
    --conn-description "newsdesk warehouse (created by airflow-init)"
airflow pools set newsdesk_http "${NEWSDESK_HTTP_POOL_SLOTS:-16}" "newsdesk: concurrent HTTP tasks"

echo "airflow-init: user admin (FAB auth manager)"
# `users create` leaves an existing user alone; the reset makes .env the password's one source.
airflow users create --username admin --firstname newsdesk --lastname admin --role Admin \
    --email "${AIRFLOW_ADMIN_EMAIL:-admin@example.org}" --password "${AIRFLOW_ADMIN_PASSWORD}"
airflow users reset-password --username admin --password "${AIRFLOW_ADMIN_PASSWORD}"
echo "airflow-init: done"
