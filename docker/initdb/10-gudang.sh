#!/bin/bash
# The walidata warehouse lives in its own database and role, apart from Airflow's metadata (and Celery's
# results, which share Airflow's database). Runs once, when the PostgreSQL volume is first created.
set -eo pipefail  # no -u: the postgres entrypoint may source this file into its own shell
: "${WALIDATA_PASSWORD:?WALIDATA_PASSWORD belum diisi di .env}"
psql -v ON_ERROR_STOP=1 -v sandi="$WALIDATA_PASSWORD" --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<'SQL'
CREATE ROLE walidata LOGIN PASSWORD :'sandi';
CREATE DATABASE gudang OWNER walidata;
REVOKE ALL ON DATABASE gudang FROM PUBLIC;
SQL
