#!/usr/bin/env bash
# PostgreSQL and Redis on loopback, started (and installed from Debian's packages) only when not running:
# `make test` and `make stack` call this, so a fresh machine needs no set-up of its own.
# Prints the warehouse URL the tests should use when PostgreSQL wants a password (see DESA_CANTIK_TEST_PG).
set -euo pipefail

apt_install() {
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  else
    echo "pasang dulu: $* (paket Debian), atau jalankan layanan itu di 127.0.0.1" >&2; exit 1
  fi
}

# PostgreSQL on 127.0.0.1:5432 (the tests create and drop their own databases)
if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  command -v pg_ctlcluster >/dev/null 2>&1 || apt_install postgresql
  ver=$(ls /etc/postgresql | sort -n | tail -1)
  pg_ctlcluster --skip-systemctl-redirect "$ver" main start || true
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
pg_isready -h 127.0.0.1 -p 5432 -q
# the tests connect as postgres over TCP without a password on loopback; where trust is off, set one
if ! psql "postgresql://postgres@127.0.0.1:5432/postgres" -tAc "SELECT 1" >/dev/null 2>&1; then
  su postgres -c "psql -tAc \"ALTER USER postgres PASSWORD 'postgres'\"" >/dev/null
  echo "postgresql+psycopg2://postgres:postgres@127.0.0.1:5432/postgres"
fi

# Redis on 127.0.0.1:6379 (the Celery broker of `make stack` and its test); nothing kept on disk
if ! (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null; then
  command -v redis-server >/dev/null 2>&1 || apt_install redis-server
  redis-server --bind 127.0.0.1 --port 6379 --save "" --appendonly no --daemonize yes >/dev/null
  for _ in $(seq 1 30); do (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null && break; sleep 0.5; done
fi
