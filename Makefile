# newsdesk — two commands on a fresh machine: `make demo` and `make test`.
# Each bootstraps uv (from PyPI) and the locked environment first.

SHELL := /bin/bash
.DEFAULT_GOAL := help
export UV_COMPILE_BYTECODE := 1
# Airflow imports thousands of modules: without bytecode every command is seconds slower.
unexport PYTHONDONTWRITEBYTECODE

UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
VENV := .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?=

.PHONY: help demo test up stop lint typecheck bench nlp-model compose-config clean

help:
	@echo "make demo       run the ingest + analyze DAGs once on the offline sample, print a summary"
	@echo "make test       the whole test suite (unit, integration on real PostgreSQL, DAGs, browser)"
	@echo "make up         Airflow (scheduler, UI, ...) with newsdesk's DAGs and UI page on http://localhost:8080"
	@echo "make stop       stop the embedded PostgreSQL that make demo / make up leave running"
	@echo "make clean      stop it, then delete .newsdesk (warehouse, Airflow home) and test-output"
	@echo "make lint       ruff check, ruff format --check, mypy"
	@echo "make bench      every benchmark under bench/ (needs ../shared)"
	@echo "make nlp-model  retrain the bundled Dutch spaCy pipeline (needs ../shared/corpora)"

$(UV):
	python3 -m pip install --user --quiet uv

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --locked --compile-bytecode
	@touch $@

demo: $(VENV)/.synced
	$(VENV)/bin/newsdesk demo

test: $(VENV)/.synced
	bash scripts/ensure-chromium.sh
	bash scripts/ensure-redis.sh
	$(PY) -m pytest $(PYTEST_ARGS)

up: $(VENV)/.synced
	$(VENV)/bin/newsdesk up

lint: $(VENV)/.synced
	$(VENV)/bin/ruff check plugins dags tests bench nlp scripts
	$(VENV)/bin/ruff format --check plugins dags tests bench nlp scripts
	$(VENV)/bin/mypy

bench: $(VENV)/.synced
	for script in bench/[!_]*.py; do $(PY) $$script || exit 1; done

# The recipe group brings the public word lists the knowledge vectors are built from (nlp/knowledge.py).
nlp-model: $(VENV)/.synced
	$(UV) sync --locked --group recipe
	$(PY) nlp/build_model.py

compose-config:
	docker compose config -q

stop:
	@if [ -x $(VENV)/bin/newsdesk ]; then $(VENV)/bin/newsdesk db stop; else echo "no $(VENV): nothing of newsdesk's is running"; fi

# Never delete the data directory under a running server: stop it first (refused while make up
# runs), or refuse when it cannot be stopped.
PGPID = .newsdesk/pgdata/postmaster.pid
clean:
	@if [ -x $(VENV)/bin/newsdesk ]; then $(VENV)/bin/newsdesk db stop; fi
	@if [ -f $(PGPID) ] && kill -0 "$$(head -n1 $(PGPID))" 2>/dev/null; then \
		echo "make clean: PostgreSQL (pid $$(head -n1 $(PGPID))) still runs on .newsdesk/pgdata; not deleting it" >&2; \
		exit 1; \
	fi
	rm -rf .newsdesk test-output
