#!/usr/bin/env bash
# airflow-init (one-shot, idempotent): Airflow's database, the first admin, the pillars' roles and users.
# Runs on every `docker compose up`; nothing else of Airflow starts until it has succeeded.
set -euo pipefail

echo "== basis data metadata Airflow"
airflow db migrate

# before the CSV: the admin of .env is always a working login (a CSV row with the same username only
# updates its names, email and role)
echo "== admin pertama (${_ADMIN_USERNAME}); yang sudah ada tidak diubah"
airflow users create --role Admin --username "${_ADMIN_USERNAME}" --password "${_ADMIN_PASSWORD}" \
  --email "${_ADMIN_EMAIL}" --firstname Admin --lastname "Desa Cantik"

echo "== peran per pilar (config/peran.yaml) dan pengguna"
args=(sync --sandi-baru /opt/desa-cantik/sandi-baru/kata_sandi_baru.tsv)
if [ -f "${_PENGGUNA_CSV}" ]; then
  args+=(--pengguna "${_PENGGUNA_CSV}")
else
  echo "tidak ada ${_PENGGUNA_CSV}: hanya peran yang disinkronkan"
fi
python /opt/desa-cantik/scripts/peran.py "${args[@]}"
