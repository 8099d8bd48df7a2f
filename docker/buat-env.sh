#!/usr/bin/env bash
# Write docker/.env from .env.example with every secret random (openssl). Once: never overwrites .env.
set -euo pipefail
cd "$(dirname "$0")"
if [ -e .env ]; then
  echo ".env sudah ada: tidak ditimpa (hapus dulu bila memang ingin rahasia baru; lihat README)" >&2
  exit 1
fi
umask 077
while IFS= read -r line || [ -n "$line" ]; do
  case "$line" in
    AIRFLOW_FERNET_KEY=) echo "AIRFLOW_FERNET_KEY=$(openssl rand -base64 32 | tr '+/' '-_')" ;;
    FLOWER_BASIC_AUTH=) echo "FLOWER_BASIC_AUTH=flower:$(openssl rand -hex 16)" ;;
    *_PASSWORD=|*_SECRET=|*_SECRET_KEY=|*_TOKEN=) echo "${line}$(openssl rand -hex 24)" ;;
    *) echo "$line" ;;
  esac
done < .env.example > .env
echo ".env ditulis (0600). Periksa DESA_CANTIK_TINGKAT dan DESA_CANTIK_WILAYAH, lalu: docker compose up -d --build"
