#!/usr/bin/env bash
# The whole yearly cycle through Airflow for Kabupaten Malang (35.07, 390 desa) on generated data,
# embedded: SQLite + a local folder. Bappeda's approval (persetujuan_bappeda) is given automatically
# through the REST API of a local api-server (demo user `bappeda`), so it runs unattended and says so.
# Prints the cycle summary at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
REGION=${REGION:-35.07}
TAHUN=${TAHUN:-2025}
source scripts/env.sh
export DESA_CANTIK_WILAYAH=$REGION DESA_CANTIK_RETRIES=0
rm -rf "$DESA_CANTIK_HOME"
mkdir -p "$AIRFLOW_HOME"
start=$(date +%s)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -TERM -- "-$p" 2>/dev/null || kill -TERM "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
echo "== 1/4 database metadata Airflow (SQLite), peran dan pengguna demo"
airflow db migrate >"$DESA_CANTIK_HOME/airflow-migrate.log" 2>&1
python scripts/peran.py sync --pengguna config/pengguna_demo.csv >"$DESA_CANTIK_HOME/peran.log" 2>&1 &
peran_pid=$!
python -m desa_cantik keygen >/dev/null  # the tier signs its delivery package
echo "== 2/4 data sintetis untuk $REGION tahun $TAHUN, diunggah ke kotak masuk"
python -m desa_cantik generate --region "$REGION" --tahun "$TAHUN" --out "$DESA_CANTIK_HOME/kiriman"
python -m desa_cantik upload "$DESA_CANTIK_HOME/kiriman" --tahun "$TAHUN"
wait "$peran_pid" || { cat "$DESA_CANTIK_HOME/peran.log"; echo "sinkronisasi peran gagal"; exit 1; }
echo "== 3/4 siklus tahunan lewat Airflow (airflow dags test desa_cantik_siklus_tahunan)"
port=$(python -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
setsid airflow api-server -H 127.0.0.1 -p "$port" -w 1 >"$DESA_CANTIK_HOME/api-server.log" 2>&1 &
pids+=($!)
deadline=$(python -c "from desa_cantik.config import DaftarData, Settings; print(DaftarData.load(Settings.daftar_data_path()).batas_akhir.isoformat())")
run_start=$(date +%s.%N)
setsid python scripts/dags_test.py desa_cantik_siklus_tahunan "$deadline" >"$DESA_CANTIK_HOME/dag-run.log" 2>&1 &
run_pid=$!
pids+=("$run_pid")
# DEMO ONLY: answers Bappeda's approval as user `bappeda` through the REST API while the run waits
python scripts/setujui_demo.py --url "http://127.0.0.1:$port" --pid "$run_pid" || true
if kill -0 "$run_pid" 2>/dev/null; then
  echo "persetujuan otomatis tidak terkirim; log api-server: $DESA_CANTIK_HOME/api-server.log"; exit 1
fi
if ! wait "$run_pid"; then
  tail -50 "$DESA_CANTIK_HOME/dag-run.log"; echo "siklus gagal; log lengkap: $DESA_CANTIK_HOME/dag-run.log"; exit 1
fi
run_s=$(python -c "import sys, time; print(f'{time.time() - float(sys.argv[1]):.1f}')" "$run_start")
cleanup; pids=()
echo "   siklus lewat Airflow (dags test, dari picu sampai selesai, termasuk menunggu persetujuan): $run_s s"
echo "   (demo: persetujuan Bappeda diberikan otomatis lewat REST API sebagai pengguna 'bappeda'; di server sungguhan Bappeda menjawab sendiri di UI)"
echo "== 4/4 ringkasan ($(( $(date +%s) - start )) s)"
python -m desa_cantik summary
echo
n_kabar=$(find "$DESA_CANTIK_KABAR_FOLDER" -name '*.eml' 2>/dev/null | wc -l)
echo "Kabar: $n_kabar surel ditulis sebagai berkas .eml ke $DESA_CANTIK_KABAR_FOLDER (putusan untuk operator demo, persetujuan untuk Bappeda);"
echo "       semua percobaan kirim ada di halaman Kabar (make ui, /desa-cantik/kabar)"
echo "Log Airflow: $DESA_CANTIK_HOME/dag-run.log  ·  UI: make ui (login dicetak di sana)"
