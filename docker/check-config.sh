#!/usr/bin/env bash
# Refuses to start the stack with the settings of docker/env.example left as they are: runs first
# (service config-check; PostgreSQL, Redis and Airflow wait for it) and again in airflow-init.
# A placeholder ("change-me"), an empty value, a password that would break the database URLs it
# ends up in, or a Fernet key Fernet cannot use: one clear line per problem, exit 1.
set -uo pipefail

problems=()

secret() {  # name, minimum length
    local name="$1" min="$2" value="${!1:-}"
    if [[ -z "${value}" ]]; then
        problems+=("${name} is empty: set it in .env (see docker/env.example)")
    elif [[ "${value,,}" == *change-me* || "${value,,}" == *changeme* ]]; then
        problems+=("${name} is still the placeholder '${value}': replace it in .env (see docker/env.example)")
    elif (( ${#value} < min )); then
        problems+=("${name} is ${#value} characters long: use at least ${min}")
    fi
}

password() {  # a secret that is part of a database URL: URL-safe characters only
    secret "$1" 12
    local value="${!1:-}"
    if [[ -n "${value}" && ! "${value}" =~ ^[A-Za-z0-9._~-]+$ ]]; then
        problems+=("$1 contains characters that are not URL-safe (it is part of a database URL): use letters, digits, - _ . ~")
    fi
}

password AIRFLOW_DB_PASSWORD
password NEWSDESK_DB_PASSWORD
secret AIRFLOW_ADMIN_PASSWORD 12
secret AIRFLOW_API_SECRET_KEY 32
secret AIRFLOW_JWT_SECRET 32
secret AIRFLOW_FERNET_KEY 44

if [[ -n "${AIRFLOW_FERNET_KEY:-}" && "${AIRFLOW_FERNET_KEY,,}" != *change-me* ]]; then
    # The key as Airflow will read it: 32 url-safe base64-encoded bytes.
    if ! fernet_error=$(python - <<'PY' 2>&1
import os, sys
from cryptography.fernet import Fernet
try:
    Fernet(os.environ["AIRFLOW_FERNET_KEY"].encode())
except Exception as exc:
    sys.exit(f"{type(exc).__name__}: {exc}")
PY
    ); then
        problems+=("AIRFLOW_FERNET_KEY is not a valid Fernet key (${fernet_error##*$'\n'}); generate one with: python -c \"from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())\"")
    fi
fi

if (( ${#problems[@]} )); then
    echo "newsdesk: refusing to start, .env is not ready:" >&2
    for problem in "${problems[@]}"; do
        echo "  - ${problem}" >&2
    done
    exit 1
fi
echo "newsdesk: configuration checked"
