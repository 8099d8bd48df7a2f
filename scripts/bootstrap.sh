#!/usr/bin/env bash
# Create .venv and install the project (pinned). Uses uv when it can (much faster), pip otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null 2>&1 || PY=python3
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=.venv/.installed-$(cat requirements.txt constraints.txt pyproject.toml scripts/bootstrap.sh | sha256sum | cut -c1-16)
if [ -f "$stamp" ]; then exit 0; fi
.venv/bin/python -m pip install -q --upgrade pip uv >/dev/null 2>&1 || true
if .venv/bin/python -m uv --version >/dev/null 2>&1; then
  .venv/bin/python -m uv pip install -q --python .venv/bin/python -r requirements.txt -c constraints.txt -e .
else
  .venv/bin/python -m pip install -q -r requirements.txt -c constraints.txt -e .
fi
# Bytecode, as pip writes it on a server (uv does not, and PYTHONDONTWRITEBYTECODE stops Python writing it later):
# without it every Airflow process compiles its imports again (~9 s; `make demo`'s cycle 31 s -> 23 s).
.venv/bin/python -m compileall -q -j 0 .venv/lib/python3*/site-packages >/dev/null 2>&1 || true
rm -f .venv/.installed-*
touch "$stamp"
