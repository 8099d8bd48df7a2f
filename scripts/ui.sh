#!/usr/bin/env bash
# The Airflow UI on the demo's deployment (http://localhost:8080): FAB auth manager with the project's roles
# (config/peran.yaml) and the demo users (config/pengguna_demo.csv, DEMO ONLY), logins printed below.
# Runs the api-server, scheduler, dag-processor and triggerer itself: `airflow standalone` would force
# the simple auth manager (no roles). Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
HOST=${AIRFLOW__API__HOST:-127.0.0.1}  # loopback: the demo passwords are public
airflow db migrate >"$AIRFLOW_HOME/ui-migrate.log" 2>&1
python scripts/peran.py sync --pengguna config/pengguna_demo.csv 2>"$AIRFLOW_HOME/peran.log" | sed 's/^/  /'
pids=()
stopping=
stop() { stopping=1; trap - EXIT INT TERM; for p in "${pids[@]}"; do kill -TERM -- "-$p" 2>/dev/null || true; done; wait || true; }
trap stop EXIT INT TERM
start() { setsid airflow "$@" >"$AIRFLOW_HOME/ui-$1.log" 2>&1 & pids+=($!); }
start api-server -H "$HOST" -p "$AIRFLOW__API__PORT"
start scheduler
start dag-processor
start triggerer
url="http://localhost:$AIRFLOW__API__PORT"
python - "$url" "http://$HOST:$AIRFLOW__API__PORT" "$AIRFLOW_HOME" <<'PY'
import sys
import time
from pathlib import Path

import httpx

from desa_cantik.peran import DaftarPeran, read_users

for _ in range(480):  # the api-server takes a while on a busy machine
    try:
        if httpx.get(f"{sys.argv[2]}/api/v2/monitor/health", timeout=5).status_code == 200:
            break
    except httpx.HTTPError:
        pass
    time.sleep(0.5)
users = read_users(Path("config/pengguna_demo.csv").read_text(encoding="utf-8"), DaftarPeran.load())
print(f"\nAirflow UI: {sys.argv[1]}  (log: {sys.argv[3]}/ui-*.log; Ctrl-C untuk berhenti)")
print("Login demo (HANYA DEMO, kata sandi diketahui umum):")
for u in users:
    print(f"  {u.username:<20} {u.kata_sandi:<18} peran {u.peran}" + (f" ({u.kode_wilayah})" if u.kode_wilayah else ""))
print("Bappeda menyetujui publikasi di Browse → Required Actions (tugas persetujuan_bappeda siklus tahunan).")
print(f"Operator desa/kecamatan/OPD mengirim data di {sys.argv[1]}/desa-cantik/kirim.")
PY
wait -n "${pids[@]}" || true
[ -n "$stopping" ] || echo "salah satu komponen Airflow berhenti; log: $AIRFLOW_HOME/ui-*.log"
