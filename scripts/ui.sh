#!/usr/bin/env bash
# The Airflow UI on the demo's deployment (http://localhost:8080); login printed by `airflow standalone`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
airflow db migrate >/dev/null 2>&1
exec airflow standalone
