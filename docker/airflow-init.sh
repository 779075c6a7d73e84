#!/usr/bin/env bash
# One-shot initialisation for docker compose (service airflow-init); safe to run again.
#   1. migrate Airflow's metadata database
#   2. migrate the newsdesk warehouse (a separate database on the same PostgreSQL)
#   3. (re)create the Airflow connection newsdesk_db and the pool newsdesk_http
#   4. write the simple auth manager's password file for the admin user
set -euo pipefail

: "${NEWSDESK_DATABASE_URL:?NEWSDESK_DATABASE_URL must be set}"
: "${AIRFLOW_ADMIN_PASSWORD:?AIRFLOW_ADMIN_PASSWORD must be set (see docker/env.example)}"

echo "airflow-init: migrating the Airflow metadata database"
airflow db migrate

echo "airflow-init: migrating the newsdesk warehouse"
newsdesk migrate  # reads NEWSDESK_DATABASE_URL (kept off the command line)

echo "airflow-init: connection newsdesk_db and pool newsdesk_http"
airflow connections delete newsdesk_db > /dev/null 2>&1 || true
airflow connections add newsdesk_db --conn-uri "${NEWSDESK_DATABASE_URL}" \
    --conn-description "newsdesk warehouse (created by airflow-init)"
airflow pools set newsdesk_http "${NEWSDESK_HTTP_POOL_SLOTS:-16}" "newsdesk: concurrent HTTP tasks"

passwords_file="${AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE:-}"
if [[ -n "${passwords_file}" ]]; then
    echo "airflow-init: admin password file ${passwords_file}"
    mkdir -p "$(dirname "${passwords_file}")"
    python - "${passwords_file}" <<'PY'
import json, os, sys
with open(sys.argv[1], "w", encoding="utf-8") as out:
    json.dump({"admin": os.environ["AIRFLOW_ADMIN_PASSWORD"]}, out)
os.chmod(sys.argv[1], 0o600)
PY
fi
echo "airflow-init: done"
