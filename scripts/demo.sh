#!/usr/bin/env bash
# The whole yearly cycle through Airflow for Kabupaten Malang (35.07, 390 desa) on generated data,
# embedded: SQLite + a local folder, no servers. Prints the cycle summary at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
REGION=${REGION:-35.07}
TAHUN=${TAHUN:-2025}
source scripts/env.sh
export DESA_CANTIK_WILAYAH=$REGION DESA_CANTIK_RETRIES=0
rm -rf "$DESA_CANTIK_HOME"
mkdir -p "$AIRFLOW_HOME"
start=$(date +%s)
echo "== 1/4 database metadata Airflow (SQLite)"
airflow db migrate >"$DESA_CANTIK_HOME/airflow-migrate.log" 2>&1
python -m desa_cantik keygen >/dev/null  # the tier signs its delivery package
echo "== 2/4 data sintetis untuk $REGION tahun $TAHUN, diunggah ke kotak masuk"
python -m desa_cantik generate --region "$REGION" --tahun "$TAHUN" --out "$DESA_CANTIK_HOME/kiriman"
python -m desa_cantik upload "$DESA_CANTIK_HOME/kiriman" --tahun "$TAHUN"
echo "== 3/4 siklus tahunan lewat Airflow (airflow dags test desa_cantik_siklus_tahunan)"
deadline=$(python -c "from desa_cantik.config import DaftarData, Settings; print(DaftarData.load(Settings.daftar_data_path()).batas_akhir.isoformat())")
if ! airflow dags test desa_cantik_siklus_tahunan "$deadline" >"$DESA_CANTIK_HOME/dag-run.log" 2>&1; then
  tail -50 "$DESA_CANTIK_HOME/dag-run.log"; echo "siklus gagal; log lengkap: $DESA_CANTIK_HOME/dag-run.log"; exit 1
fi
echo "== 4/4 ringkasan ($(( $(date +%s) - start )) s)"
python -m desa_cantik summary
echo
echo "Log Airflow: $DESA_CANTIK_HOME/dag-run.log  ·  UI: make ui"
