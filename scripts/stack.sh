#!/usr/bin/env bash
# `make stack`: the deployment of docker/ run natively on loopback (no Docker engine needed):
# PostgreSQL (Airflow metadata + warehouse), Redis (Celery broker), an S3-protocol server (moto),
# and Airflow's api-server, scheduler, dag-processor, triggerer and N Celery workers.
#
#   scripts/stack.sh up       start (idempotent), wait until every service is healthy, print URL and logins
#   scripts/stack.sh down     stop every process this stack started (data kept under $STACK_HOME)
#   scripts/stack.sh status   what runs, and Airflow's health answer
#   scripts/stack.sh env      the environment to `source` for the CLI against this stack
#   scripts/stack.sh dasar    only PostgreSQL, Redis and the S3 server, and the env (a restore's first step)
#   scripts/stack.sh migrasi  with the stack stopped: the warehouse's schema, then Airflow's (an upgrade's step 2)
#   scripts/stack.sh cek [CADANGAN]  after an upgrade: both schemas at this release; nothing lost since CADANGAN
#
# The S3 server (moto) keeps objects in memory: `down` copies them to $STACK_HOME/objek-tersimpan (each by its
# sha256, `python -m desa_cantik cadangan simpan-objek`) once Airflow has stopped, and `up` puts them back into
# an empty bucket (`muat-objek`, every checksum compared), so the stack's data outlives a restart.
#
# Settings (environment): STACK_HOME (.stack), STACK_PORT (8080), STACK_S3_PORT (9100), STACK_WORKERS (2; 0: no
# Celery, the scheduler runs the tasks itself with the LocalExecutor, STACK_CONCURRENCY at once),
# STACK_DB (desa_cantik: databases ${STACK_DB}_airflow and ${STACK_DB}_gudang), STACK_REDIS_DB (7),
# STACK_PG (postgresql://postgres@127.0.0.1:5432), DESA_CANTIK_WILAYAH (35.07).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
STACK=${STACK_HOME:-$ROOT/.stack}
PORT=${STACK_PORT:-8080}
S3_PORT=${STACK_S3_PORT:-9100}
WORKERS=${STACK_WORKERS:-2}
DB=${STACK_DB:-desa_cantik}
PG=${STACK_PG:-postgresql://postgres@127.0.0.1:5432}
REDIS_DB=${STACK_REDIS_DB:-7}
PY=$ROOT/.venv/bin
SAVED=$STACK/objek-tersimpan
EXECUTOR=airflow.providers.celery.executors.celery_executor.CeleryExecutor
PARALLELISM=32  # Airflow's default: the Celery workers' concurrency is the limit
if [ "$WORKERS" = 0 ]; then EXECUTOR=LocalExecutor PARALLELISM=${STACK_CONCURRENCY:-2}; fi  # tasks at once
mkdir -p "$STACK/pid" "$STACK/log"

secrets() {  # generated once per stack, kept 0600 beside its data; never printed
  local f=$STACK/rahasia.env
  if [ ! -f "$f" ]; then
    umask 077
    "$PY/python" - >"$f" <<'EOF'
import secrets
from cryptography.fernet import Fernet
print(f"export AIRFLOW__API_AUTH__JWT_SECRET={secrets.token_urlsafe(32)}")
print(f"export AIRFLOW__API__SECRET_KEY={secrets.token_urlsafe(32)}")
print(f"export AIRFLOW__CORE__FERNET_KEY={Fernet.generate_key().decode()}")
print(f"export S3_KUNCI=tingkat-{secrets.token_hex(4)}")
print(f"export S3_RAHASIA={secrets.token_urlsafe(24)}")
EOF
  fi
  # shellcheck disable=SC1090
  source "$f"
}

write_env() {
  secrets
  cat >"$STACK/env" <<EOF
# source me: the CLI and Airflow against the stack in $STACK
source "$STACK/rahasia.env"
export PATH=$PY:\$PATH
export DESA_CANTIK_HOME=$STACK
export DESA_CANTIK_WILAYAH=${DESA_CANTIK_WILAYAH:-35.07}
export DESA_CANTIK_TINGKAT=${DESA_CANTIK_TINGKAT:-kabupaten}
export DESA_CANTIK_GUDANG=${PG/postgresql:/postgresql+psycopg2:}/${DB}_gudang
export DESA_CANTIK_OBJEK="s3://\$S3_KUNCI:\$S3_RAHASIA@127.0.0.1:$S3_PORT/desa-cantik?region=us-east-1"
export DESA_CANTIK_KUNCI=$STACK/kunci
export DESA_CANTIK_RETRIES=${DESA_CANTIK_RETRIES:-1}
export GX_ANALYTICS_ENABLED=False
export AIRFLOW_HOME=$STACK/airflow
export AIRFLOW__CORE__DAGS_FOLDER=$ROOT/dags
export AIRFLOW__CORE__PLUGINS_FOLDER=$ROOT/plugins
export AIRFLOW__CORE__LOAD_EXAMPLES=False
export AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION=True
export AIRFLOW__CORE__EXECUTOR=$EXECUTOR
export AIRFLOW__CORE__PARALLELISM=$PARALLELISM
export AIRFLOW__CORE__AUTH_MANAGER=airflow.providers.fab.auth_manager.fab_auth_manager.FabAuthManager
export AIRFLOW__FAB__CONFIG_FILE=$ROOT/config/webserver_config.py
export DESA_CANTIK_BATAS_MASUK_PENYIMPANAN=redis://127.0.0.1:6379/$REDIS_DB  # login counts shared by the api-server's workers
export AIRFLOW__CORE__EXECUTION_API_SERVER_URL=http://127.0.0.1:$PORT/execution/
export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=${PG/postgresql:/postgresql+psycopg2:}/${DB}_airflow
export AIRFLOW__CELERY__BROKER_URL=redis://127.0.0.1:6379/$REDIS_DB
export AIRFLOW__CELERY__RESULT_BACKEND=db+${PG/postgresql:/postgresql+psycopg2:}/${DB}_airflow
export AIRFLOW__CELERY__WORKER_CONCURRENCY=${STACK_CONCURRENCY:-2}
export AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC=2
export AIRFLOW__WORKERS__MIN_HEARTBEAT_INTERVAL=1  # the supervisor notices its task's exit within 1 s, not 5 s
export AIRFLOW__SCHEDULER__SCHEDULER_IDLE_SLEEP_TIME=0.25  # task hand-overs within a quarter second (scripts/env.sh)
export AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT=${STACK_HEARTBEAT_TIMEOUT:-60}
export DESA_CANTIK_RETRY_DELAY_S=${DESA_CANTIK_RETRY_DELAY_S:-30}
export AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL=30
export AIRFLOW__LOGGING__BASE_LOG_FOLDER=$STACK/airflow/logs
export AIRFLOW__API__BASE_URL=http://127.0.0.1:$PORT
export AIRFLOW__API__HOST=127.0.0.1
export AIRFLOW__API__PORT=$PORT
export AWS_ACCESS_KEY_ID=\$S3_KUNCI AWS_SECRET_ACCESS_KEY=\$S3_RAHASIA AWS_DEFAULT_REGION=us-east-1
EOF
}

running() { [ -f "$STACK/pid/$1.pid" ] && kill -0 "$(cat "$STACK/pid/$1.pid")" 2>/dev/null; }

start() {  # start NAME CMD...: in its own process group, output to log/NAME.log
  local name=$1; shift
  if running "$name"; then return 0; fi
  setsid "$@" >"$STACK/log/$name.log" 2>&1 </dev/null &
  echo $! >"$STACK/pid/$name.pid"
}

wait_for() {  # wait_for WHAT SECONDS CMD...
  local what=$1 limit=$2; shift 2
  for _ in $(seq 1 "$limit"); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  echo "gagal: $what tidak siap dalam ${limit} s; log: $STACK/log/" >&2
  return 1
}

databases() {
  for name in airflow gudang; do
    if ! psql "$PG/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname='${DB}_$name'" | grep -q 1; then
      psql "$PG/postgres" -qc "CREATE DATABASE ${DB}_$name" >/dev/null
    fi
  done
}

health() {  # every Airflow component healthy, as the api-server reports it
  curl -fsS "http://127.0.0.1:$PORT/api/v2/monitor/health" | "$PY/python" -c '
import json, sys
h = json.load(sys.stdin)
parts = ("metadatabase", "scheduler", "triggerer", "dag_processor")
sys.exit(0 if all(h.get(p, {}).get("status") == "healthy" for p in parts) else 1)'
}

workers_ready() {  # every worker answers a Celery ping
  local n
  n=$(celery_cmd inspect ping 2>/dev/null | grep -c "pong" || true)
  [ "$n" -ge "$WORKERS" ]
}

celery_cmd() { "$PY/celery" --app airflow.providers.celery.executors.celery_executor.app "$@"; }

dasar() {  # PostgreSQL, Redis, the S3 server with its bucket, and the env; no database made, nothing of Airflow
  bash scripts/services.sh
  write_env
  # shellcheck disable=SC1091
  source "$STACK/env"
  mkdir -p "$AIRFLOW_HOME" "$DESA_CANTIK_KUNCI"
  start s3 "$PY/moto_server" -H 127.0.0.1 -p "$S3_PORT"
  wait_for "server S3 (moto)" 30 curl -fsS -o /dev/null "http://127.0.0.1:$S3_PORT/moto-api/"
  "$PY/python" - <<'EOF'
import os
from desa_cantik.storage import open_store
store = open_store(os.environ["DESA_CANTIK_OBJEK"])  # creates the bucket when missing
EOF
}

migrasi() {  # the warehouse's schema at this release's revision, then Airflow's metadata database
  databases
  "$PY/python" -m desa_cantik migrasi >"$STACK/log/migrasi.log" 2>&1 || { cat "$STACK/log/migrasi.log" >&2; exit 1; }
  airflow db migrate >"$STACK/log/migrate.log" 2>&1 || { tail -20 "$STACK/log/migrate.log" >&2; exit 1; }
}

up() {
  dasar
  if [ -f "$SAVED/objek.json" ]; then  # the objects of the last `down`, into an empty bucket only
    "$PY/python" -m desa_cantik cadangan muat-objek "$SAVED" --bila-kosong >"$STACK/log/objek.log" 2>&1 \
      || { cat "$STACK/log/objek.log" >&2; exit 1; }
  fi
  # the warehouse's schema at this release's revision before anything touches it (tasks and pages only check it)
  migrasi
  if [ -f scripts/peran.py ]; then
    "$PY/python" scripts/peran.py sync --pengguna "${STACK_PENGGUNA:-config/pengguna_demo.csv}" >"$STACK/log/peran.log" 2>&1
  fi
  ls "$DESA_CANTIK_KUNCI"/*.key >/dev/null 2>&1 || "$PY/python" -m desa_cantik keygen >/dev/null
  start api-server airflow api-server --host 127.0.0.1 --port "$PORT"
  start scheduler airflow scheduler
  start dag-processor airflow dag-processor
  start triggerer airflow triggerer
  for i in $(seq 1 "$WORKERS"); do  # none: the scheduler's LocalExecutor runs the tasks
    AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT=$((8792 + i)) DESA_CANTIK_PEKERJA=pekerja$i \
      AIRFLOW__CORE__HOSTNAME_CALLABLE=desa_cantik.pekerja.hostname start "pekerja$i" airflow celery worker --celery-hostname "pekerja$i@%h" --queues "${STACK_QUEUES:-default,gerbang}"
  done
  wait_for "Airflow (api-server, scheduler, dag-processor, triggerer)" 180 health
  if [ "$WORKERS" != 0 ]; then wait_for "$WORKERS pekerja Celery" 120 workers_ready; fi
  echo "Stack Desa Cantik siap: http://127.0.0.1:$PORT  (data: $STACK)"
  echo "Masuk sebagai (demo): bps/bps-demo, diskominfo/diskominfo-demo, bappeda/bappeda-demo, auditor/auditor-demo, admin/admin-demo; operator: operator-tulungrejo, operator-donomulyo, operator-dinkes / operator-demo (halaman: http://127.0.0.1:$PORT/desa-cantik/kirim)"
  echo "CLI terhadap stack ini: source $STACK/env   ·   berhenti: make stack-down"
}

stop() {  # stop NAME...: each process group, TERM then (after 30 s) KILL
  for name in "$@"; do
    if running "$name"; then kill -TERM -- "-$(cat "$STACK/pid/$name.pid")" 2>/dev/null || true; fi
  done
  for name in "$@"; do
    for _ in $(seq 1 30); do running "$name" || break; sleep 1; done
    if running "$name"; then kill -KILL -- "-$(cat "$STACK/pid/$name.pid")" 2>/dev/null || true; fi
    rm -f "$STACK/pid/$name.pid"
  done
}

down() {
  stop pekerja9 pekerja8 pekerja7 pekerja6 pekerja5 pekerja4 pekerja3 pekerja2 pekerja1 \
       triggerer dag-processor scheduler api-server
  if running s3 && [ -f "$STACK/env" ]; then  # nothing writes now: the in-memory objects to disk, then the server
    # shellcheck disable=SC1091
    source "$STACK/env"
    "$PY/python" -m desa_cantik cadangan simpan-objek "$SAVED" >"$STACK/log/objek.log" 2>&1 \
      || { cat "$STACK/log/objek.log" >&2; echo "gagal menyimpan objek: server S3 dibiarkan jalan" >&2; exit 1; }
  fi
  stop s3
  echo "Stack berhenti (data tetap di $STACK)"
}

cek() {  # cek [CADANGAN]: both schemas at this release, and nothing lost since the backup
  # shellcheck disable=SC1091
  source "$STACK/env"
  "$PY/python" -m desa_cantik versi  # the release this stack runs, its package formats
  "$PY/python" -m desa_cantik migrasi --cek
  airflow db check-migrations -t 60 >/dev/null
  echo "Metadata Airflow: skema sesuai rilis Airflow ini"
  if [ -n "${1:-}" ]; then "$PY/python" -m desa_cantik cadangan banding "$1"; fi
}

status() {
  for f in "$STACK"/pid/*.pid; do
    [ -e "$f" ] || continue
    name=$(basename "$f" .pid)
    if running "$name"; then echo "$name: jalan (pid $(cat "$f"))"; else echo "$name: mati"; fi
  done
  curl -fsS "http://127.0.0.1:$PORT/api/v2/monitor/health" && echo || echo "api-server tidak menjawab"
}

case "${1:-up}" in
  up) up ;;
  down) down ;;
  status) status ;;
  env) write_env; cat "$STACK/env" ;;
  dasar) dasar ;;
  migrasi) bash scripts/services.sh; write_env; source "$STACK/env"; migrasi
           echo "Gudang dan metadata Airflow pada skema rilis ini (log: $STACK/log/migrasi.log, migrate.log)" ;;
  cek) cek "${2:-}" ;;
  *) echo "pakai: $0 up|down|status|env|dasar|migrasi|cek [CADANGAN]" >&2; exit 2 ;;
esac
