#!/usr/bin/env bash
# The README's test command: lint + type check + every test (unit, policy, suites, PostgreSQL + S3
# integration, end to end through Airflow). Expects PostgreSQL on 127.0.0.1:5432 (.ci/run starts it).
set -euo pipefail
cd "$(dirname "$0")/.."
export GX_ANALYTICS_ENABLED=False
.venv/bin/ruff check include dags plugins tests benchmarks scripts
.venv/bin/mypy
.venv/bin/python -m pytest -q -p no:cacheprovider "$@"
