# newsdesk on the official Airflow image: Airflow 3.3 + newsdesk's locked dependencies, with this
# repository laid out under AIRFLOW_HOME (/opt/airflow): dags/, plugins/ (the newsdesk library and
# the UI plugin), sql/, seeds/. Build: docker compose build (or docker build -t newsdesk-airflow .)
ARG AIRFLOW_VERSION=3.3.2
ARG PYTHON_VERSION=3.11
ARG UV_VERSION=0.13.9

# Base images are pinned by tag: their digests cannot be looked up from this (offline) machine.
# To pin by digest: docker buildx imagetools inspect apache/airflow:3.3.2-python3.11, then
# FROM apache/airflow:3.3.2-python3.11@sha256:<digest> (and the same for the uv image).
FROM ghcr.io/astral-sh/uv:${UV_VERSION} AS uv

FROM apache/airflow:${AIRFLOW_VERSION}-python${PYTHON_VERSION}
ARG AIRFLOW_VERSION

USER airflow
WORKDIR /opt/airflow

# 1. Dependencies exactly as locked in uv.lock (hash-checked), on top of the image's Airflow: the
#    project's own dependencies only (--no-default-groups: neither the dev tools nor the embedded
#    PostgreSQL of the "embedded" group, which has no linux/aarch64 wheel). Every package this
#    installs has a wheel for linux x86_64 and aarch64 in the lock (tests/dags/test_compose.py).
#    A layer of its own: it is rebuilt only when pyproject.toml or uv.lock change.
COPY --from=uv /uv /tmp/uv
COPY --chown=airflow:0 pyproject.toml uv.lock README.md /opt/airflow/
RUN /tmp/uv export --frozen --no-default-groups --no-emit-project --format requirements-txt \
        --output-file /tmp/requirements.txt \
    && grep -q "^apache-airflow==${AIRFLOW_VERSION} " /tmp/requirements.txt \
    && ! grep -q "^pgserver==" /tmp/requirements.txt \
    && pip install --no-cache-dir --require-hashes -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# 2. The project itself. An editable install keeps the code where Airflow expects it
#    (/opt/airflow/plugins) and gives the `newsdesk` command; sql/ and seeds/ are found next to it.
COPY --chown=airflow:0 sql/ /opt/airflow/sql/
COPY --chown=airflow:0 seeds/ /opt/airflow/seeds/
COPY --chown=airflow:0 plugins/ /opt/airflow/plugins/
COPY --chown=airflow:0 dags/ /opt/airflow/dags/
COPY --chown=airflow:0 docker/airflow-init.sh docker/check-config.sh /opt/airflow/docker/
RUN pip install --no-cache-dir --no-deps --editable /opt/airflow \
    && newsdesk --help > /dev/null \
    && python -c "import newsdesk, newsdesk_airflow, newsdesk_plugin"

ENV NEWSDESK_HOME=/opt/airflow
