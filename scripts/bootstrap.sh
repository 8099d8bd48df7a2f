#!/usr/bin/env bash
# Create .venv and install the project (pinned). Uses uv when it can (much faster), pip otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null 2>&1 || PY=python3
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=.venv/.installed-$(cat requirements.txt constraints.txt pyproject.toml | sha256sum | cut -c1-16)
if [ -f "$stamp" ]; then exit 0; fi
.venv/bin/python -m pip install -q --upgrade pip uv >/dev/null 2>&1 || true
if .venv/bin/python -m uv --version >/dev/null 2>&1; then
  .venv/bin/python -m uv pip install -q --python .venv/bin/python -r requirements.txt -c constraints.txt -e .
else
  .venv/bin/python -m pip install -q -r requirements.txt -c constraints.txt -e .
fi
rm -f .venv/.installed-*
touch "$stamp"
