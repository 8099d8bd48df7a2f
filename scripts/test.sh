#!/usr/bin/env bash
# The README's test command: lint + type check + every test (unit, policy, suites, PostgreSQL + S3
# integration, end to end through Airflow, browser, the native stack). Starts what the tests need first.
set -euo pipefail
cd "$(dirname "$0")/.."
export GX_ANALYTICS_ENABLED=False
pg_url=$(bash scripts/services.sh)  # PostgreSQL + Redis on loopback, started only when not running
if [ -n "$pg_url" ]; then export DESA_CANTIK_TEST_PG=$pg_url; fi
if ! command -v chromium >/dev/null 2>&1; then  # Debian's Chromium, driven by Playwright in the browser tests
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
fi
.venv/bin/ruff check include dags plugins tests benchmarks scripts
.venv/bin/mypy
.venv/bin/python -m pytest -q -p no:cacheprovider "$@"
