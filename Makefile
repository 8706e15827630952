# keel — the commands a developer and CI use. Everything runs through uv and the locked environment.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# uv cannot download interpreters everywhere: point it at a local Python 3.12 when one is found.
# (pyenv's shims answer `python3.12` even when it is not the selected version, so pyenv is asked first.)
UV_PYTHON ?= $(shell (command -v pyenv >/dev/null && ls -d "$$(pyenv root)"/versions/3.12*/bin/python3.12 2>/dev/null | tail -1) || (python3.12 --version >/dev/null 2>&1 && command -v python3.12))
export UV_PYTHON
UV ?= uv
RUN := $(UV) run --locked
PYTEST_WORKERS ?= 2

.PHONY: help install run test test-resilience bench-resilience test-unit test-integration lint format typecheck imports bench bench-jobs clean

help: ## Show this help
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-18s %s\n", $$1, $$2}'

install: ## Create .venv from uv.lock (all groups)
	$(UV) sync --locked

run: install ## The whole local stack: PostgreSQL, Redis, Temporal, SMTP sink, migrations, API
	$(RUN) keel dev

test: install ## The full suite against real PostgreSQL and Redis (embedded ones when none is configured)
	$(RUN) pytest -n $(PYTEST_WORKERS) --dist loadgroup -m "not resilience"

test-resilience: install ## Fault injection: private PostgreSQL/Redis/Temporal/SMTP killed under load (prints figures)
	$(RUN) pytest tests/resilience -m resilience -n $(PYTEST_WORKERS) --dist loadfile

bench-resilience: install ## The resilience suite, its table of figures written to build/resilience.md
	mkdir -p build
	KEEL_RESILIENCE_REPORT=build/resilience.md $(RUN) pytest tests/resilience -m resilience -n $(PYTEST_WORKERS) --dist loadfile

test-unit: install ## Unit tests only (no I/O)
	$(RUN) pytest tests/unit

lint: install ## ruff, ruff format --check, mypy --strict, import-linter contracts
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) mypy
	$(RUN) lint-imports

format: install ## Apply ruff's fixes and formatting
	$(RUN) ruff check --fix .
	$(RUN) ruff format .

bench: install ## Benchmarks (print figures; never part of the test suite)
	$(RUN) python -m benchmarks $(BENCH_ARGS)

clean: ## Remove caches (keeps .keel/, the local stack's data)
	rm -rf .mypy_cache .ruff_cache .pytest_cache .hypothesis build dist

bench-jobs: install ## Batch jobs on real services: 100k-row import, 1,000 emails, 100k/1M-user export (prints figures)
	$(RUN) python -m benchmarks.jobs
	$(RUN) python -m benchmarks.jobs_export
