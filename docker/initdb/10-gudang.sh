#!/bin/bash
# The walidata warehouse lives in its own database and role, apart from Airflow's metadata.
set -e
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" <<SQL
CREATE ROLE walidata LOGIN PASSWORD '${WALIDATA_PASSWORD}';
CREATE DATABASE gudang OWNER walidata;
SQL
