#!/usr/bin/env bash
# `make backup` / `make restore`: backup and restore of the stack (scripts/stack.sh). The work is
# `python -m desa_cantik cadangan` (include/desa_cantik/cadangan/); this script adds what is the stack's own:
# its secrets file, stopping and starting it, and recreating its two databases.
#
#   scripts/cadangan.sh buat [FOLDER]    back up into a new folder (default cadangan/<UTC time>): pg_dump of the
#                                        warehouse and of Airflow's metadata (each in one snapshot, with its rows
#                                        and fingerprints), every object by sha256, the keys, .stack/rahasia.env
#   scripts/cadangan.sh pulihkan FOLDER  restore into a fresh stack: checks every checksum first; stops the stack,
#                                        recreates both databases, restores them, the objects (each read back) and
#                                        keys, then `migrasi`, `airflow db migrate`, and starts the stack
#   scripts/cadangan.sh periksa FOLDER   check a backup (every file and object against its sha256)
#
# A stack that holds data is never restored over unless TIMPA=ya; its key folder is then moved aside, never deleted.
# Settings: as scripts/stack.sh (STACK_HOME, STACK_DB, STACK_PG, ...).
set -euo pipefail
CALLER=$(pwd)
cd "$(dirname "$0")/.."
ROOT=$(pwd)
STACK=${STACK_HOME:-$ROOT/.stack}
DB=${STACK_DB:-desa_cantik}
PG=${STACK_PG:-postgresql://postgres@127.0.0.1:5432}
PY=$ROOT/.venv/bin

absolute() { case "$1" in /*) echo "$1" ;; *) echo "$CALLER/$1" ;; esac; }

need_env() {
  if [ ! -f "$STACK/env" ]; then echo "gagal: $STACK/env tidak ada (stack belum pernah dijalankan: make stack)" >&2; exit 1; fi
  # shellcheck disable=SC1091
  source "$STACK/env"
}

buat() {
  local folder
  folder=$(absolute "${1:-cadangan/$(date -u +%Y%m%dT%H%M%SZ)}")
  need_env
  if [ -e "$folder" ] && [ -n "$(ls -A "$folder")" ]; then
    echo "gagal: $folder tidak kosong: cadangan dibuat di folder baru" >&2; exit 1
  fi
  mkdir -p "$folder" && chmod 700 "$folder"
  install -m 600 "$STACK/rahasia.env" "$folder/rahasia.env"  # Fernet key (Airflow's connections), JWT, S3 keys
  "$PY/python" -m desa_cantik cadangan buat "$folder"
}

has_data() {  # has_data: either database of this stack has tables
  local name
  for name in airflow gudang; do
    if [ "$(psql "$PG/${DB}_$name" -tAc "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'" 2>/dev/null || echo 0)" != 0 ]; then
      return 0
    fi
  done
  return 1
}

pulihkan() {
  local folder
  folder=$(absolute "${1:?pakai: make restore CADANGAN=folder-cadangan}")
  "$PY/python" -m desa_cantik cadangan periksa "$folder"  # nothing is touched unless every checksum is right
  bash scripts/stack.sh down >/dev/null
  if has_data; then
    if [ "${TIMPA:-}" != ya ]; then
      echo "gagal: stack di $STACK berisi data; pemulihan menimpa gudang, metadata Airflow dan objeknya." >&2
      echo "Bila memang itu maksudnya: make restore CADANGAN=$folder TIMPA=ya (kuncinya dipindah, tidak dihapus)" >&2
      exit 1
    fi
    if [ -d "$STACK/kunci" ]; then mv "$STACK/kunci" "$STACK/kunci.sebelum-pemulihan-$(date -u +%Y%m%dT%H%M%SZ)"; fi
  fi
  rm -rf "$STACK/objek-tersimpan"  # the replaced deployment's objects are never loaded over the restored ones
  mkdir -p "$STACK"
  install -m 600 "$folder/rahasia.env" "$STACK/rahasia.env"  # before the env is written: the backup's secrets
  bash scripts/stack.sh dasar  # PostgreSQL, Redis, an empty S3 server
  need_env
  local name
  for name in airflow gudang; do
    psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS ${DB}_$name WITH (FORCE)" >/dev/null
    psql "$PG/postgres" -qc "CREATE DATABASE ${DB}_$name" >/dev/null
  done
  "$PY/python" -m desa_cantik cadangan pulihkan "$folder"
  # `up` migrates before any service starts: `python -m desa_cantik migrasi`, then `airflow db migrate`
  bash scripts/stack.sh up
}

case "${1:-}" in
  buat) buat "${2:-}" ;;
  pulihkan) pulihkan "${2:-}" ;;
  periksa) "$PY/python" -m desa_cantik cadangan periksa "$(absolute "${2:?pakai: $0 periksa FOLDER}")" ;;
  *) echo "pakai: $0 buat [FOLDER] | pulihkan FOLDER | periksa FOLDER" >&2; exit 2 ;;
esac
